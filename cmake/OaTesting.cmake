# oa_add_check_test(NAME
#                   SOURCES file.c...
#                   [LIBS target...]
#                   [LABELS label...]
#                   [ARGS arg...]          passed to the test binary
#                   [ENVIRONMENT K=V...]
#                   [TIMEOUT seconds])
# Builds a Check test binary and registers it with CTest. Check forks
# each test by default, so a crash fails one test, not the suite.
function(oa_add_check_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ARGS;ENVIRONMENT"
                        ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CHECK)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES
    LABELS "${T_LABELS}"
    TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "CK_DEFAULT_TIMEOUT=30;${T_ENVIRONMENT}")
endfunction()
