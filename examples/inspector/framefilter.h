// Which rows of the FrameLogModel the table shows: by direction, by opcode and by a search text.
#pragma once

#include "frameentry.h"

#include <QtCore/qsortfilterproxymodel.h>

#include <initializer_list>

class FrameLogModel;

class FrameFilter : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_PROPERTY(bool showIncoming READ showIncoming WRITE setShowIncoming)
    Q_PROPERTY(bool showOutgoing READ showOutgoing WRITE setShowOutgoing)
    Q_PROPERTY(quint16 opcodeMask READ opcodeMask WRITE setOpcodeMask)
    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText)

public:
    // Bit n stands for opcode n.
    static constexpr quint16 AllOpcodes = 0xffff;
    static quint16 maskOf(std::initializer_list<WsClient::Opcode> opcodes);

    explicit FrameFilter(QObject *parent = nullptr);

    // Must be a FrameLogModel: rows are tested on its entries, not on display strings.
    void setSourceModel(QAbstractItemModel *model) override;

    bool showIncoming() const { return m_showIncoming; }
    void setShowIncoming(bool show);
    bool showOutgoing() const { return m_showOutgoing; }
    void setShowOutgoing(bool show);
    quint16 opcodeMask() const { return m_opcodeMask; }
    void setOpcodeMask(quint16 mask);
    // Case-insensitive, in the payload as the detail pane's Text tab shows it; empty matches all.
    QString searchText() const { return m_searchText; }
    void setSearchText(const QString &text);

    // The source row of the proxy's \a row, or -1.
    int sourceRow(int row) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void refilter();

    FrameLogModel *m_log = nullptr;
    bool m_showIncoming = true;
    bool m_showOutgoing = true;
    quint16 m_opcodeMask = AllOpcodes;
    QString m_searchText;
};
