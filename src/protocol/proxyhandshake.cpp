#include "proxyhandshake.h"

namespace WsClient::Protocol {

namespace {

constexpr char Socks4Version = 0x04;
constexpr char Socks5Version = 0x05;
constexpr char Socks5AuthVersion = 0x01;
constexpr quint8 Socks5NoAuth = 0x00;
constexpr quint8 Socks5UserPassword = 0x02;
constexpr quint8 Socks5NoAcceptableMethod = 0xff;
constexpr char SocksConnect = 0x01;
constexpr quint8 AtypIPv4 = 0x01;
constexpr quint8 AtypDomain = 0x03;
constexpr quint8 AtypIPv6 = 0x04;

void appendPort(QByteArray &out, quint16 port)
{
    out.append(char(port >> 8));
    out.append(char(port & 0xff));
}

QString hex(quint8 byte)
{
    return QStringLiteral("0x%1").arg(byte, 2, 16, QLatin1Char('0'));
}

} // namespace

QString socks5ReplyText(quint8 code)
{
    switch (code) {
    case 0x00:
        return QStringLiteral("succeeded");
    case 0x01:
        return QStringLiteral("general SOCKS server failure");
    case 0x02:
        return QStringLiteral("connection not allowed by ruleset");
    case 0x03:
        return QStringLiteral("network unreachable");
    case 0x04:
        return QStringLiteral("host unreachable");
    case 0x05:
        return QStringLiteral("connection refused");
    case 0x06:
        return QStringLiteral("TTL expired");
    case 0x07:
        return QStringLiteral("command not supported");
    case 0x08:
        return QStringLiteral("address type not supported");
    default:
        return QStringLiteral("unassigned reply code %1").arg(hex(code));
    }
}

QString socks4ReplyText(quint8 code)
{
    switch (code) {
    case 90:
        return QStringLiteral("request granted");
    case 91:
        return QStringLiteral("request rejected or failed");
    case 92:
        return QStringLiteral("request rejected: the proxy cannot reach the client's identd");
    case 93:
        return QStringLiteral("request rejected: identd reports a different user id");
    default:
        return QStringLiteral("unknown reply code %1").arg(code);
    }
}

ProxyHandshake::ProxyHandshake(ProxyOptions::Type type, const Target &target, const QString &user,
    const QString &password, AuthSession *auth)
    : m_type(type), m_target(target), m_user(user.toUtf8()), m_password(password.toUtf8()), m_auth(auth)
{
    if (!m_auth) {
        m_ownAuth = std::make_unique<AuthSession>(AuthSession::Side::Proxy);
        m_ownAuth->configure(user, password, type == ProxyOptions::Type::Http);
        m_auth = m_ownAuth.get();
    }
    switch (type) {
    case ProxyOptions::Type::Http:
        startHttp();
        break;
    case ProxyOptions::Type::Socks4:
    case ProxyOptions::Type::Socks4a:
        startSocks4();
        break;
    case ProxyOptions::Type::Socks5:
    case ProxyOptions::Type::Socks5h:
        startSocks5();
        break;
    default:
        fail(QStringLiteral("no proxy type given"));
        break;
    }
}

QString ProxyHandshake::protocolName() const
{
    switch (m_type) {
    case ProxyOptions::Type::Http:
        return QStringLiteral("HTTP CONNECT");
    case ProxyOptions::Type::Socks4:
        return QStringLiteral("SOCKS4");
    case ProxyOptions::Type::Socks4a:
        return QStringLiteral("SOCKS4a");
    case ProxyOptions::Type::Socks5:
        return QStringLiteral("SOCKS5");
    case ProxyOptions::Type::Socks5h:
        return QStringLiteral("SOCKS5h");
    default:
        return QStringLiteral("proxy");
    }
}

QByteArray ProxyHandshake::takeOutgoing()
{
    return std::exchange(m_outgoing, QByteArray());
}

qsizetype ProxyHandshake::fail(const QString &why, Error error)
{
    if (m_state != State::Failed) {
        m_state = State::Failed;
        m_error = error;
        m_errorString = protocolName() + QStringLiteral(" proxy: ") + why;
    }
    m_outgoing.clear();
    return 0;
}

qsizetype ProxyHandshake::challenged(const AuthVerdict &verdict, const QString &context)
{
    m_challengeContext = context;
    if (verdict.action == AuthVerdict::Action::Fail) {
        fail(QString(), verdict.error);
        m_errorString = challengeFailureText(verdict);
        return 0;
    }
    m_verdict = verdict;
    m_state = State::Challenged;
    m_outgoing.clear();
    return 0;
}

QString ProxyHandshake::challengeFailureText(const AuthVerdict &verdict) const
{
    return QStringLiteral("%1 proxy: %2%3")
        .arg(protocolName(), verdict.message,
            m_challengeContext.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_challengeContext));
}

