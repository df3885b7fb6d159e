#pragma once

// Shared by the authentication integration tests: opening a socket in either style, checking an
// echo, and answering the authentication signals as an application would.

#include <WsClient/options.h>
#include <WsClient/websocket.h>

#include <QtNetwork/qauthenticator.h>
#include <QtTest/QtTest>

namespace AuthSupport {

constexpr int Wait = 20000;

/*!
    Opens \a ws at \a url: with \a blocking through waitForConnected() alone (no event loop, as a
    worker thread would), else with the event loop running until it connected or failed.
*/
inline bool openAndWait(
    WsClient::WebSocket &ws, const QUrl &url, const WsClient::ConnectOptions &options, bool blocking)
{
    ws.open(url, options);
    if (blocking)
        return ws.waitForConnected(Wait);
    (void)QTest::qWaitFor([&] { return ws.state() != WsClient::WebSocket::State::Connecting; }, Wait);
    return ws.isOpen();
}

/*! Empty when a text sent on \a ws comes back, else what went wrong. */
inline QString echoProblem(WsClient::WebSocket &ws)
{
    const QString text = QStringLiteral("authenticated \u00e9cho");
    if (ws.sendText(text) < 0)
        return QStringLiteral("send refused: ") + ws.errorString();
    const WsClient::Message reply = ws.receive(Wait);
    if (!reply.isValid() || reply.text() != text)
        return QStringLiteral("no echo: ") + ws.errorString();
    return QString();
}

/*! Answers authenticationRequired() or proxyAuthenticationRequired() with fixed credentials. */
struct Answerer
{
    Answerer(const QString &answerUser, const QString &answerPassword)
        : user(answerUser), password(answerPassword)
    { }

    QString user;
    QString password;
    int asked = 0;
    QString realm;
    QString scheme;

    void answer(QAuthenticator *authenticator)
    {
        ++asked;
        realm = authenticator->realm();
        scheme = authenticator->option(QStringLiteral("scheme")).toString();
        authenticator->setUser(user);
        authenticator->setPassword(password);
    }
    template<typename Emitter> void attach(Emitter *emitter)
    {
        QObject::connect(
            emitter, &Emitter::authenticationRequired, emitter, [this](QAuthenticator *a) { answer(a); });
    }
    template<typename Emitter> void attachProxy(Emitter *emitter)
    {
        QObject::connect(emitter, &Emitter::proxyAuthenticationRequired, emitter,
            [this](const WsClient::ProxyOptions &, QAuthenticator *a) { answer(a); });
    }
};

} // namespace AuthSupport
