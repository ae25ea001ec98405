# Warning and sanitizer flags shared by every target of the project.
add_compile_options(-Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes
                    -Wmissing-prototypes -Wno-unused-parameter)
add_compile_definitions(_GNU_SOURCE)
if(OA_WERROR)
  add_compile_options(-Werror)
endif()

if(OA_SANITIZE)
  set(OA_SANITIZER_FLAGS -fsanitize=address,undefined
                         -fno-sanitize-recover=undefined
                         -fno-omit-frame-pointer)
  add_compile_options(${OA_SANITIZER_FLAGS})
  add_link_options(${OA_SANITIZER_FLAGS})
endif()

if(OA_FUZZ AND NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "OA_FUZZ needs clang: configure with CC=clang")
endif()