qsizetype ProxyHandshake::feed(QByteArrayView data)
{
    if (m_state != State::Running || data.isEmpty())
        return 0;
    switch (m_step) {
    case Step::HttpReply:
        return feedHttp(data);
    case Step::Socks4Reply:
        return feedSocks4(data);
    case Step::Socks5Method:
        return feedSocks5Method(data);
    case Step::Socks5Auth:
        return feedSocks5Auth(data);
    case Step::Socks5Reply:
        return feedSocks5Reply(data);
    }
    return 0;
}

// --- HTTP CONNECT --------------------------------------------------------------------------

void ProxyHandshake::startHttp()
{
    const bool v6 = m_target.host.contains(QLatin1Char(':'));
    const QByteArray authority = (v6 ? '[' + m_target.host.toLatin1() + ']' : m_target.host.toLatin1()) + ':'
        + QByteArray::number(m_target.port);
    if (m_target.host.contains(QLatin1Char('\r')) || m_target.host.contains(QLatin1Char('\n'))) {
        fail(QStringLiteral("the target host contains a line break"));
        return;
    }
    m_outgoing = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    // Called for every CONNECT, with or without credentials, so the session can judge the answer.
    const QByteArray authorization = m_auth->authorization("CONNECT", authority);
    if (!authorization.isEmpty())
        m_outgoing += m_auth->fieldName() + ": " + authorization + "\r\n";
    m_outgoing += "\r\n";
    m_step = Step::HttpReply;
}

qsizetype ProxyHandshake::feedHttp(QByteArrayView data)
{
    // The caller offers everything it has read so far each time (it consumes only what belongs to
    // the handshake): the parser sees each byte once.
    const QByteArrayView fresh = data.sliced(qMin(m_httpFed, data.size()));
    qsizetype used = 0;
    const HttpResponseParser::Status status = m_http.feed(fresh, &used);
    const qsizetype lineEnd = data.indexOf('\n');
    QByteArrayView statusLine = lineEnd < 0 ? data : data.first(lineEnd);
    if (statusLine.endsWith('\r'))
        statusLine.chop(1);
    const QString shown = QString::fromLatin1(statusLine.first(qMin<qsizetype>(statusLine.size(), 200)));
    if (status == HttpResponseParser::Status::NeedMore) {
        m_httpFed = data.size();
        return 0;
    }
    if (status == HttpResponseParser::Status::Failed) {
        if (!data.startsWith(QByteArrayView("HTTP/").first(qMin<qsizetype>(5, data.size()))))
            return fail(QStringLiteral("not an HTTP answer: \"%1\"").arg(shown));
        if (m_http.errorString().contains(QLatin1String("exceeds")))
            return fail(QStringLiteral("answer head longer than %1 bytes").arg(MaxHttpHead));
        if (m_http.errorString().contains(QLatin1String("status line")))
            return fail(QStringLiteral("malformed status line \"%1\"").arg(shown));
        return fail(QStringLiteral("malformed answer: %1").arg(m_http.errorString()));
    }
    const int statusCode = m_http.statusCode();
    const qsizetype headEnd = m_httpFed + used;
    // RFC 9110 §9.3.6: any 2xx answer switches the connection to tunnel mode.
    if (statusCode / 100 == 2) {
        m_state = State::Done;
        return headEnd;
    }
    // 407 is the proxy's own challenge; tinyproxy 1.11 answers wrong credentials with 401 and
    // WWW-Authenticate.
    if (statusCode == 407 || statusCode == 401) {
        QList<AuthChallenge> offered = parseChallenges(m_http.headers(), m_auth->challengeFieldName());
        if (offered.isEmpty() && statusCode == 401)
            offered = parseChallenges(m_http.headers(), "WWW-Authenticate");
        if (offered.isEmpty())
            return fail(
                QStringLiteral("authentication required, without a challenge to answer (\"%1\")").arg(shown));
        challenged(m_auth->challenged(offered), QStringLiteral("\"%1\"").arg(shown));
        return hasFailed() ? 0 : headEnd;
    }
    return fail(
        QStringLiteral("CONNECT to %1:%2 refused: \"%3\"").arg(m_target.host).arg(m_target.port).arg(shown));
}

