#pragma once

#include <WsClient/websocket.h>

namespace WsClient {

/*! The name of \a state, as WebSocket::State spells it (for messages). */
QString stateName(WebSocket::State state);

} // namespace WsClient
