#include "permessagedeflate.h"

#include "httpheaders.h"

#include <optional>

namespace WsClient::Protocol {

namespace {

constexpr QByteArrayView ServerNoContextTakeover = "server_no_context_takeover";
constexpr QByteArrayView ClientNoContextTakeover = "client_no_context_takeover";
constexpr QByteArrayView ServerMaxWindowBits = "server_max_window_bits";
constexpr QByteArrayView ClientMaxWindowBits = "client_max_window_bits";

bool validWindowBits(int bits)
{
    return bits >= CompressionOptions::MinWindowBits && bits <= CompressionOptions::MaxWindowBits;
}

struct Parameter
{
    QByteArrayView name;
    std::optional<QByteArray> value; // unquoted
};

// param = token [ "=" (token | quoted-string) ] (RFC 6455 §9.1); a quoted value is unescaped.
std::optional<Parameter> parseParameter(QByteArrayView text)
{
    Parameter parameter;
    const qsizetype equals = text.indexOf('=');
    parameter.name = trimmedOws(equals < 0 ? text : text.first(equals));
    if (!isHttpToken(parameter.name))
        return std::nullopt;
    if (equals < 0)
        return parameter;
    QByteArrayView raw = trimmedOws(text.sliced(equals + 1));
    if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
        QByteArray value;
        raw = raw.sliced(1, raw.size() - 2);
        for (qsizetype i = 0; i < raw.size(); ++i) {
            if (raw[i] == '\\' && i + 1 < raw.size())
                ++i;
            value.append(raw[i]);
        }
        parameter.value = value;
    } else {
        parameter.value = raw.toByteArray();
    }
    // After unquoting, a value must still be a token (RFC 6455 §9.1).
    if (!isHttpToken(*parameter.value))
        return std::nullopt;
    return parameter;
}

// Splits "name; p1; p2=v" on semicolons outside quoted strings.
template<typename Fn> void forEachSegment(QByteArrayView item, Fn &&fn)
{
    qsizetype start = 0;
    bool quoted = false;
    for (qsizetype i = 0; i <= item.size(); ++i) {
        if (i < item.size()) {
            if (item[i] == '\\' && quoted) {
                ++i;
                continue;
            }
            if (item[i] == '"')
                quoted = !quoted;
            if (quoted || item[i] != ';')
                continue;
        }
        fn(trimmedOws(item.sliced(start, i - start)));
        start = i + 1;
    }
}

// 8..15 written as digits without a leading zero (RFC 7692 §7.1.2.1).
std::optional<int> parseWindowBits(const std::optional<QByteArray> &value)
{
    if (!value || value->isEmpty() || value->front() == '0')
        return std::nullopt;
    bool ok = false;
    const int bits = value->toInt(&ok);
    if (!ok || !validWindowBits(bits) || value->size() > 2)
        return std::nullopt;
    return bits;
}

QString quote(QByteArrayView text)
{
    return QLatin1Char('"') + printableExcerpt(text) + QLatin1Char('"');
}

class ResponseCheck
{
public:
    ResponseCheck(const CompressionOptions &offered, CompressionOptions *agreed)
        : m_offered(offered), m_agreed(agreed)
    { }

    QString checkItem(QByteArrayView item)
    {
        bool first = true;
        forEachSegment(item, [&](QByteArrayView segment) {
            if (!m_problem.isNull())
                return;
            if (first) {
                first = false;
                checkName(segment);
            } else {
                checkParameter(segment);
            }
        });
        if (m_problem.isNull())
            checkRequestsAnswered();
        return m_problem;
    }

private:
    void fail(const QString &problem) { m_problem = QStringLiteral("permessage-deflate: ") + problem; }

    void checkName(QByteArrayView name)
    {
        if (!equalsIgnoringCase(name, PerMessageDeflateName))
            m_problem = QStringLiteral("Sec-WebSocket-Extensions %1 was not offered").arg(quote(name));
    }

    void checkParameter(QByteArrayView segment)
    {
        const std::optional<Parameter> parameter = parseParameter(segment);
        if (!parameter)
            return fail(QStringLiteral("malformed parameter %1").arg(quote(segment)));
        const QByteArrayView name = parameter->name;
        const auto once = [&](bool &seen) {
            if (seen)
                fail(QStringLiteral("parameter %1 given twice").arg(quote(name)));
            seen = true;
            return m_problem.isNull();
        };
        const auto noValue = [&] {
            if (parameter->value)
                fail(QStringLiteral("parameter %1 takes no value, got %2").arg(quote(name), quote(*parameter->value)));
            return m_problem.isNull();
        };
        if (equalsIgnoringCase(name, ServerNoContextTakeover)) {
            if (once(m_seenServerNoTakeover) && noValue())
                m_agreed->setServerNoContextTakeover(true);
        } else if (equalsIgnoringCase(name, ClientNoContextTakeover)) {
            // The server may ask for it unasked (RFC 7692 §7.1.1.2).
            if (once(m_seenClientNoTakeover) && noValue())
                m_agreed->setClientNoContextTakeover(true);
        } else if (equalsIgnoringCase(name, ServerMaxWindowBits)) {
            if (once(m_seenServerBits))
                checkServerWindow(parameter->value);
        } else if (equalsIgnoringCase(name, ClientMaxWindowBits)) {
            if (once(m_seenClientBits))
                checkClientWindow(parameter->value);
        } else {
            fail(QStringLiteral("unknown parameter %1").arg(quote(name)));
        }
    }

