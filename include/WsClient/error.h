#pragma once

#include <WsClient/enums.h>

#include <QtCore/qstring.h>

namespace WsClient {

/*! Returns the enumerator's name, such as "BadStatus", for logs and tools. */
WSCLIENT_EXPORT QString errorName(Error error);

} // namespace WsClient
