#pragma once

#include <WsClient/wsclient_global.h>

#include <QtCore/qloggingcategory.h>

namespace WsClient {

/*!
    The logging category "wsclient.trace": request and response headers, every frame sent and
    received, proxy and TLS steps. Off by default; turn it on with enableTrace(true) or
    QT_LOGGING_RULES="wsclient.trace.debug=true".
*/
WSCLIENT_EXPORT const QLoggingCategory &lcTrace();

/*! Turns the trace category on or off (websocket-client's enableTrace). */
WSCLIENT_EXPORT void enableTrace(bool on);

} // namespace WsClient
