#include <WsClient/error.h>

#include <QtCore/qmetaobject.h>

namespace WsClient {

QString errorName(Error error)
{
    const QMetaEnum e = QMetaEnum::fromType<Error>();
    const char *key = e.valueToKey(int(error));
    return key ? QString::fromLatin1(key) : QString::number(int(error));
}

} // namespace WsClient
