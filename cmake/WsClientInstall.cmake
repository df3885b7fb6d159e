# install() rules and the exported package, so that find_package(WsClient) works from a prefix.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS WsClient EXPORT WsClientTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# Public headers plus the Qt-style forwarding headers (<WsClient/WebSocket>, ...).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/WsClient
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  PATTERN coro.h EXCLUDE PATTERN Coro EXCLUDE) # with the Coro component (src/coro)

install(EXPORT WsClientTargets
  NAMESPACE WsClient::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/WsClient)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/WsClientConfig.cmake.in
  ${PROJECT_BINARY_DIR}/WsClientConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/WsClient)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/WsClientConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/WsClientConfig.cmake
  ${PROJECT_BINARY_DIR}/WsClientConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/WsClient)

# The QML module: plugin, qmldir and qmltypes in <prefix>/${WSCLIENT_INSTALL_QMLDIR}/WsClient, so
# that QML_IMPORT_PATH=<prefix>/${WSCLIENT_INSTALL_QMLDIR} finds `import WsClient`. Qt 6.4 has no
# deployment helper for a module (qt_generate_deploy_qml_app_script is for applications): by hand.
# (WSCLIENT_INSTALL_QMLDIR is set in qml/CMakeLists.txt, where the tests can see it.)
if(TARGET WsClientQml)
  set(_qml_module_dir ${WSCLIENT_INSTALL_QMLDIR}/WsClient)
  if(BUILD_SHARED_LIBS)
    # The plugin finds the installed libWsClient next to it wherever the prefix ends up.
    file(RELATIVE_PATH _qml_to_lib /${_qml_module_dir} /${CMAKE_INSTALL_LIBDIR})
    set_target_properties(WsClientQml PROPERTIES INSTALL_RPATH "$ORIGIN/${_qml_to_lib}")
  endif()
  get_target_property(_qml_out WsClientQml QT_QML_MODULE_OUTPUT_DIRECTORY)
  get_target_property(_qml_typeinfo WsClientQml QT_QML_MODULE_TYPEINFO)
  install(TARGETS WsClientQml
    LIBRARY DESTINATION ${_qml_module_dir}
    RUNTIME DESTINATION ${_qml_module_dir})
  install(FILES ${_qml_out}/qmldir ${_qml_out}/${_qml_typeinfo} DESTINATION ${_qml_module_dir})
endif()
