#include "composer.h"

#include "hexdump.h"

#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qlocale.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qfiledialog.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qtoolbutton.h>

namespace {

struct ModeInfo
{
    Composer::Mode mode;
    const char *key; // prefix in the stored history
};

constexpr ModeInfo modes[] = {
    { Composer::Mode::Text, "text" },
    { Composer::Mode::BinaryHex, "hex" },
    { Composer::Mode::Ping, "ping" },
};

QString modeKey(Composer::Mode mode)
{
    for (const ModeInfo &info : modes) {
        if (info.mode == mode)
            return QLatin1String(info.key);
    }
    return {};
}

bool splitHistoryItem(const QString &item, Composer::Mode *mode, QString *text)
{
    const qsizetype colon = item.indexOf(QLatin1Char(':'));
    for (const ModeInfo &info : modes) {
        if (colon > 0 && item.left(colon) == QLatin1String(info.key)) {
            *mode = info.mode;
            *text = item.mid(colon + 1);
            return true;
        }
    }
    return false;
}

constexpr int HistoryLabelChars = 60;

} // namespace

Composer::Composer(QWidget *parent)
    : QWidget(parent), m_mode(new QComboBox(this)), m_historyCombo(new QComboBox(this)),
      m_fileButton(new QPushButton(tr("File…"), this)), m_attachmentLabel(new QLabel(this)),
      m_clearAttachment(new QToolButton(this)), m_sendButton(new QPushButton(tr("Send"), this)),
      m_editor(new QPlainTextEdit(this))
{
    m_mode->setObjectName(QStringLiteral("composerMode"));
    m_mode->addItem(tr("Text"), QVariant::fromValue(Mode::Text));
    m_mode->addItem(tr("Binary (hex)"), QVariant::fromValue(Mode::BinaryHex));
    m_mode->addItem(tr("Ping"), QVariant::fromValue(Mode::Ping));
    m_historyCombo->setObjectName(QStringLiteral("composerHistory"));
    m_historyCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_historyCombo->setMinimumContentsLength(8);
    m_fileButton->setObjectName(QStringLiteral("composerFileButton"));
    m_fileButton->setToolTip(tr("Send a file's bytes as a binary message"));
    m_attachmentLabel->setObjectName(QStringLiteral("composerAttachment"));
    m_attachmentLabel->hide();
    m_clearAttachment->setText(QStringLiteral("✕"));
    m_clearAttachment->setToolTip(tr("Send the editor's content again"));
    m_clearAttachment->hide();
    m_sendButton->setObjectName(QStringLiteral("sendButton"));
    m_sendButton->setToolTip(tr("Send (Ctrl+Return)"));
    m_sendButton->setDefault(true);
    m_editor->setObjectName(QStringLiteral("composerEditor"));
    m_editor->setPlaceholderText(tr("Message to send; Ctrl+Return sends it"));
    m_editor->setTabChangesFocus(true);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_mode);
    bar->addWidget(m_historyCombo, 1);
    bar->addWidget(m_fileButton);
    bar->addWidget(m_attachmentLabel);
    bar->addWidget(m_clearAttachment);
    bar->addWidget(m_sendButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_editor);

    connect(m_sendButton, &QPushButton::clicked, this, &Composer::sendRequested);
    connect(m_fileButton, &QPushButton::clicked, this, &Composer::chooseFile);
    connect(m_clearAttachment, &QToolButton::clicked, this, &Composer::clearAttachment);
    connect(m_historyCombo, &QComboBox::activated, this, &Composer::restoreHistory);
    refreshHistoryCombo();
}

Composer::Mode Composer::mode() const
{
    return m_mode->currentData().value<Mode>();
}

void Composer::setMode(Mode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(QVariant::fromValue(mode)));
}

QString Composer::text() const
{
    return m_editor->toPlainText();
}

void Composer::setText(const QString &text)
{
    m_editor->setPlainText(text);
}

void Composer::setSendEnabled(bool enabled)
{
    m_sendButton->setEnabled(enabled);
}

bool Composer::attachFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    m_attachment = file.readAll();
    m_hasAttachment = true;
    setMode(Mode::BinaryHex);
    m_mode->setEnabled(false);
    m_editor->setEnabled(false);
    m_attachmentLabel->setText(
        tr("%1 (%2)").arg(QFileInfo(path).fileName(), QLocale().formattedDataSize(m_attachment.size())));
    m_attachmentLabel->show();
    m_clearAttachment->show();
    return true;
}

void Composer::clearAttachment()
{
    m_attachment.clear();
    m_hasAttachment = false;
    m_mode->setEnabled(true);
    m_editor->setEnabled(true);
    m_attachmentLabel->hide();
    m_clearAttachment->hide();
}

void Composer::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Send a file as binary"));
    if (path.isEmpty())
        return;
    QString error;
    if (!attachFile(path, &error))
        Q_EMIT failed(error);
}

bool Composer::compose(Message *message, QString *error) const
{
    Message m;
    m.mode = mode();
    if (m_hasAttachment) {
        m.payload = m_attachment;
    } else {
        m.source = text();
        if (m.mode == Mode::BinaryHex) {
            if (!parseHex(m.source, &m.payload, error))
                return false;
        } else {
            m.payload = m.source.toUtf8();
        }
    }
    *message = std::move(m);
    return true;
}

void Composer::remember(const Message &message)
{
    if (m_hasAttachment)
        return;
    const QString item = modeKey(message.mode) + QLatin1Char(':') + message.source;
    m_history.removeAll(item);
    m_history.prepend(item);
    while (m_history.size() > MaxHistory)
        m_history.removeLast();
    refreshHistoryCombo();
}

QStringList Composer::history() const
{
    return m_history;
}

void Composer::setHistory(const QStringList &history)
{
    m_history.clear();
    Mode mode;
    QString text;
    for (const QString &item : history) {
        if (splitHistoryItem(item, &mode, &text) && m_history.size() < MaxHistory)
            m_history.append(item);
    }
    refreshHistoryCombo();
}

void Composer::refreshHistoryCombo()
{
    m_historyCombo->clear();
    m_historyCombo->addItem(
        m_history.isEmpty() ? tr("History (empty)") : tr("History (%1)").arg(m_history.size()));
    for (const QString &item : m_history) {
        Mode mode;
        QString text;
        splitHistoryItem(item, &mode, &text);
        QString label = text.simplified();
        if (label.size() > HistoryLabelChars)
            label = label.left(HistoryLabelChars) + QStringLiteral("…");
        m_historyCombo->addItem(modeKey(mode) + QStringLiteral("  ") + label);
    }
    m_historyCombo->setCurrentIndex(0);
}

void Composer::restoreHistory(int index)
{
    if (index <= 0 || index > m_history.size())
        return;
    Mode mode;
    QString text;
    if (splitHistoryItem(m_history.at(index - 1), &mode, &text)) {
        clearAttachment();
        setMode(mode);
        setText(text);
        m_editor->setFocus();
    }
    m_historyCombo->setCurrentIndex(0);
}
