# libopenvswitch, built from Debian's openvswitch-source by scripts/build-ovs
# (cached outside the build tree, keyed by the tarball and our flags), and
# exposed as the imported target ovs::openvswitch. Only ovsdb/ may link it:
# see ovsdb/CMakeLists.txt for how its symbols are kept private.
set(OA_OVS_DIR "" CACHE PATH
    "A built OVS source tree; empty: build one with scripts/build-ovs")

if(NOT OA_OVS_DIR OR NOT EXISTS "${OA_OVS_DIR}/.done")
  execute_process(
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/build-ovs
    OUTPUT_VARIABLE _oa_ovs_out
    RESULT_VARIABLE _oa_ovs_rc
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _oa_ovs_rc EQUAL 0)
    message(FATAL_ERROR "scripts/build-ovs failed (${_oa_ovs_rc})")
  endif()
  string(REGEX REPLACE ".*\n" "" _oa_ovs_out "${_oa_ovs_out}")
  set(OA_OVS_DIR "${_oa_ovs_out}" CACHE PATH
      "A built OVS source tree; empty: build one with scripts/build-ovs" FORCE)
endif()
message(STATUS "libopenvswitch: ${OA_OVS_DIR}")

file(READ "${OA_OVS_DIR}/ovs-libs.txt" _oa_ovs_libs)
string(STRIP "${_oa_ovs_libs}" _oa_ovs_libs)
separate_arguments(_oa_ovs_libs UNIX_COMMAND "${_oa_ovs_libs}")

set(OA_OVS_LIBRARY "${OA_OVS_DIR}/lib/.libs/libopenvswitch.a")
# OVS's own headers: public include/, the private lib/ ones the IDL needs,
# and config.h at the top of the build tree. SYSTEM keeps their warnings
# out of our -Werror build.
set(OA_OVS_INCLUDE_DIRS "${OA_OVS_DIR}" "${OA_OVS_DIR}/include"
    "${OA_OVS_DIR}/lib")
# The libraries libopenvswitch needs at link time (from its Makefile).
set(OA_OVS_LINK_LIBS ${_oa_ovs_libs})

add_library(ovs::openvswitch STATIC IMPORTED GLOBAL)
set_target_properties(ovs::openvswitch PROPERTIES
  IMPORTED_LOCATION "${OA_OVS_LIBRARY}"
  INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${OA_OVS_INCLUDE_DIRS}"
  INTERFACE_INCLUDE_DIRECTORIES "${OA_OVS_INCLUDE_DIRS}"
  INTERFACE_LINK_LIBRARIES "${OA_OVS_LINK_LIBS}")
