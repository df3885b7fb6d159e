#include "framefilter.h"

#include "framelogmodel.h"
#include "payloadtext.h"

quint16 FrameFilter::maskOf(std::initializer_list<WsClient::Opcode> opcodes)
{
    quint16 mask = 0;
    for (WsClient::Opcode opcode : opcodes)
        mask |= quint16(1u << quint8(opcode));
    return mask;
}

FrameFilter::FrameFilter(QObject *parent) : QSortFilterProxyModel(parent)
{
    // The log stays in arrival order; new rows are filtered as they come.
    setDynamicSortFilter(true);
}

void FrameFilter::setSourceModel(QAbstractItemModel *model)
{
    m_log = qobject_cast<FrameLogModel *>(model);
    Q_ASSERT_X(m_log || !model, "FrameFilter", "the source must be a FrameLogModel");
    QSortFilterProxyModel::setSourceModel(model);
}

void FrameFilter::setShowIncoming(bool show)
{
    if (m_showIncoming == show)
        return;
    m_showIncoming = show;
    refilter();
}

void FrameFilter::setShowOutgoing(bool show)
{
    if (m_showOutgoing == show)
        return;
    m_showOutgoing = show;
    refilter();
}

void FrameFilter::setOpcodeMask(quint16 mask)
{
    if (m_opcodeMask == mask)
        return;
    m_opcodeMask = mask;
    refilter();
}

void FrameFilter::setSearchText(const QString &text)
{
    if (m_searchText == text)
        return;
    m_searchText = text;
    refilter();
}

void FrameFilter::refilter()
{
    // invalidateFilter() removes the rows that no longer match one contiguous range at a time: a
    // filter that hides every other row of 100 000 sends 50 000 rowsRemoved signals to the view and
    // takes many seconds. invalidate() rebuilds the mapping behind a single layoutChanged instead.
    invalidate();
}

int FrameFilter::sourceRow(int row) const
{
    const QModelIndex source = mapToSource(index(row, 0));
    return source.isValid() ? source.row() : -1;
}

bool FrameFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_log || sourceParent.isValid())
        return true;
    const FrameEntry &entry = m_log->entry(sourceRow);
    if (!(entry.direction == Direction::Outgoing ? m_showOutgoing : m_showIncoming))
        return false;
    if (!(m_opcodeMask & (1u << quint8(entry.opcode))))
        return false;
    return m_searchText.isEmpty() || payloadText(entry).contains(m_searchText, Qt::CaseInsensitive);
}
