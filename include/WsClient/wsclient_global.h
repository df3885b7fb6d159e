#pragma once

#include <QtCore/qglobal.h>

#if defined(WSCLIENT_STATIC)
#define WSCLIENT_EXPORT
#elif defined(WSCLIENT_LIBRARY)
#define WSCLIENT_EXPORT Q_DECL_EXPORT
#else
#define WSCLIENT_EXPORT Q_DECL_IMPORT
#endif

#define WSCLIENT_VERSION_STR "0.1.0"
#define WSCLIENT_VERSION QT_VERSION_CHECK(0, 1, 0)