// --- SOCKS4 / SOCKS4a ----------------------------------------------------------------------

void ProxyHandshake::startSocks4()
{
    m_step = Step::Socks4Reply;
    const bool haveAddress = m_target.address.size() == 4;
    if (m_type == ProxyOptions::Type::Socks4 && !haveAddress) {
        fail(m_target.address.size() == 16
                ? QStringLiteral("SOCKS4 carries IPv4 addresses only, %1 has none").arg(m_target.host)
                : QStringLiteral("no IPv4 address for %1").arg(m_target.host));
        return;
    }
    if (m_user.contains('\0')) {
        fail(QStringLiteral("the user id contains a NUL byte"));
        return;
    }
    QByteArray request;
    request.append(Socks4Version);
    request.append(SocksConnect);
    appendPort(request, m_target.port);
    if (haveAddress) {
        request.append(m_target.address);
    } else {
        // SOCKS4a: an address 0.0.0.x (x != 0) tells the proxy a name follows the user id.
        request.append(QByteArray("\0\0\0\1", 4));
    }
    request.append(m_user);
    request.append('\0');
    if (!haveAddress) {
        const QByteArray name = m_target.host.toUtf8();
        if (name.isEmpty() || name.contains('\0')) {
            fail(QStringLiteral("invalid host name"));
            return;
        }
        request.append(name);
        request.append('\0');
    }
    m_outgoing = request;
}

qsizetype ProxyHandshake::feedSocks4(QByteArrayView data)
{
    constexpr qsizetype ReplySize = 8;
    if (quint8(data.at(0)) != 0)
        return fail(
            QStringLiteral("not a SOCKS4 reply (first byte %1, expected 0x00)").arg(hex(quint8(data.at(0)))));
    if (data.size() < ReplySize)
        return 0;
    const quint8 code = quint8(data.at(1));
    if (code == 90) {
        m_state = State::Done;
        return ReplySize;
    }
    if (code < 90 || code > 93)
        return fail(QStringLiteral("not a SOCKS4 reply (reply code %1)").arg(code));
    return fail(QStringLiteral("%1 (reply %2) for %3:%4")
                    .arg(socks4ReplyText(code))
                    .arg(code)
                    .arg(m_target.host)
                    .arg(m_target.port));
}

// --- SOCKS5 / SOCKS5h ----------------------------------------------------------------------

void ProxyHandshake::startSocks5()
{
    const bool withAuth = m_auth->startUsernamePasswordRequest();
    m_user = m_auth->user().toUtf8();
    m_password = m_auth->password().toUtf8();
    if (withAuth && (m_user.size() > 255 || m_password.size() > 255)) {
        fail(QStringLiteral("user name and password are limited to 255 bytes (RFC 1929)"));
        return;
    }
    if (m_target.address.isEmpty()) {
        if (m_type == ProxyOptions::Type::Socks5) {
            fail(QStringLiteral("no address for %1").arg(m_target.host));
            return;
        }
        if (m_target.host.toUtf8().size() > 255 || m_target.host.isEmpty()) {
            fail(QStringLiteral("a host name must be 1 to 255 bytes"));
            return;
        }
    }
    m_outgoing.append(Socks5Version);
    if (withAuth) {
        m_outgoing.append(char(2));
        m_outgoing.append(char(Socks5NoAuth));
        m_outgoing.append(char(Socks5UserPassword));
    } else {
        m_outgoing.append(char(1));
        m_outgoing.append(char(Socks5NoAuth));
    }
    m_step = Step::Socks5Method;
}