    void checkServerWindow(const std::optional<QByteArray> &value)
    {
        const std::optional<int> bits = parseWindowBits(value);
        if (!bits)
            return fail(QStringLiteral("server_max_window_bits must be 8..15, got %1")
                            .arg(value ? quote(*value) : QStringLiteral("no value")));
        // The server may limit its own window unasked, but not exceed a limit the client set.
        if (*bits > m_offered.serverMaxWindowBits())
            return fail(QStringLiteral("server_max_window_bits=%1 is above the %2 offered")
                            .arg(*bits)
                            .arg(m_offered.serverMaxWindowBits()));
        m_agreed->setServerMaxWindowBits(*bits);
    }

    void checkClientWindow(const std::optional<QByteArray> &value)
    {
        const std::optional<int> bits = parseWindowBits(value);
        if (!bits)
            return fail(QStringLiteral("client_max_window_bits must be 8..15, got %1")
                            .arg(value ? quote(*value) : QStringLiteral("no value")));
        if (*bits > m_offered.clientMaxWindowBits())
            return fail(QStringLiteral("client_max_window_bits=%1 is above the %2 offered")
                            .arg(*bits)
                            .arg(m_offered.clientMaxWindowBits()));
        m_agreed->setClientMaxWindowBits(*bits);
    }

    void checkRequestsAnswered()
    {
        // A requested limit on the server is a condition of the offer (RFC 7692 §7.1.1.1, §7.1.2.1).
        if (m_offered.serverNoContextTakeover() && !m_seenServerNoTakeover)
            fail(QStringLiteral("server_no_context_takeover was requested but not accepted"));
        else if (m_offered.serverMaxWindowBits() < CompressionOptions::MaxWindowBits && !m_seenServerBits)
            fail(QStringLiteral("server_max_window_bits=%1 was requested but not accepted")
                     .arg(m_offered.serverMaxWindowBits()));
    }

    const CompressionOptions &m_offered;
    CompressionOptions *m_agreed;
    QString m_problem;
    bool m_seenServerNoTakeover = false;
    bool m_seenClientNoTakeover = false;
    bool m_seenServerBits = false;
    bool m_seenClientBits = false;
};

} // namespace

QString compressionOptionsProblem(const CompressionOptions &options)
{
    if (!options.isEnabled())
        return QString();
    if (!validWindowBits(options.clientMaxWindowBits()))
        return QStringLiteral("compression: client max window bits must be 8..15, not %1")
            .arg(options.clientMaxWindowBits());
    if (!validWindowBits(options.serverMaxWindowBits()))
        return QStringLiteral("compression: server max window bits must be 8..15, not %1")
            .arg(options.serverMaxWindowBits());
    if (options.compressionLevel() < -1 || options.compressionLevel() > 9)
        return QStringLiteral("compression: level must be -1..9, not %1").arg(options.compressionLevel());
    if (options.memoryLevel() < 1 || options.memoryLevel() > 9)
        return QStringLiteral("compression: memory level must be 1..9, not %1").arg(options.memoryLevel());
    if (options.minimumSize() < 0)
        return QStringLiteral("compression: minimum size must not be negative");
    if (options.maxDecompressedSize() <= 0)
        return QStringLiteral("compression: the decompressed size limit must be positive");
    return QString();
}

QByteArray deflateOffer(const CompressionOptions &options)
{
    QByteArray offer(PerMessageDeflateName);
    if (options.clientNoContextTakeover())
        offer += "; client_no_context_takeover";
    if (options.serverNoContextTakeover())
        offer += "; server_no_context_takeover";
    offer += "; client_max_window_bits";
    if (options.clientMaxWindowBits() < CompressionOptions::MaxWindowBits)
        offer += '=' + QByteArray::number(options.clientMaxWindowBits());
    if (options.serverMaxWindowBits() < CompressionOptions::MaxWindowBits)
        offer += "; server_max_window_bits=" + QByteArray::number(options.serverMaxWindowBits());
    return offer;
}

QString negotiateDeflate(const CompressionOptions &offered, QByteArrayView accepted, CompressionOptions *agreed)
{
    *agreed = offered;
    // What the server answers replaces what was offered; only the client's own no-takeover stays.
    agreed->setServerNoContextTakeover(false);
    agreed->setServerMaxWindowBits(CompressionOptions::MaxWindowBits);
    int items = 0;
    QString problem;
    findListItem(accepted, [&](QByteArrayView item) {
        if (++items > 1)
            problem = QStringLiteral("permessage-deflate: the server accepted more than one extension item (%1)")
                          .arg(quote(accepted));
        else
            problem = ResponseCheck(offered, agreed).checkItem(item);
        return !problem.isNull();
    });
    if (!problem.isNull())
        return problem;
    agreed->setEnabled(items == 1);
    return QString();
}

} // namespace WsClient::Protocol
