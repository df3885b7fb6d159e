#pragma once

#include <QtCore/qglobal.h>

#if defined(WSCLIENT_STATIC)
#define WSCLIENT_EXPORT
#elif defined(WSCLIENT_LIBRARY)
#define WSCLIENT_EXPORT Q_DECL_EXPORT
#else
#define WSCLIENT_EXPORT Q_DECL_IMPORT
#endif

// WSCLIENT_VERSION_STR, WSCLIENT_VERSION (QT_VERSION_CHECK form) and WSCLIENT_VERSION_MAJOR/MINOR/PATCH,
// generated from project(VERSION) into the build tree and installed next to this header.
#include <WsClient/wsclient_version.h>
