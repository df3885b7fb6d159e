# CPack: Debian packages from the install components (cmake/WsClientInstall.cmake), built by
# scripts/build-deb (a build configured for /usr, without RUNPATH, then `cpack -G DEB`):
#   libwsclient0          Runtime      the shared library
#   libwsclient-dev       Development  headers, libWsClient.so, CMake package, pkg-config file
#   wsclient-tools        Tools        wsdump, wsinspector
#   qml6-module-wsclient  Qml          the QML module WsClient, in Qt's QML directory
# Dependencies on other Debian packages come from dpkg-shlibdeps (libraries linked) plus the explicit
# ones below (what -dev needs to compile against the headers); those between these packages are exact
# versions (component DEPENDS). Only a shared build is packaged.
set(CPACK_PACKAGE_NAME wsclient)
set(CPACK_PACKAGE_VENDOR "WsClient")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Each package's description below starts with its own synopsis line. CPackDeb puts
# CPACK_PACKAGE_DESCRIPTION_SUMMARY (by default the project's DESCRIPTION) in front of it unless it
# is CPack's placeholder, so the placeholder it is.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_NAME} built using CMake")
# (CPackDeb indents the lines and turns empty ones into " .")
set(_wsclient_about "WsClient implements RFC 6455 and permessage-deflate (RFC 7692) over QTcpSocket,
QSslSocket or any QIODevice, with HTTP CONNECT and SOCKS proxies, keepalive and
reconnection: a port of Python's websocket-client to Qt.")
set(CPACK_PACKAGE_CONTACT "WsClient maintainers <wsclient@localhost>" CACHE STRING
    "Maintainer field of the Debian packages")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # name_version-release_arch.deb
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL Runtime Development)
if(TARGET wsdump)
  list(APPEND CPACK_COMPONENTS_ALL Tools)
endif()
if(TARGET WsClientQml)
  list(APPEND CPACK_COMPONENTS_ALL Qml)
endif()
set(CPACK_COMPONENT_DEVELOPMENT_DEPENDS Runtime)
set(CPACK_COMPONENT_TOOLS_DEPENDS Runtime)
set(CPACK_COMPONENT_QML_DEPENDS Runtime)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps must find libWsClient.so.N, which no installed package provides yet: in the build tree.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/src)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libwsclient${PROJECT_VERSION_MAJOR}) # the SOVERSION
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "WebSocket client library for Qt 6 - shared library
${_wsclient_about}")
# The shlibs file, so that dpkg-shlibdeps of other packages linking libWsClient finds this package.
# Before 1.0 any release may change the ABI: the dependency is on this exact version. (CPack's
# CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS would also list the QML plugin, which has no SONAME.)
set(_wsclient_deb_version ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})
file(WRITE ${PROJECT_BINARY_DIR}/package/debian/shlibs
  "libWsClient ${PROJECT_VERSION_MAJOR} ${CPACK_DEBIAN_RUNTIME_PACKAGE_NAME} (= ${_wsclient_deb_version})\n")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/package/debian/shlibs)

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libwsclient-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEVELOPMENT_DESCRIPTION "WebSocket client library for Qt 6 - development files
${_wsclient_about}

Headers, the CMake package (find_package(WsClient)) and the pkg-config file (WsClient.pc).")
# find_package(WsClient) finds Qt6 Core and Network; WsClient.pc requires Qt6Core.pc, Qt6Network.pc.
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS "qt6-base-dev (>= ${WSCLIENT_QT_MIN_VERSION})")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME wsclient-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "WebSocket command-line tool and GUI inspector (WsClient)
wsdump, a port of websocket-client's wsdump (send and receive messages from a terminal or a
script), and wsinspector, a Qt Widgets inspector that shows every frame of a connection.")
# python3-websocket (websocket-client) ships /usr/bin/wsdump too: the same tool with the same options,
# so the two packages are alternatives, not companions. A prefix install (cmake --install) has no
# such conflict.
set(CPACK_DEBIAN_TOOLS_PACKAGE_CONFLICTS python3-websocket)

set(CPACK_DEBIAN_QML_PACKAGE_NAME qml6-module-wsclient)
set(CPACK_DEBIAN_QML_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_QML_DESCRIPTION "WebSocket client library for Qt 6 - QML module
${_wsclient_about}

The QML module WsClient (import WsClient) with the element WebSocketClient.")

include(CPack)
