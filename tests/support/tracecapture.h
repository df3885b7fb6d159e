// Collects what the "wsclient.trace" category logs while it lives (header-only, for any test).
//
//   TraceCapture trace;            // turns the trace on and captures it
//   ... connect, send ...
//   QVERIFY(trace.text().contains(...));
//
// The destructor (or stop()) turns the trace off and restores the previous message handler.
#pragma once

#include <WsClient/Trace>

#include <QtCore/qstringlist.h>

class TraceCapture
{
public:
    explicit TraceCapture(bool enableTrace = true)
    {
        lines().clear();
        WsClient::enableTrace(enableTrace);
        m_previous = qInstallMessageHandler(&TraceCapture::handle);
    }
    ~TraceCapture() { stop(); }
    TraceCapture(const TraceCapture &) = delete;
    TraceCapture &operator=(const TraceCapture &) = delete;

    void stop()
    {
        if (m_stopped)
            return;
        m_stopped = true;
        qInstallMessageHandler(m_previous);
        WsClient::enableTrace(false);
    }
    // Everything captured so far, one line per message.
    QString text() const { return lines().join(QLatin1Char('\n')); }
    bool isEmpty() const { return lines().isEmpty(); }

private:
    static QStringList &lines()
    {
        static QStringList captured;
        return captured;
    }
    static void handle(QtMsgType, const QMessageLogContext &context, const QString &message)
    {
        if (context.category && QLatin1String(context.category) == QLatin1String("wsclient.trace"))
            lines() << message;
    }

    QtMessageHandler m_previous = nullptr;
    bool m_stopped = false;
};
