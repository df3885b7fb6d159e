#include "httpheaders.h"

namespace WsClient::Protocol {

namespace {

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

} // namespace

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

QByteArray headerValue(const HeaderList &headers, QByteArrayView name)
{
    for (const auto &field : headers) {
        if (equalsIgnoringCase(field.first, name))
            return field.second;
    }
    return QByteArray();
}

QByteArray combinedHeaderValue(const HeaderList &headers, QByteArrayView name)
{
    QByteArray combined;
    for (const auto &field : headers) {
        if (!equalsIgnoringCase(field.first, name))
            continue;
        if (field.second.isEmpty()) {
            if (combined.isNull())
                combined = QByteArray(""); // present, so not null
            continue;
        }
        if (!combined.isEmpty())
            combined += ", ";
        combined += field.second;
    }
    return combined;
}

bool headerHasToken(const HeaderList &headers, QByteArrayView name, QByteArrayView token)
{
    const auto isToken = [token](QByteArrayView item) { return equalsIgnoringCase(item, token); };
    for (const auto &field : headers) {
        if (equalsIgnoringCase(field.first, name) && findListItem(field.second, isToken))
            return true;
    }
    return false;
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

bool containsLineBreak(QByteArrayView text)
{
    for (const char c : text) {
        if (c == '\r' || c == '\n' || c == '\0')
            return true;
    }
    return false;
}

bool isHttpToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

QByteArrayView trimmedOws(QByteArrayView text)
{
    qsizetype begin = 0;
    qsizetype end = text.size();
    while (begin < end && isOws(text[begin]))
        ++begin;
    while (end > begin && isOws(text[end - 1]))
        --end;
    return text.sliced(begin, end - begin);
}

QString printableExcerpt(QByteArrayView bytes, qsizetype maxLength)
{
    const QByteArrayView shown = bytes.first(qMin(bytes.size(), maxLength));
    QString text;
    text.reserve(shown.size() + 3);
    for (const char c : shown) {
        const auto byte = uchar(c);
        if (byte >= 0x20 && byte < 0x7F)
            text += QLatin1Char(c);
        else
            text += QStringLiteral("\\x") + QString::number(byte, 16).rightJustified(2, QLatin1Char('0'));
    }
    if (shown.size() < bytes.size())
        text += QLatin1String("...");
    return text;
}

} // namespace WsClient::Protocol
