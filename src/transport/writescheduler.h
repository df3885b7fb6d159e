#pragma once

#include "protocol/clientconnection.h"
#include "protocol/messagewriter.h"

#include <WsClient/enums.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qmutex.h>

#include <atomic>
#include <vector>

QT_BEGIN_NAMESPACE
class QObject;
class QTimer;
QT_END_NAMESPACE

namespace WsClient::Transport {

class DeviceAdapter;

/*!
    Everything about getting a connection's outgoing frames to the kernel, and knowing where they
    are:
    - small frames are encoded into one reused buffer and written from it in one go at the end of
      the event-loop pass (or of the dispatch of received frames, whose slots often answer), and on
      a plain TCP socket straight to the descriptor when Qt's buffer is empty: QAbstractSocket arms
      and disarms its write notifier around every write, two wake-ups of the event loop per message;
    - large frames go to the kernel in slices masked into a small buffer while it takes them, the
      rest masked once into a buffer Qt keeps without copying;
    - bytesToWrite() and its bound (the send-buffer limit), readable from any thread;
    - sends from other threads wait in a queue for the owner thread, in order, bounded the same way;
    - the bytes written past Qt (reported later as bytesWritten(), never from inside a send);
    - delivery accounting: which data messages and how many bytes have not reached the kernel, and
      whether a Close frame has.
    The protocol decides what is written (MessageWriter, ClientConnection); this decides when and how.
*/
class WriteScheduler final : public Protocol::FrameOutput
{
public:
    /*! How the scheduler asks its owner to run flushPosted() soon, from any thread. */
    class Wakeup
    {
    public:
        virtual ~Wakeup() = default;
        virtual void postFlush() = 0;
        /*!
            Whether bytes written past the transport must be reported (someone listens to
            bytesWritten(), or the close timeout follows the progress); if not, no flush is posted
            just to report them.
        */
        virtual bool wantsWrittenReports() const = 0;
    };

    /*! A send made on another thread, waiting for the owner thread. */
    struct Pending
    {
        enum class Kind : quint8 { Message, Frame } kind = Kind::Message;
        Opcode opcode = Opcode::Text;
        bool fin = true;
        quint8 rsv = 0;
        QByteArray payload;
    };

    WriteScheduler(DeviceAdapter &device, QObject *context, Wakeup *wakeup);
    ~WriteScheduler() override;

    // FrameOutput (owner thread)
    void writeFrame(const Protocol::FrameHeader &header, QByteArrayView payload) override;
    void writeBytes(QByteArrayView bytes) override;

    /*! While received frames are handed to slots: what they send is held and written once at the end. */
    void beginDispatch()
    {
        ++m_dispatching;
        m_lastOfInput = false;
    }
    void endDispatch();
    /*!
        The message being handed out is the last the transport's input holds: the first frame its
        slots send goes out at once with those held (no timer, no posted flush: a round trip costs
        one system call to send), later ones are held as before.
    */
    void setDispatchingLastOfInput(bool last) { m_lastOfInput = last; }
    /*! Hands held bytes to the transport now. */
    void flush();
    /*! The posted flush runs: held bytes go out. */
    void flushPosted();
    /*! Bytes sent past the transport's own write path since the last call (to report as bytesWritten()). */
    qint64 takeDirectlyWritten() { return std::exchange(m_directlyWritten, 0); }
    bool hasDirectlyWritten() const { return m_directlyWritten > 0; }

    /*! Bytes accepted and not yet handed to the kernel, other threads' queued sends included. Any thread. */
    qint64 bytesToWrite() const;
    /*! The bound of bytesToWrite() (0: none). */
    void setLimit(qint64 limit) { m_limit.store(limit, std::memory_order_relaxed); }
    qint64 limit() const { return m_limit.load(std::memory_order_relaxed); }
    /*! Whether a send of \a size bytes fits under the bound now; one that does not is refused. Any thread. */
    bool accepts(qint64 size) const;
    /*! Refreshes what other threads see of bytesToWrite(); after the transport reported progress. */
    void noteProgress() { publish(); }

    // Other threads' sends
    /*! Queues \a send for the owner thread (any thread) and wakes it. */
    void queue(Pending &&send);
    bool hasPending() const { return m_hasPending.load(std::memory_order_acquire); }
    /*! True once any other thread has sent: blocking waits then poll for their sends. */
    bool hasCrossThreadSenders() const { return m_crossThread.load(std::memory_order_relaxed); }
    QList<Pending> takePending();
    /*! A send that was accepted but could not be written (the connection closed first). */
    void addDropped(qint64 bytes, int messages);

    // Delivery accounting (owner thread)
    /*! Bytes of frames handed to the kernel so far. */
    qint64 handed() const;
    /*! True once the Close frame written last has been handed to the kernel. */
    bool closeFrameHanded() const { return m_closeEnd >= 0 && handed() >= m_closeEnd; }
    /*! What send calls accepted that has not reached the kernel: buffered, queued or dropped. */
    Protocol::Undelivered undelivered() const;

    /*! Forgets everything of the last connection (a new one starts). */
    void reset();

private:
    void heldAppended();
    void holdWhileDispatching();
    void scheduleFlush();
    void reportDirectWrites();
    void sendLargeFrame(const Protocol::FrameHeader &header, QByteArrayView payload);
    qint64 buffered() const;
    void publish();

    DeviceAdapter &m_device;
    QObject *m_context;
    Wakeup *m_wakeup;
    QByteArray m_held; // small frames encoded, not yet written
    int m_dispatching = 0;
    bool m_lastOfInput = false; // see setDispatchingLastOfInput()
    QTimer *m_dispatchFlushTimer = nullptr;
    bool m_flushPosted = false; // owner only: a flush is posted for this pass's writes
    qint64 m_directlyWritten = 0;

    qint64 m_accepted = 0; // frame bytes given to writeFrame()/writeBytes()
    // m_accepted after each data message's last frame; those before m_endsHead are known handed.
    std::vector<qint64> m_messageEnds;
    size_t m_endsHead = 0;
    qint64 m_closeEnd = -1;
    qint64 m_droppedBytes = 0;
    int m_droppedMessages = 0;
    std::atomic<qint64> m_published { 0 }; // buffered() as last seen by the owner thread
    std::atomic<qint64> m_limit { 0 };

    mutable QMutex m_pendingMutex;
    QList<Pending> m_pending; // guarded by m_pendingMutex
    bool m_pendingPosted = false; // guarded by m_pendingMutex
    std::atomic<qint64> m_pendingBytes { 0 };
    std::atomic<bool> m_hasPending { false };
    std::atomic<bool> m_crossThread { false };
};

} // namespace WsClient::Transport
