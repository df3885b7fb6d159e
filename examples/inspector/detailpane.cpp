#include "detailpane.h"

#include "hexdump.h"
#include "payloadtext.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qlocale.h>
#include <QtGui/qfontdatabase.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qtabwidget.h>

namespace {

QPlainTextEdit *viewer(const QString &objectName, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(objectName);
    edit->setReadOnly(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return edit;
}

} // namespace

DetailPane::DetailPane(QWidget *parent)
    : QWidget(parent), m_summary(new QLabel(this)), m_tabs(new QTabWidget(this)),
      m_text(viewer(QStringLiteral("detailText"), this)), m_json(viewer(QStringLiteral("detailJson"), this)),
      m_hex(viewer(QStringLiteral("detailHex"), this))
{
    m_summary->setObjectName(QStringLiteral("detailSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_tabs->setObjectName(QStringLiteral("detailTabs"));
    m_tabs->insertTab(TextTab, m_text, tr("Text"));
    m_tabs->insertTab(JsonTab, m_json, tr("JSON"));
    m_tabs->insertTab(HexTab, m_hex, tr("Hex"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_tabs);
    clear();
}

void DetailPane::showEntry(const FrameEntry &entry)
{
    QString summary
        = tr("%1 %2, %3, %4")
              .arg(directionArrow(entry.direction), opcodeName(entry.opcode),
                  QLocale().formattedDataSize(entry.payload.size()),
                  QDateTime::fromMSecsSinceEpoch(entry.timeMs).toString(QStringLiteral("HH:mm:ss.zzz")));
    if (!entry.final)
        summary += tr(", not final");
    if (entry.compressed)
        summary += tr(", permessage-deflate");
    m_summary->setText(summary);

    m_text->setPlainText(payloadText(entry));
    const QString json = entry.isData() ? prettyJson(entry.payload) : QString();
    m_json->setPlainText(json);
    m_tabs->setTabEnabled(JsonTab, !json.isEmpty());
    m_hex->setPlainText(hexDump(entry.payload));
    if (!json.isEmpty())
        m_tabs->setCurrentIndex(JsonTab);
    else if (m_tabs->currentIndex() == JsonTab)
        m_tabs->setCurrentIndex(entry.opcode == WsClient::Opcode::Binary ? HexTab : TextTab);
}

void DetailPane::clear()
{
    m_summary->setText(tr("Select a frame to see its payload."));
    m_text->clear();
    m_json->clear();
    m_hex->clear();
    m_tabs->setTabEnabled(JsonTab, false);
}

QString DetailPane::summary() const
{
    return m_summary->text();
}

QString DetailPane::text() const
{
    return m_text->toPlainText();
}

QString DetailPane::json() const
{
    return m_json->toPlainText();
}

QString DetailPane::hex() const
{
    return m_hex->toPlainText();
}
