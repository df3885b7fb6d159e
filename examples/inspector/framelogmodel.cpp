#include "framelogmodel.h"

#include "payloadtext.h"

#include <QtCore/qdatetime.h>
#include <QtGui/qbrush.h>
#include <QtGui/qcolor.h>

namespace {

// Short enough to stay unnoticed, long enough to gather a burst of frames into one insert.
constexpr int DefaultFlushIntervalMs = 20;

QString opcodeLabel(const FrameEntry &entry)
{
    QString label = opcodeName(entry.opcode);
    if (!entry.final)
        label += QStringLiteral(" (more)");
    if (entry.compressed)
        label += QStringLiteral(" (deflate)");
    return label;
}

} // namespace

FrameLogModel::FrameLogModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(DefaultFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &FrameLogModel::flush);
}

int FrameLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int FrameLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FrameLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FrameEntry &e = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
        case DirectionColumn:
            return directionArrow(e.direction);
        case OpcodeColumn:
            return opcodeLabel(e);
        case LengthColumn:
            return e.payload.size();
        case PreviewColumn:
            return payloadPreview(e);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == DirectionColumn)
            return e.direction == Direction::Outgoing ? tr("sent") : tr("received");
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == LengthColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (index.column() == DirectionColumn)
            return Qt::AlignCenter;
        break;
    case Qt::ForegroundRole:
        if (index.column() == DirectionColumn)
            return QBrush(
                e.direction == Direction::Outgoing ? QColor(0x1f, 0x6f, 0xc5) : QColor(0x2e, 0x8b, 0x3e));
        if (!e.isData())
            return QBrush(QColor(0x80, 0x80, 0x80));
        break;
    }
    return {};
}

QVariant FrameLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case DirectionColumn:
        return tr("Dir");
    case OpcodeColumn:
        return tr("Opcode");
    case LengthColumn:
        return tr("Length");
    case PreviewColumn:
        return tr("Preview");
    }
    return {};
}

void FrameLogModel::append(const FrameEntry &entry)
{
    m_pending.append(entry);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void FrameLogModel::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return;
    const int first = int(m_entries.size());
    beginInsertRows({}, first, first + int(m_pending.size()) - 1);
    m_entries.append(std::move(m_pending));
    m_pending.clear();
    endInsertRows();
}

void FrameLogModel::setEntries(QList<FrameEntry> entries)
{
    m_flushTimer.stop();
    beginResetModel();
    m_entries = std::move(entries);
    m_pending.clear();
    endResetModel();
}

void FrameLogModel::clear()
{
    setEntries({});
}
