# Precompiled Qt headers for the test, example and benchmark executables.
#
# Parsing Qt's headers (QtCore, QtNetwork, QtTest) is about two thirds of compiling a test: 4.5 of
# 6.6 s for a small unit test. Each directory's executables that are compiled alike (same libraries,
# options, standard) share one precompiled header built once by a small host target, so the headers
# are parsed once per group instead of once per file. GCC checks that a precompiled header matches
# the compilation that uses it (macros it tested, options) and falls back to the plain headers when
# it does not, so a mismatch costs time, never correctness.
#
#   wsclient_precompile_qt_headers()   at the end of a directory's CMakeLists.txt
option(WSCLIENT_PCH "Precompile Qt's headers for tests, examples and benchmarks" ON)

function(wsclient_precompile_qt_headers)
  if(NOT WSCLIENT_PCH)
    return()
  endif()
  get_property(targets DIRECTORY PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    get_target_property(sources ${target} SOURCES)
    list(FILTER sources INCLUDE REGEX "\\.cpp$")
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY)$" OR NOT sources)
      continue()
    endif()
    set(key "")
    set(properties LINK_LIBRARIES COMPILE_OPTIONS COMPILE_FEATURES INCLUDE_DIRECTORIES CXX_STANDARD)
    foreach(property IN LISTS properties)
      get_target_property(value ${target} ${property})
      string(APPEND key "${property}=${value};")
    endforeach()
    string(MD5 hash "${key}")
    string(SUBSTRING "${hash}" 0 8 hash)
    get_filename_component(dir "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
    set(host wsclient_pch_${dir}_${hash})
    if(NOT TARGET ${host})
      set(source ${CMAKE_CURRENT_BINARY_DIR}/${host}.cpp)
      file(WRITE ${source} "// Host of the precompiled Qt headers (cmake/WsClientPrecompiledHeaders.cmake).\n")
      add_library(${host} OBJECT ${source})
      set_target_properties(${host} PROPERTIES AUTOMOC OFF)
      foreach(property IN LISTS properties)
        get_target_property(value ${target} ${property})
        if(value)
          set_property(TARGET ${host} PROPERTY ${property} "${value}")
        endif()
      endforeach()
      set(headers <QtCore/QtCore>)
      get_target_property(libraries ${target} LINK_LIBRARIES)
      foreach(module Network Test Gui Widgets Qml Quick)
        if("Qt6::${module}" IN_LIST libraries)
          list(APPEND headers <Qt${module}/Qt${module}>)
        endif()
      endforeach()
      target_precompile_headers(${host} PRIVATE ${headers})
    endif()
    target_precompile_headers(${target} REUSE_FROM ${host})
  endforeach()
endfunction()
