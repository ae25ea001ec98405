# oa_add_check_test(NAME
#                   SOURCES file.c...
#                   [LIBS target...]
#                   [LABELS label...]
#                   [ARGS arg...]          passed to the test binary
#                   [ENVIRONMENT K=V...]
#                   [WRAPPER command...]   runs the binary as its argument
#                   [TIMEOUT seconds])
# Builds a Check test binary and registers it with CTest. Check forks
# each test by default, so a crash fails one test, not the suite.
function(oa_add_check_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ARGS;ENVIRONMENT;WRAPPER"
                        ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CHECK)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  add_test(NAME ${name}
           COMMAND ${T_WRAPPER} $<TARGET_FILE:${name}> ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES
    LABELS "${T_LABELS}"
    TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "CK_DEFAULT_TIMEOUT=30;${T_ENVIRONMENT}")
endfunction()

# oa_add_bed_test(NAME COMMAND "shell command" [PCI [IOMMU]]
#                 [SYSTEMD [SETUP "shell command"]] [TIMEOUT seconds]
#                 [KERNEL 6.12])
# Registers a test that boots the kernel test bed (tests/bed/run) and runs
# the shell command inside the guest, as root, in the build directory.
# PCI selects the q35 + SR-IOV NVMe variant of the bed, IOMMU with it an
# emulated Intel IOMMU (vfio-pci, IOMMU groups). SYSTEMD boots the
# guest with systemd as PID 1 (OA_BED_SYSTEMD=1): SETUP runs before systemd
# starts (to install and enable units in /etc/systemd/system), COMMAND as
# a unit once multi-user.target is reached. KERNEL 6.12 boots the second
# bed (OA_BED_KERNEL=6.12: vDPA). Bed tests run one at a time:
# each guest wants both cores under TCG.
function(oa_add_bed_test name)
  cmake_parse_arguments(T "PCI;IOMMU;SYSTEMD" "COMMAND;SETUP;TIMEOUT;KERNEL" ""
                        ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  # The guest's own bound (tests/bed/run) 30 s inside ctest's, so that a
  # slow run ends with the guest's console tail rather than a kill.
  math(EXPR guest_timeout "${T_TIMEOUT} - 30")
  set(env "OA_BED_TIMEOUT=${guest_timeout}")
  if(T_KERNEL)
    list(APPEND env "OA_BED_KERNEL=${T_KERNEL}")
  endif()
  if(T_PCI)
    list(APPEND env "OA_BED_PCI=1")
    if(T_IOMMU)
      list(APPEND env "OA_BED_IOMMU=1")
    endif()
  endif()
  if(T_SYSTEMD)
    list(APPEND env "OA_BED_SYSTEMD=1")
    if(T_SETUP)
      list(APPEND env "OA_BED_SYSTEMD_SETUP=${T_SETUP}")
    endif()
  elseif(T_SETUP)
    message(FATAL_ERROR "oa_add_bed_test(${name}): SETUP needs SYSTEMD")
  endif()
  add_test(NAME ${name}
           COMMAND ${PROJECT_SOURCE_DIR}/tests/bed/run "${T_COMMAND}"
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(${name} PROPERTIES
    LABELS bed RUN_SERIAL TRUE TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "${env}")
endfunction()
