#include "deadlinescheduler_p.h"

#include <QtCore/qabstracteventdispatcher.h>
#include <QtCore/qcoreevent.h>
#include <QtCore/qthreadstorage.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>

namespace WsClient {

DeadlineScheduler *DeadlineScheduler::forCurrentThread()
{
    static QThreadStorage<DeadlineScheduler *> schedulers; // deleted when their thread ends
    if (!QAbstractEventDispatcher::instance())
        return nullptr;
    if (!schedulers.hasLocalData())
        schedulers.setLocalData(new DeadlineScheduler);
    return schedulers.localData();
}

quint64 DeadlineScheduler::schedule(Client *client, QDeadlineTimer when, qint64 graceNSecs)
{
    qint64 at = when.deadlineNSecs();
    if (graceNSecs > 0)
        at = (at + graceNSecs - 1) / graceNSecs * graceNSecs;
    const quint64 token = m_nextToken++;
    m_active.insert(token, client);
    if (m_heap.size() > 2 * size_t(m_active.size()) + 64) {
        // Re-armed deadlines leave their old entries behind: drop them before the heap grows.
        m_heap.erase(std::remove_if(m_heap.begin(), m_heap.end(),
                         [this](const Entry &e) { return !m_active.contains(e.token); }),
            m_heap.end());
        std::make_heap(m_heap.begin(), m_heap.end(), std::greater<Entry>());
    }
    m_heap.push_back({ at, token });
    std::push_heap(m_heap.begin(), m_heap.end(), std::greater<Entry>());
    rearm();
    return token;
}

void DeadlineScheduler::cancel(quint64 token)
{
    if (token == 0 || !m_active.remove(token))
        return;
    if (m_active.isEmpty()) {
        m_heap.clear();
        rearm();
    }
}

void DeadlineScheduler::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_timerId) {
        QObject::timerEvent(event);
        return;
    }
    killTimer(std::exchange(m_timerId, 0));
    const qint64 now = QDeadlineTimer::current().deadlineNSecs();
    while (!m_heap.empty() && m_heap.front().at <= now) {
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<Entry>());
        const quint64 token = m_heap.back().token;
        m_heap.pop_back();
        Client *client = m_active.take(token);
        if (client)
            client->deadlineReached(); // may schedule or cancel others
    }
    rearm();
}

void DeadlineScheduler::rearm()
{
    // Cancelled entries at the top are dropped here rather than searched for in cancel().
    while (!m_heap.empty() && !m_active.contains(m_heap.front().token)) {
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<Entry>());
        m_heap.pop_back();
    }
    if (m_heap.empty()) {
        if (m_timerId != 0)
            killTimer(std::exchange(m_timerId, 0));
        return;
    }
    const qint64 at = m_heap.front().at;
    if (m_timerId != 0 && m_armedFor == at)
        return;
    if (m_timerId != 0)
        killTimer(m_timerId);
    const qint64 waitNs = at - QDeadlineTimer::current().deadlineNSecs();
    const qint64 wait = qBound(qint64(0), (waitNs + 999999) / 1000000, qint64(std::numeric_limits<int>::max()));
    m_timerId = startTimer(std::chrono::milliseconds(wait), Qt::PreciseTimer);
    m_armedFor = at;
}

} // namespace WsClient
