# Warnings, strict Qt string defines and sanitizers, applied to every target of the project.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
                    -Woverloaded-virtual -Wformat=2)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # QTest's and Qt's variadic macros are called with empty __VA_ARGS__, which -Wpedantic flags on clang.
  add_compile_options(-Wno-gnu-zero-variadic-macro-arguments)
endif()
if(WSCLIENT_WERROR)
  add_compile_options(-Werror)
endif()

add_compile_definitions(QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_USE_QSTRINGBUILDER
                        QT_NO_URL_CAST_FROM_STRING QT_NO_CAST_FROM_BYTEARRAY
                        QT_STRICT_ITERATORS QT_NO_KEYWORDS)

if(WSCLIENT_SANITIZE AND WSCLIENT_TSAN)
  message(FATAL_ERROR "WSCLIENT_SANITIZE and WSCLIENT_TSAN are mutually exclusive")
endif()
if(WSCLIENT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(WSCLIENT_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(WSCLIENT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "WSCLIENT_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Everything is instrumented for coverage; only the fuzz executables link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
