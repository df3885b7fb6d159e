#include "clienthandshake.h"

#include "permessagedeflate.h"

#include <algorithm>

namespace WsClient::Protocol {

ClientHandshake::ClientHandshake(const Config &config)
    : m_offeredSubprotocols(config.request.subprotocols),
      m_offer(config.compression),
      m_url(config.url),
      m_redirectLimit(config.redirectLimit),
      m_redirectsFollowed(config.redirectsFollowed),
      m_canRedirect(config.canRedirect),
      m_response(config.maxHeaderSize),
      m_status(Status::Running)
{
    HandshakeRequestParams params = config.request;
    if (config.compression.isEnabled())
        params.extensions = deflateOffer(config.compression);
    const auto isAuthorization
        = [](const auto &field) { return equalsIgnoringCase(field.first, "Authorization"); };
    if (config.crossOrigin)
        params.headers.removeIf(isAuthorization);
    if (config.canRedirect && !std::any_of(params.headers.cbegin(), params.headers.cend(), isAuthorization))
        m_auth = config.auth;
    if (m_auth) // called for every request, so that the session knows what this one carried
        params.authorization = m_auth->authorization(
            "GET", params.url.resource.isEmpty() ? QByteArrayView("/") : QByteArrayView(params.url.resource));
    m_request = buildHandshakeRequest(params);
    if (m_request.error != Error::NoError)
        fail(m_request.error, m_request.errorString);
}

HeaderList ClientHandshake::requestHeaders() const
{
    if (!m_request.headers.isEmpty())
        return m_request.headers;
    HeaderList fields;
    const QList<QByteArray> lines = m_request.bytes.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) { // after the request line
        const QByteArray line = lines.at(i).endsWith('\r') ? lines.at(i).chopped(1) : lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        fields.append({ line.left(colon), trimmedOws(QByteArrayView(line).sliced(colon + 1)).toByteArray() });
    }
    return fields;
}

qsizetype ClientHandshake::feed(QByteArrayView data)
{
    if (m_status != Status::Running)
        return 0;
    if (m_readingBody)
        return takeBody(data);
    qsizetype used = 0;
    const HttpResponseParser::Status head = m_response.feed(data, &used);
    if (head == HttpResponseParser::Status::Failed) {
        fail(m_response.error(), m_response.errorString());
        return used;
    }
    if (head == HttpResponseParser::Status::NeedMore)
        return used;
    judge();
    if (m_readingBody)
        used += takeBody(data.sliced(used));
    return used;
}

void ClientHandshake::judge()
{
    HandshakeExpectations expected;
    expected.key = m_request.key;
    expected.subprotocols = m_offeredSubprotocols;
    if (m_offer.isEnabled())
        expected.extensions.append(QByteArray(PerMessageDeflateName));
    expected.requestUrl = m_url;
    m_outcome = evaluateHandshake(m_response, expected);

    switch (m_outcome.kind) {
    case ResponseKind::Upgrade: {
        const QString problem = negotiateDeflate(m_offer, m_outcome.extensions, &m_compression);
        if (!problem.isNull()) {
            fail(Error::Compression, problem);
            return;
        }
        m_status = Status::Open;
        return;
    }
    case ResponseKind::Redirect:
        if (!m_canRedirect) {
            fail(Error::Handshake,
                QStringLiteral("redirect to %1 cannot be followed on a user-supplied device")
                    .arg(m_outcome.redirectUrl.toDisplayString()));
        } else if (m_redirectsFollowed >= m_redirectLimit) {
            fail(Error::TooManyRedirects,
                QStringLiteral("too many redirects: the limit is %1, next Location was %2")
                    .arg(m_redirectLimit)
                    .arg(m_outcome.redirectUrl.toDisplayString()));
        } else {
            m_status = Status::Redirect;
        }
        return;
    case ResponseKind::BadStatus:
        if (m_auth && m_response.statusCode() == 401) {
            const QList<AuthChallenge> offered
                = parseChallenges(m_response.headers(), m_auth->challengeFieldName());
            if (!offered.isEmpty()) {
                m_authVerdict = std::make_unique<AuthVerdict>(m_auth->challenged(offered));
                if (m_authVerdict->action == AuthVerdict::Action::Retry) {
                    m_status = Status::Challenged;
                    return;
                }
            }
        }
        m_readingBody = true;
        m_bodyExpected = m_response.contentLength();
        if (m_bodyExpected == 0)
            finishBadStatus();
        return;
    case ResponseKind::Invalid:
        fail(m_outcome.error, m_outcome.errorString);
        return;
    }
}

qsizetype ClientHandshake::takeBody(QByteArrayView data)
{
    qsizetype room = MaxBadStatusBody - m_body.size();
    if (m_bodyExpected >= 0)
        room = qMin<qsizetype>(room, qsizetype(m_bodyExpected - m_body.size()));
    const qsizetype n = qMin(room, data.size());
    m_body.append(data.first(n));
    if (m_body.size() >= MaxBadStatusBody || (m_bodyExpected >= 0 && m_body.size() >= m_bodyExpected))
        finishBadStatus();
    return n;
}

void ClientHandshake::endOfStream(const QString &target, const QString &cause)
{
    if (m_status != Status::Running)
        return;
    if (m_readingBody) {
        finishBadStatus();
        return;
    }
    fail(Error::Network,
        QStringLiteral("%1 closed the connection during the opening handshake%2")
            .arg(target, cause.isEmpty() ? QString() : QStringLiteral(": ") + cause));
}

void ClientHandshake::bodyTimedOut()
{
    if (awaitingBody())
        finishBadStatus();
}

void ClientHandshake::finishBadStatus()
{
    m_readingBody = false;
    if (!m_authVerdict) {
        fail(Error::BadStatus, m_outcome.errorString);
    } else if (m_authVerdict->action == AuthVerdict::Action::AskCredentials) {
        m_status = Status::Challenged; // the body is kept, should the application give nothing
    } else {
        m_status = Status::Failed;
        m_failure = challengeFailure(*m_authVerdict);
    }
}

const AuthVerdict &ClientHandshake::authVerdict() const
{
    static const AuthVerdict none;
    return m_authVerdict ? *m_authVerdict : none;
}

Failure ClientHandshake::challengeFailure(const AuthVerdict &verdict) const
{
    return { verdict.error, CloseCode::Abnormal,
        m_outcome.errorString + QStringLiteral(": ") + verdict.message };
}

void ClientHandshake::fail(Error error, const QString &why)
{
    m_status = Status::Failed;
    m_failure = { error, CloseCode::Abnormal, why };
}

} // namespace WsClient::Protocol
