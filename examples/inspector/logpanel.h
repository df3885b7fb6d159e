// The frame log as the user sees it: direction, opcode and search filters over a table that
// follows new frames while it is scrolled to the end, and a count of shown / all frames.
#pragma once

#include <QtWidgets/qwidget.h>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
QT_END_NAMESPACE

class FrameFilter;
class FrameLogModel;

class LogPanel : public QWidget
{
    Q_OBJECT

public:
    // Shows \a log through \a filter; neither is owned.
    LogPanel(FrameLogModel *log, FrameFilter *filter, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    // Column widths and order, for QSettings.
    QByteArray saveColumns() const;
    void restoreColumns(const QByteArray &state);

Q_SIGNALS:
    // The current row changed to the log's \a sourceRow, or to none (-1).
    void entrySelected(int sourceRow);

private:
    void setUpView();
    void updateCountLabel();

    FrameLogModel *m_log;
    FrameFilter *m_filter;
    QCheckBox *m_showOutgoing;
    QCheckBox *m_showIncoming;
    QComboBox *m_opcodeFilter;
    QLineEdit *m_search;
    QLabel *m_countLabel;
    QTableView *m_view;
    bool m_followTail = true;
};
