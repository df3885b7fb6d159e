#include "hexdump.h"

namespace {

constexpr qsizetype BytesPerLine = 16;

char printable(char c)
{
    return c >= 0x20 && c < 0x7f ? c : '.';
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

bool isSeparator(QChar c)
{
    return c.isSpace() || c == QLatin1Char(',') || c == QLatin1Char(':');
}

} // namespace

QString hexDump(const QByteArray &data, qsizetype maxBytes)
{
    static const char digits[] = "0123456789abcdef";
    const qsizetype shown = qMin(data.size(), maxBytes);
    // Built as Latin-1 bytes: one QString conversion at the end instead of one per byte.
    QByteArray out;
    out.reserve((shown / BytesPerLine + 1) * 80);
    for (qsizetype line = 0; line < shown; line += BytesPerLine) {
        out += QByteArray::number(line, 16).rightJustified(8, '0');
        out += "  ";
        const qsizetype end = qMin(line + BytesPerLine, shown);
        for (qsizetype i = line; i < line + BytesPerLine; ++i) {
            if (i < end) {
                const auto byte = quint8(data.at(i));
                out += digits[byte >> 4];
                out += digits[byte & 0xf];
                out += ' ';
            } else {
                out += "   ";
            }
            if (i - line == BytesPerLine / 2 - 1)
                out += ' ';
        }
        out += " |";
        for (qsizetype i = line; i < end; ++i)
            out += printable(data.at(i));
        out += "|\n";
    }
    QString text = QString::fromLatin1(out);
    if (shown < data.size())
        text += QStringLiteral("… %1 more bytes not shown\n").arg(data.size() - shown);
    return text;
}

QString hexPreview(const QByteArray &data, qsizetype maxBytes)
{
    QString text = QString::fromLatin1(data.left(maxBytes).toHex(' '));
    if (data.size() > maxBytes)
        text += QStringLiteral(" …");
    return text;
}

bool parseHex(const QString &text, QByteArray *bytes, QString *error)
{
    QByteArray out;
    out.reserve(text.size() / 2);
    int high = -1;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (isSeparator(c)) {
            if (high >= 0) {
                *error = QStringLiteral("a byte needs two hex digits (at character %1)").arg(i + 1);
                return false;
            }
            continue;
        }
        if (high < 0 && c == QLatin1Char('0') && i + 1 < text.size()
            && (text.at(i + 1) == QLatin1Char('x') || text.at(i + 1) == QLatin1Char('X'))) {
            ++i;
            continue;
        }
        const int value = hexValue(c);
        if (value < 0) {
            *error = QStringLiteral("'%1' is not a hex digit (at character %2)").arg(c).arg(i + 1);
            return false;
        }
        if (high < 0) {
            high = value;
        } else {
            out += char(high << 4 | value);
            high = -1;
        }
    }
    if (high >= 0) {
        *error = QStringLiteral("odd number of hex digits");
        return false;
    }
    *bytes = out;
    return true;
}
