#include "utf8validator.h"

namespace WsClient::Protocol {

bool Utf8Validator::feed(const char *data, qsizetype size) noexcept
{
    if (m_state == Reject)
        return false;
    auto s = reinterpret_cast<const uchar *>(data);
    // Whatever is left open (a code point split between pieces) carries over to the next piece.
    m_state = Utf8Dfa::run(m_state, s, s + size);
    return m_state != Reject;
}

bool Utf8Validator::isValid(QByteArrayView data) noexcept
{
    Utf8Validator v;
    return v.feed(data) && v.isComplete();
}

} // namespace WsClient::Protocol
