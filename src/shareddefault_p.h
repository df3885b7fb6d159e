#pragma once

#include <QtCore/qshareddata.h>

namespace WsClient {

/*!
    The d-pointer a default-constructed value class starts with: one instance shared by all of them
    and detached by the first setter, so that a default ConnectOptions (one per WebSocket, and often
    one per open()) costs no allocation; SslOptions' default alone builds a QSslConfiguration.
*/
template<typename Private> const QSharedDataPointer<Private> &sharedDefault()
{
    static const QSharedDataPointer<Private> instance(new Private);
    return instance;
}

} // namespace WsClient
