# install() rules, the exported CMake package (find_package(WsClient) from a prefix) and the
# pkg-config file. Each rule belongs to an install component, which the Debian packages follow
# (cmake/WsClientPackaging.cmake):
#   Runtime      libWsClient.so.N                                   -> libwsclient0
#   Development  headers, libWsClient.so / .a, CMake package, .pc   -> libwsclient-dev
#   Tools        wsdump, wsinspector (examples/*/CMakeLists.txt)    -> wsclient-tools
#   Qml          the QML module WsClient                            -> qml6-module-wsclient
# Helpers (RUNPATH, tools, package components) are in cmake/WsClientInstallHelpers.cmake.
include(CMakePackageConfigHelpers)

set(WSCLIENT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/WsClient)

install(TARGETS WsClient EXPORT WsClientTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Runtime NAMELINK_COMPONENT Development
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Development
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT Runtime
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# Public headers plus the Qt-style forwarding headers (<WsClient/WebSocket>, ...), and the version
# header generated from project(VERSION) (src/CMakeLists.txt).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/WsClient
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT Development
  PATTERN coro.h EXCLUDE PATTERN Coro EXCLUDE) # with the Coro component (src/coro)
install(FILES ${WSCLIENT_GENERATED_INCLUDE_DIR}/WsClient/wsclient_version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/WsClient COMPONENT Development)

# The QML module: plugin, qmldir and qmltypes in <prefix>/${WSCLIENT_INSTALL_QMLDIR}/WsClient, so
# that QML_IMPORT_PATH=<prefix>/${WSCLIENT_INSTALL_QMLDIR} finds `import WsClient`. Qt 6.4 has no
# deployment helper for a module (qt_generate_deploy_qml_app_script is for applications): by hand.
# (WSCLIENT_INSTALL_QMLDIR is set in qml/CMakeLists.txt, where the tests can see it.)
if(TARGET WsClientQml)
  set(_qml_module_dir ${WSCLIENT_INSTALL_QMLDIR}/WsClient)
  # The plugin finds the installed libWsClient next to it wherever the prefix ends up.
  wsclient_set_install_runpath(WsClientQml ${_qml_module_dir})
  get_target_property(_qml_out WsClientQml QT_QML_MODULE_OUTPUT_DIRECTORY)
  get_target_property(_qml_typeinfo WsClientQml QT_QML_MODULE_TYPEINFO)
  install(TARGETS WsClientQml
    LIBRARY DESTINATION ${_qml_module_dir} COMPONENT Qml
    RUNTIME DESTINATION ${_qml_module_dir} COMPONENT Qml)
  install(FILES ${_qml_out}/qmldir ${_qml_out}/${_qml_typeinfo}
    DESTINATION ${_qml_module_dir} COMPONENT Qml)

  # find_package(WsClient COMPONENTS Qml): the module is where this build installs it.
  if(IS_ABSOLUTE "${WSCLIENT_INSTALL_QMLDIR}")
    set(_qml_import_path "${WSCLIENT_INSTALL_QMLDIR}")
  else()
    set(_qml_import_path "\${WsClient_INSTALL_PREFIX}/${WSCLIENT_INSTALL_QMLDIR}")
  endif()
  wsclient_add_package_component(Qml
    DEPENDENCIES "Qt6 ${WSCLIENT_QT_MIN_VERSION} COMPONENTS Qml"
    CODE "set(WsClient_QML_IMPORT_PATH \"${_qml_import_path}\")
if(NOT EXISTS \"\${WsClient_QML_IMPORT_PATH}/WsClient/qmldir\")
  set(WsClient_Qml_FOUND FALSE)
  set(WsClient_Qml_NOT_FOUND_MESSAGE \"the QML module is not installed in \${WsClient_QML_IMPORT_PATH}/WsClient (Debian package qml6-module-wsclient)\")
endif()")
endif()

# The CMake package.
get_property(WSCLIENT_PACKAGE_COMPONENTS GLOBAL PROPERTY WSCLIENT_PACKAGE_COMPONENTS)
if(BUILD_SHARED_LIBS)
  set(WSCLIENT_PACKAGE_STATIC OFF)
else()
  set(WSCLIENT_PACKAGE_STATIC ON)
endif()
install(EXPORT WsClientTargets
  NAMESPACE WsClient::
  DESTINATION ${WSCLIENT_INSTALL_CMAKEDIR} COMPONENT Development)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/WsClientConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/WsClientConfig.cmake
  INSTALL_DESTINATION ${WSCLIENT_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/WsClientConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/package/WsClientConfig.cmake
  ${PROJECT_BINARY_DIR}/package/WsClientConfigVersion.cmake
  DESTINATION ${WSCLIENT_INSTALL_CMAKEDIR} COMPONENT Development)

# The pkg-config file, for builds without CMake: `pkg-config --cflags --libs WsClient`. Its prefix is
# found relative to the file itself (${pcfiledir}), so it holds wherever the prefix is installed or
# moved to (cmake --install --prefix, DESTDIR, a Debian package, a copied tree).
set(WSCLIENT_INSTALL_PKGCONFIGDIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${WSCLIENT_INSTALL_PKGCONFIGDIR}")
  set(WSCLIENT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _pc_to_prefix /prefix/${WSCLIENT_INSTALL_PKGCONFIGDIR} /prefix)
  string(REGEX REPLACE "/$" "" _pc_to_prefix "${_pc_to_prefix}")
  set(WSCLIENT_PC_PREFIX "\${pcfiledir}/${_pc_to_prefix}")
endif()
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(WSCLIENT_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(WSCLIENT_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
set(WSCLIENT_PC_CFLAGS "")
set(WSCLIENT_PC_PRIVATE "")
if(NOT BUILD_SHARED_LIBS)
  string(APPEND WSCLIENT_PC_CFLAGS " -DWSCLIENT_STATIC")
  set(WSCLIENT_PC_PRIVATE "Requires.private: zlib\n")
endif()
# A Qt built with reduce_relocations (Debian's is) refuses to compile without -fPIC; its CMake targets
# add it (INTERFACE_COMPILE_OPTIONS of Qt6::Core) but its .pc files do not.
get_target_property(_qt_options Qt6::Core INTERFACE_COMPILE_OPTIONS)
if("-fPIC" IN_LIST _qt_options)
  string(APPEND WSCLIENT_PC_CFLAGS " -fPIC")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/WsClient.pc.in ${PROJECT_BINARY_DIR}/package/WsClient.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/WsClient.pc
  DESTINATION ${WSCLIENT_INSTALL_PKGCONFIGDIR} COMPONENT Development)
