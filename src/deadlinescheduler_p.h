#pragma once

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qhash.h>
#include <QtCore/qobject.h>

#include <vector>

namespace WsClient {

/*!
    One precise timer per thread for the deadlines of every connection on it (opening, closing, a
    bad status's body, WebSocketApp's keepalive): a connection arms a deadline without a timer
    registration of its own, so that ten thousand connections opening at once cost one timer, not
    ten thousand. Deadlines that are equal fire in one timer event.
    Deadlines sit in a min-heap; a cancelled one is dropped when it comes up.
*/
class DeadlineScheduler final : public QObject
{
public:
    class Client
    {
    public:
        virtual void deadlineReached() = 0;

    protected:
        ~Client() = default;
    };

    /*! The scheduler of the calling thread, or null when it has no event dispatcher. */
    static DeadlineScheduler *forCurrentThread();

    /*!
        Calls \a client back once \a when has passed; returns a token for cancel(). With a
        \a graceNSecs, the call may come up to that much later (never earlier): the deadline is
        rounded up to a multiple of it on the monotonic clock, so that the deadlines of many
        clients coincide and fire in one timer event.
    */
    quint64 schedule(Client *client, QDeadlineTimer when, qint64 graceNSecs = 0);
    /*! Forgets the deadline of \a token (0 is none). */
    void cancel(quint64 token);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    struct Entry
    {
        qint64 at; // QDeadlineTimer::deadlineNSecs()
        quint64 token;
        bool operator>(const Entry &other) const { return at > other.at; }
    };
    void rearm();

    std::vector<Entry> m_heap;
    QHash<quint64, Client *> m_active;
    quint64 m_nextToken = 1;
    int m_timerId = 0;
    qint64 m_armedFor = 0;
};

} // namespace WsClient