qsizetype ProxyHandshake::feedSocks5Method(QByteArrayView data)
{
    if (data.at(0) != Socks5Version)
        return fail(QStringLiteral("not a SOCKS5 reply (version byte %1)").arg(hex(quint8(data.at(0)))));
    if (data.size() < 2)
        return 0;
    const quint8 method = quint8(data.at(1));
    const bool offeredAuth = !m_user.isEmpty() || !m_password.isEmpty();
    if (method == Socks5NoAcceptableMethod) {
        if (offeredAuth)
            return fail(
                QStringLiteral("no acceptable authentication method (offered none and username/password)"));
        return challenged(m_auth->usernamePasswordRequired(), QString());
    }
    if (method == Socks5NoAuth) {
        sendSocks5Connect();
        return 2;
    }
    if (method == Socks5UserPassword && offeredAuth) {
        m_outgoing.append(Socks5AuthVersion);
        m_outgoing.append(char(m_user.size()));
        m_outgoing.append(m_user);
        m_outgoing.append(char(m_password.size()));
        m_outgoing.append(m_password);
        m_step = Step::Socks5Auth;
        return 2;
    }
    return fail(
        QStringLiteral("the proxy chose authentication method %1, which was not offered").arg(hex(method)));
}

qsizetype ProxyHandshake::feedSocks5Auth(QByteArrayView data)
{
    if (data.at(0) != Socks5AuthVersion)
        return fail(
            QStringLiteral("not a username/password reply (version byte %1)").arg(hex(quint8(data.at(0)))));
    if (data.size() < 2)
        return 0;
    if (data.at(1) != 0)
        return challenged(
            m_auth->usernamePasswordRequired(), QStringLiteral("status %1").arg(hex(quint8(data.at(1)))));
    sendSocks5Connect();
    return 2;
}

void ProxyHandshake::sendSocks5Connect()
{
    QByteArray request;
    request.append(Socks5Version);
    request.append(SocksConnect);
    request.append('\0');
    if (m_target.address.size() == 4) {
        request.append(char(AtypIPv4));
        request.append(m_target.address);
    } else if (m_target.address.size() == 16) {
        request.append(char(AtypIPv6));
        request.append(m_target.address);
    } else {
        const QByteArray name = m_target.host.toUtf8();
        request.append(char(AtypDomain));
        request.append(char(name.size()));
        request.append(name);
    }
    appendPort(request, m_target.port);
    m_outgoing.append(request);
    m_step = Step::Socks5Reply;
}

qsizetype ProxyHandshake::feedSocks5Reply(QByteArrayView data)
{
    if (data.at(0) != Socks5Version)
        return fail(QStringLiteral("not a SOCKS5 reply (version byte %1)").arg(hex(quint8(data.at(0)))));
    if (data.size() < 5)
        return 0;
    const quint8 code = quint8(data.at(1));
    if (data.at(2) != 0)
        return fail(QStringLiteral("not a SOCKS5 reply (reserved byte %1)").arg(hex(quint8(data.at(2)))));
    qsizetype addressSize;
    switch (quint8(data.at(3))) {
    case AtypIPv4:
        addressSize = 4;
        break;
    case AtypIPv6:
        addressSize = 16;
        break;
    case AtypDomain:
        addressSize = 1 + quint8(data.at(4));
        break;
    default:
        return fail(QStringLiteral("not a SOCKS5 reply (address type %1)").arg(hex(quint8(data.at(3)))));
    }
    if (code != 0)
        return fail(QStringLiteral("%1 (reply %2) for %3:%4")
                        .arg(socks5ReplyText(code))
                        .arg(code)
                        .arg(m_target.host)
                        .arg(m_target.port));
    const qsizetype size = 4 + addressSize + 2;
    if (data.size() < size)
        return 0;
    m_state = State::Done;
    return size;
}

} // namespace WsClient::Protocol
