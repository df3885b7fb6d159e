// The coroutine examples (examples/coro) run as processes against python3-websockets: coro-client's
// echo and long-lived modes, and coro-chat's scripted session (offscreen).
#include "testserver.h"

#include <QtCore/qprocess.h>
#include <QtTest/qtest.h>

namespace {

struct Run
{
    int exitCode = -1;
    QStringList lines;
};

Run run(const QString &program, const QStringList &arguments)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(env);
    process.start(program, arguments);
    Run result;
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.lines
        = QString::fromUtf8(process.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return result;
}

} // namespace

class tst_CoroExamples : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void echo()
    {
        TestServer server = TestServer::python();
        WSCLIENT_REQUIRE_SERVER(server);
        const Run r
            = run(QStringLiteral(CORO_CLIENT_PATH), { QStringLiteral("echo"), server.url().toString() });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines.mid(1),
            QStringList({ QStringLiteral("> Hello, World"), QStringLiteral("< Hello, World"),
                QStringLiteral("> Grüße aus Köln ✓"), QStringLiteral("< Grüße aus Köln ✓"),
                QStringLiteral("> binary 00 ff 10 20 7f 80"), QStringLiteral("< binary 00 ff 10 20 7f 80"),
                QStringLiteral("closed: code 1000 (clean)") }));
        // A refused port is an error value, printed, and the exit code.
        const Run refused = run(QStringLiteral(CORO_CLIENT_PATH),
            { QStringLiteral("echo"), QStringLiteral("ws://127.0.0.1:1/") });
        QCOMPARE(refused.exitCode, 1);
        QVERIFY(refused.lines.value(0).startsWith(QLatin1String("error: ConnectionRefused")));
    }

    void longLived()
    {
        TestServer server = TestServer::python();
        WSCLIENT_REQUIRE_SERVER(server);
        const Run r = run(QStringLiteral(CORO_CLIENT_PATH),
            { QStringLiteral("app"), server.url().toString(), QStringLiteral("--send"), QStringLiteral("hi"),
                QStringLiteral("--count"), QStringLiteral("1") });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines,
            QStringList({ QStringLiteral("Opened connection"), QStringLiteral("hi"),
                QStringLiteral("### closed ### 1000 done") }));
    }

    void widgets()
    {
#ifndef CORO_CHAT_PATH
        QSKIP("Qt Widgets not found: coro-chat is not built");
#else
        TestServer server = TestServer::python();
        WSCLIENT_REQUIRE_SERVER(server);
        const Run r
            = run(QStringLiteral(CORO_CHAT_PATH), { QStringLiteral("--autotest"), server.url().toString() });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.lines.contains(QStringLiteral("< hello")), qPrintable(r.lines.join(QLatin1Char('\n'))));
        QVERIFY2(r.lines.contains(QStringLiteral("closed: 1000 bye")),
            qPrintable(r.lines.join(QLatin1Char('\n'))));
        bool roundTrip = false;
        for (const QString &line : r.lines)
            roundTrip = roundTrip || line.startsWith(QLatin1String("round trip: \"ping\" back after"));
        QVERIFY2(roundTrip, qPrintable(r.lines.join(QLatin1Char('\n'))));
#endif
    }
};

QTEST_GUILESS_MAIN(tst_CoroExamples)
#include "tst_coro_examples.moc"
