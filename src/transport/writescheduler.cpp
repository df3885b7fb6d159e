#include "writescheduler.h"

#include "deviceadapter.h"
#include "protocol/framewriter.h"
#include "protocol/masking.h"

#include <QtCore/qabstracteventdispatcher.h>
#include <QtCore/qtimer.h>

namespace WsClient::Transport {

namespace {

// Frames at least this large are encoded into their own buffer and handed to the socket as a
// QByteArray, which QIODevice can keep without copying; smaller ones share the held buffer.
constexpr qsizetype OwnBufferThreshold = 4096;
// Held small frames are written without waiting for the end of the pass beyond this size; also
// the slice in which large frames are masked and sent.
constexpr qsizetype MaxHeldBytes = 64 * 1024;

} // namespace

WriteScheduler::WriteScheduler(DeviceAdapter &device, QObject *context, Wakeup *wakeup)
    : m_device(device), m_context(context), m_wakeup(wakeup)
{
}

WriteScheduler::~WriteScheduler() = default;

// ---------------------------------------------------------------------------------------------
// Writing

void WriteScheduler::writeFrame(const Protocol::FrameHeader &header, QByteArrayView payload)
{
    const qint64 size = Protocol::frameHeaderSize(header.payloadLength, true) + payload.size();
    m_accepted += size;
    if (header.opcode == Opcode::Close)
        m_closeEnd = m_accepted;
    else if (header.fin && !header.isControl())
        m_messageEnds.push_back(m_accepted);
    if (payload.size() >= OwnBufferThreshold) {
        flush(); // keeps the order
        if (m_device.isDirect() && m_device.bytesToWrite() == 0) {
            sendLargeFrame(header, payload);
        } else {
            QByteArray frame;
            Protocol::appendFrame(frame, header, payload);
            m_device.write(frame);
            scheduleFlush();
        }
        publish();
        return;
    }
    Protocol::appendFrame(m_held, header, payload);
    // Held: what other threads see grows by the frame (a flush below publishes the exact figure).
    m_published.store(m_published.load(std::memory_order_relaxed) + size, std::memory_order_relaxed);
    heldAppended();
}

void WriteScheduler::writeBytes(QByteArrayView bytes)
{
    m_accepted += bytes.size();
    m_held.append(bytes);
    flush();
    if (m_held.isEmpty())
        m_held = QByteArray(); // the upgrade request: an idle connection keeps no buffer for it
    reportDirectWrites();
    publish();
}

void WriteScheduler::heldAppended()
{
    if (!m_device.isDirect() || m_held.size() >= MaxHeldBytes) {
        flush();
        scheduleFlush();
    } else if (m_dispatching > 0) {
        if (std::exchange(m_lastOfInput, false)) {
            flush();
            reportDirectWrites(); // from the event loop, a slot's nested one too
        } else
            holdWhileDispatching();
    } else {
        scheduleFlush();
    }
}

void WriteScheduler::sendLargeFrame(const Protocol::FrameHeader &header, QByteArrayView payload)
{
    // Sent in slices masked into a small buffer while the kernel takes them: the peer starts reading
    // at once, and no buffer of the frame's size is filled (and its fresh pages faulted in) first.
    // What the kernel does not take is masked into one buffer and left to the socket.
    // The slice buffer is the thread's, shared by its connections (not reentered: nothing here
    // calls out), so that a stream of large messages does not fault fresh pages in for each one.
    constexpr qsizetype Slice = MaxHeldBytes;
    qsizetype done = 0; // payload bytes masked so far
    static thread_local QByteArray slice;
    slice.reserve(Protocol::MaxFrameHeaderSize + Slice);
    slice.resize(Protocol::MaxFrameHeaderSize);
    slice.resize(Protocol::writeFrameHeader(slice.data(), header));
    for (;;) {
        const qsizetype n = qMin(Slice, payload.size() - done);
        const qsizetype at = slice.size();
        slice.resize(at + n);
        Protocol::maskCopy(slice.data() + at, payload.data() + done, n, header.maskKey, quint64(done));
        done += n;
        const qint64 taken = m_device.sendNow(slice.constData(), slice.size());
        m_directlyWritten += taken;
        if (taken < slice.size()) {
            QByteArray rest;
            rest.reserve(slice.size() - taken + payload.size() - done);
            rest.append(slice.constData() + taken, slice.size() - taken);
            const qsizetype tail = rest.size();
            rest.resize(tail + payload.size() - done);
            Protocol::maskCopy(rest.data() + tail, payload.data() + done, payload.size() - done,
                header.maskKey, quint64(done));
            m_device.write(rest);
            scheduleFlush(); // also reports the bytes sent here
            return;
        }
        slice.resize(0);
        if (done == payload.size())
            break;
    }
    reportDirectWrites();
}

void WriteScheduler::flush()
{
    if (m_held.isEmpty())
        return;
    qint64 sent = 0;
    if (m_device.isAttached()) {
        sent = m_device.sendNow(m_held.constData(), m_held.size());
        m_directlyWritten += sent;
        if (sent < m_held.size())
            m_device.write(m_held.constData() + sent, m_held.size() - sent);
    }
    if (m_held.capacity() > MaxHeldBytes)
        m_held = QByteArray();
    else
        m_held.resize(0);
    publish();
}

void WriteScheduler::flushPosted()
{
    m_flushPosted = false;
    flush();
    m_device.flush();
    publish();
}

void WriteScheduler::holdWhileDispatching()
{
    if (!QAbstractEventDispatcher::instance()) {
        flush(); // no event loop, so no nested one either: nothing to wait for
        return;
    }
    // A slot that runs a nested event loop (or processEvents) before the dispatch ends: the held
    // frames go out from there.
    if (!m_dispatchFlushTimer) {
        m_dispatchFlushTimer = new QTimer(m_context);
        m_dispatchFlushTimer->setSingleShot(true);
        m_dispatchFlushTimer->setInterval(0);
        QObject::connect(m_dispatchFlushTimer, &QTimer::timeout, m_context, [this] {
            flush();
            scheduleFlush();
        });
    }
    if (!m_dispatchFlushTimer->isActive())
        m_dispatchFlushTimer->start();
}

void WriteScheduler::endDispatch()
{
    if (--m_dispatching > 0)
        return;
    if (m_dispatchFlushTimer && m_dispatchFlushTimer->isActive())
        m_dispatchFlushTimer->stop();
    flush();
    reportDirectWrites(); // outside the dispatch
}

void WriteScheduler::reportDirectWrites()
{
    // bytesWritten() is never emitted from inside a send: the bytes the kernel took are reported
    // from the event loop. With nobody to tell, nothing is posted (a posted event wakes the loop:
    // two system calls per message).
    if (m_directlyWritten == 0)
        return;
    if (m_wakeup->wantsWrittenReports())
        scheduleFlush();
    else
        m_directlyWritten = 0;
}

void WriteScheduler::scheduleFlush()
{
    // Hand what this event-loop pass wrote to the kernel right after it, in one write: sooner than
    // the socket's write notifier (one poll later), and still one system call for a burst of frames.
    if (m_flushPosted)
        return;
    m_flushPosted = true;
    m_wakeup->postFlush();
}

// ---------------------------------------------------------------------------------------------
// Flow control

qint64 WriteScheduler::buffered() const
{
    return m_held.size() + m_device.bytesToWrite();
}

void WriteScheduler::publish()
{
    const qint64 waiting = buffered();
    m_published.store(waiting, std::memory_order_relaxed);
    const qint64 at = m_accepted - waiting;
    while (m_endsHead < m_messageEnds.size() && m_messageEnds[m_endsHead] <= at)
        ++m_endsHead;
    if (m_endsHead == m_messageEnds.size()) {
        // All handed: start over, and let a burst's memory go (an idle connection keeps none).
        if (m_messageEnds.capacity() > 256)
            std::vector<qint64>().swap(m_messageEnds);
        else
            m_messageEnds.clear();
        m_endsHead = 0;
    } else if (m_endsHead > 1024 && m_endsHead * 2 > m_messageEnds.size()) {
        m_messageEnds.erase(m_messageEnds.begin(), m_messageEnds.begin() + qsizetype(m_endsHead));
        m_endsHead = 0;
    }
}

qint64 WriteScheduler::bytesToWrite() const
{
    return m_published.load(std::memory_order_relaxed) + m_pendingBytes.load(std::memory_order_relaxed);
}

bool WriteScheduler::accepts(qint64 size) const
{
    const qint64 bound = limit();
    if (bound <= 0)
        return true;
    const qint64 waiting = bytesToWrite();
    // A message larger than the bound still goes when nothing else waits.
    return waiting == 0 || waiting + size <= bound;
}

// ---------------------------------------------------------------------------------------------
// Other threads

void WriteScheduler::queue(Pending &&send)
{
    const qint64 size = send.payload.size();
    bool post = false;
    {
        QMutexLocker lock(&m_pendingMutex);
        m_pending.append(std::move(send));
        m_pendingBytes.fetch_add(size, std::memory_order_relaxed);
        m_hasPending.store(true, std::memory_order_release);
        m_crossThread.store(true, std::memory_order_relaxed);
        post = !std::exchange(m_pendingPosted, true);
    }
    if (post)
        m_wakeup->postFlush();
}

QList<WriteScheduler::Pending> WriteScheduler::takePending()
{
    QList<Pending> taken;
    QMutexLocker lock(&m_pendingMutex);
    taken.swap(m_pending);
    m_pendingBytes.store(0, std::memory_order_relaxed);
    m_hasPending.store(false, std::memory_order_release);
    m_pendingPosted = false;
    return taken;
}

void WriteScheduler::addDropped(qint64 bytes, int messages)
{
    m_droppedBytes += bytes;
    m_droppedMessages += messages;
}

// ---------------------------------------------------------------------------------------------
// Delivery accounting

qint64 WriteScheduler::handed() const
{
    return m_accepted - buffered();
}

Protocol::Undelivered WriteScheduler::undelivered() const
{
    const qint64 at = handed();
    int messages = 0;
    for (size_t i = m_messageEnds.size(); i > m_endsHead && m_messageEnds[i - 1] > at; --i)
        ++messages;
    qint64 pendingBytes = 0;
    int pendingMessages = 0;
    {
        QMutexLocker lock(&m_pendingMutex);
        for (const Pending &p : m_pending) {
            pendingBytes += p.payload.size();
            pendingMessages += p.fin && !(quint8(p.opcode) & 0x8) ? 1 : 0;
        }
    }
    return { buffered() + m_droppedBytes + pendingBytes, messages + m_droppedMessages + pendingMessages };
}

void WriteScheduler::reset()
{
    m_held = QByteArray();
    m_dispatching = 0;
    if (m_dispatchFlushTimer)
        m_dispatchFlushTimer->stop();
    m_directlyWritten = 0;
    m_accepted = 0;
    std::vector<qint64>().swap(m_messageEnds);
    m_endsHead = 0;
    m_closeEnd = -1;
    m_droppedBytes = 0;
    m_droppedMessages = 0;
    m_published.store(0, std::memory_order_relaxed);
    takePending();
}

} // namespace WsClient::Transport
