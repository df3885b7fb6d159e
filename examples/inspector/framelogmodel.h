// The frame log as a table model. Frames can arrive by the thousand per second, so append() only
// buffers: the buffer becomes rows in one beginInsertRows()/endInsertRows() per flush interval,
// which keeps the view and the filter proxy from relaying out once per frame.
#pragma once

#include "frameentry.h"

#include <QtCore/qabstractitemmodel.h>
#include <QtCore/qlist.h>
#include <QtCore/qtimer.h>

class FrameLogModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_PROPERTY(int pendingCount READ pendingCount)
    Q_PROPERTY(int flushInterval READ flushInterval WRITE setFlushInterval)

public:
    enum Column { TimeColumn, DirectionColumn, OpcodeColumn, LengthColumn, PreviewColumn, ColumnCount };
    Q_ENUM(Column)

    explicit FrameLogModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Buffers \a entry; it becomes a row at the next flush (at most flushInterval() ms later).
    void append(const FrameEntry &entry);
    // Turns the buffered entries into rows now.
    void flush();
    // Replaces the whole log (buffer included) with \a entries, e.g. a loaded file.
    void setEntries(QList<FrameEntry> entries);
    void clear();

    // The entry of \a row (0 <= row < rowCount()).
    const FrameEntry &entry(int row) const { return m_entries.at(row); }
    // Every row's entry, oldest first; flush() first to include the buffer.
    const QList<FrameEntry> &entries() const { return m_entries; }
    int pendingCount() const { return int(m_pending.size()); }

    // Milliseconds appended entries may wait to become rows; 0 means the next event-loop pass.
    int flushInterval() const { return m_flushTimer.interval(); }
    void setFlushInterval(int msecs) { m_flushTimer.setInterval(msecs); }

private:
    QList<FrameEntry> m_entries;
    QList<FrameEntry> m_pending;
    QTimer m_flushTimer;
};
