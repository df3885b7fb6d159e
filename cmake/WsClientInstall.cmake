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
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

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
