#include "logpanel.h"

#include "framefilter.h"
#include "framelogmodel.h"

#include <QtCore/qtimer.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcheckbox.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qscrollbar.h>
#include <QtWidgets/qtableview.h>

using WsClient::Opcode;

namespace {

// Typing in the search box filters once the user pauses, not on every key over a large log.
constexpr int SearchDelayMs = 150;

} // namespace

LogPanel::LogPanel(FrameLogModel *log, FrameFilter *filter, QWidget *parent)
    : QWidget(parent), m_log(log), m_filter(filter), m_showOutgoing(new QCheckBox(tr("↑ Sent"), this)),
      m_showIncoming(new QCheckBox(tr("↓ Received"), this)), m_opcodeFilter(new QComboBox(this)),
      m_search(new QLineEdit(this)), m_countLabel(new QLabel(this)), m_view(new QTableView(this))
{
    m_showOutgoing->setObjectName(QStringLiteral("showOutgoingCheck"));
    m_showOutgoing->setChecked(true);
    m_showIncoming->setObjectName(QStringLiteral("showIncomingCheck"));
    m_showIncoming->setChecked(true);
    m_opcodeFilter->setObjectName(QStringLiteral("opcodeFilter"));
    m_opcodeFilter->addItem(tr("All opcodes"), FrameFilter::AllOpcodes);
    m_opcodeFilter->addItem(tr("Data (text, binary, cont)"),
        FrameFilter::maskOf({ Opcode::Text, Opcode::Binary, Opcode::Continuation }));
    m_opcodeFilter->addItem(tr("Text"), FrameFilter::maskOf({ Opcode::Text }));
    m_opcodeFilter->addItem(tr("Binary"), FrameFilter::maskOf({ Opcode::Binary }));
    m_opcodeFilter->addItem(tr("Control (ping, pong, close)"),
        FrameFilter::maskOf({ Opcode::Ping, Opcode::Pong, Opcode::Close }));
    m_opcodeFilter->addItem(tr("Ping and pong"), FrameFilter::maskOf({ Opcode::Ping, Opcode::Pong }));
    m_opcodeFilter->addItem(tr("Close"), FrameFilter::maskOf({ Opcode::Close }));
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setPlaceholderText(tr("Search payloads"));
    m_search->setClearButtonEnabled(true);
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    setUpView();

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_showOutgoing);
    filters->addWidget(m_showIncoming);
    filters->addWidget(m_opcodeFilter);
    filters->addWidget(m_search, 1);
    filters->addWidget(m_countLabel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addLayout(filters);
    layout->addWidget(m_view);

    connect(m_showOutgoing, &QCheckBox::toggled, m_filter, &FrameFilter::setShowOutgoing);
    connect(m_showIncoming, &QCheckBox::toggled, m_filter, &FrameFilter::setShowIncoming);
    connect(m_opcodeFilter, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setOpcodeMask(quint16(m_opcodeFilter->currentData().toUInt())); });
    auto *searchDelay = new QTimer(this);
    searchDelay->setSingleShot(true);
    searchDelay->setInterval(SearchDelayMs);
    connect(m_search, &QLineEdit::textChanged, searchDelay, qOverload<>(&QTimer::start));
    connect(searchDelay, &QTimer::timeout, this, [this] { m_filter->setSearchText(m_search->text()); });

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) {
            Q_EMIT entrySelected(current.isValid() ? m_filter->sourceRow(current.row()) : -1);
        });
    // Follow new frames only while the user looks at the end of the log.
    connect(m_filter, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        const QScrollBar *bar = m_view->verticalScrollBar();
        m_followTail = bar->value() == bar->maximum();
    });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followTail)
            m_view->scrollToBottom();
        updateCountLabel();
    });
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &LogPanel::updateCountLabel);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &LogPanel::updateCountLabel);
    connect(m_filter, &QAbstractItemModel::modelReset, this, [this] {
        Q_EMIT entrySelected(-1);
        updateCountLabel();
    });
    updateCountLabel();
}

void LogPanel::setUpView()
{
    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setWordWrap(false);
    m_view->setShowGrid(false);
    m_view->setAlternatingRowColors(true);
    // Fixed row heights let the view place 100 000 rows without measuring any of them.
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(true);
    header->setHighlightSections(false);
    const QFontMetrics metrics = m_view->fontMetrics();
    const auto fit = [&](int column, const char *widest, int padding) {
        header->resizeSection(column, metrics.horizontalAdvance(QLatin1String(widest)) + padding);
    };
    fit(FrameLogModel::TimeColumn, "00:00:00.000", 24);
    fit(FrameLogModel::DirectionColumn, "Dir", 24);
    fit(FrameLogModel::OpcodeColumn, "binary (deflate)", 16);
    fit(FrameLogModel::LengthColumn, "Length", 28);
}

QByteArray LogPanel::saveColumns() const
{
    return m_view->horizontalHeader()->saveState();
}

void LogPanel::restoreColumns(const QByteArray &state)
{
    m_view->horizontalHeader()->restoreState(state);
}

void LogPanel::updateCountLabel()
{
    const int total = m_log->rowCount();
    const int shown = m_filter->rowCount();
    m_countLabel->setText(
        shown == total ? tr("%1 frames").arg(total) : tr("%1 of %2 frames").arg(shown).arg(total));
}
