// libFuzzer target for HTTP authentication: challenge lists through parseChallenges and an
// AuthSession answering them round after round, as a hostile server or proxy would drive it.
//
// Input layout:
//   byte 0   flags: bit 0 the proxy side, bit 1 configured credentials (ProxyOptions-style
//            preemptive Basic on the proxy side), bit 2 the application answers when asked,
//            bit 3 the answer differs from the configured credentials, bit 4 the first
//            challenge line is repeated for every round (a server that never gives in)
//   byte 1   length U of the user name, then U bytes (UTF-8, may hold ':' or non-ASCII)
//   rest     challenge lines, one WWW-Authenticate / Proxy-Authenticate value per '\n'
//
// Checked: every parsed challenge has a token scheme unless malformed; each parameter value
// survives quotedString() and parsing again; what authorization() returns is one line (no CR, LF,
// NUL) that parses back as one Basic or Digest credential, a Digest one naming the request's uri;
// the verdicts follow the rules (Ask only before answered(), Retry only with credentials), and a
// server repeating one challenge is done with within 4 rounds whatever the application answers.

#include "fuzzsupport.h"

#include "protocol/authsession.h"

#include <QtCore/qbytearraylist.h>

using namespace WsClient;
using namespace WsClient::Protocol;
using WsClient::Fuzz::InputReader;
using Action = AuthVerdict::Action;

namespace {

constexpr int MaxRounds = 16;

void checkParsed(const QList<AuthChallenge> &challenges)
{
    for (const AuthChallenge &c : challenges) {
        FUZZ_CHECK(c.malformed || isHttpToken(c.scheme));
        FUZZ_CHECK(c.token68.isEmpty() || c.params.isEmpty());
        for (const auto &param : c.params) {
            FUZZ_CHECK(isHttpToken(param.first));
            const QList<AuthChallenge> again
                = parseChallenges(QByteArray("X p=" + quotedString(param.second)));
            FUZZ_CHECK(again.size() == 1 && !again.first().malformed);
            FUZZ_CHECK(again.first().param("p") == param.second);
        }
    }
}

void checkAuthorization(const QByteArray &value, QByteArrayView uri)
{
    if (value.isEmpty())
        return;
    FUZZ_CHECK(!containsLineBreak(value));
    const QList<AuthChallenge> sent = parseChallenges(value);
    FUZZ_CHECK(sent.size() == 1);
    const AuthChallenge &credential = sent.first();
    FUZZ_CHECK(!credential.malformed);
    if (credential.scheme == "Basic") {
        FUZZ_CHECK(!credential.token68.isEmpty());
        return;
    }
    FUZZ_CHECK(credential.scheme == "Digest");
    FUZZ_CHECK(credential.param("uri") == uri);
    FUZZ_CHECK(credential.param("response").size() == 32 || credential.param("response").size() == 64);
    FUZZ_CHECK(!credential.param("username").isNull() || !credential.param("username*").isNull());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    InputReader in(data, size);
    const uint8_t flags = in.byte();
    const bool proxy = flags & 1;
    size_t userSize = 0;
    const uint8_t *userBytes = in.take(in.byte(), &userSize);
    const QString user = QString::fromUtf8(reinterpret_cast<const char *>(userBytes), qsizetype(userSize));
    const QByteArray rest(reinterpret_cast<const char *>(in.rest()), qsizetype(in.remaining()));
    QByteArrayList lines = rest.split('\n');
    const bool repeat = flags & 16;

    AuthSession session(proxy ? AuthSession::Side::Proxy : AuthSession::Side::Server);
    session.setOrigin(QStringLiteral("ws://fuzz:80"));
    if (flags & 2)
        session.configure(user, QStringLiteral("configured"), proxy);
    const QString answerPassword = (flags & 8) ? QStringLiteral("answered") : QStringLiteral("configured");
    const QByteArray method = proxy ? "CONNECT" : "GET";
    const QByteArray uri = proxy ? "fuzz:443" : "/chat?x=1";

    int rounds = 0;
    for (int i = 0; i < MaxRounds && i < (repeat ? MaxRounds : lines.size()); ++i) {
        const QByteArray &line = lines.at(repeat ? 0 : i);
        const QByteArray sent = session.authorization(method, uri);
        checkAuthorization(sent, uri);
        const QList<AuthChallenge> challenges = parseChallenges(line);
        checkParsed(challenges);
        AuthVerdict verdict = session.challenged(challenges);
        if (verdict.action == Action::AskCredentials) {
            // A second answer without a new question is refused.
            verdict
                = session.answered((flags & 4) ? user : QString(), (flags & 4) ? answerPassword : QString());
            FUZZ_CHECK(verdict.action != Action::AskCredentials);
            FUZZ_CHECK(session.answered(user, answerPassword).action == Action::Fail);
        }
        if (verdict.action == Action::Retry)
            FUZZ_CHECK(session.hasCredentials());
        if (verdict.action == Action::Fail) {
            FUZZ_CHECK(verdict.error != Error::NoError);
            FUZZ_CHECK(!verdict.message.isEmpty());
            break;
        }
        ++rounds;
    }
    // One challenge over and over: every answer is tried once, a stale nonce once more.
    if (repeat)
        FUZZ_CHECK(rounds <= 4);
    return 0;
}
