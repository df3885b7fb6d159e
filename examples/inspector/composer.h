// Where the user writes what to send: text, binary (typed as hex or taken from a file), or a ping
// payload, with a history of what was sent.
#pragma once

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtWidgets/qwidget.h>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QToolButton;
QT_END_NAMESPACE

class Composer : public QWidget
{
    Q_OBJECT

public:
    enum class Mode { Text, BinaryHex, Ping };
    Q_ENUM(Mode)

    struct Message
    {
        Mode mode = Mode::Text;
        QByteArray payload;
        QString source; // the editor's text, for the history; empty for a file
    };

    // History entries kept (older ones drop off).
    static constexpr int MaxHistory = 50;

    explicit Composer(QWidget *parent = nullptr);

    Mode mode() const;
    void setMode(Mode mode);
    QString text() const;
    void setText(const QString &text);
    QPlainTextEdit *editor() const { return m_editor; }
    void setSendEnabled(bool enabled);

    // Sends the bytes of the file at \a path as binary until clearAttachment(); false with \a error
    // when it cannot be read.
    bool attachFile(const QString &path, QString *error);
    void clearAttachment();
    bool hasAttachment() const { return m_hasAttachment; }

    // What the Send button would send now; false with \a error for hex that does not parse.
    bool compose(Message *message, QString *error) const;
    // Puts what was sent at the top of the history (a file is not kept).
    void remember(const Message &message);

    // As "text:…", "hex:…", "ping:…" strings, newest first, for QSettings.
    QStringList history() const;
    void setHistory(const QStringList &history);

Q_SIGNALS:
    void sendRequested();
    void failed(const QString &message);

private:
    void chooseFile();
    void restoreHistory(int index);
    void refreshHistoryCombo();

    QComboBox *m_mode;
    QComboBox *m_historyCombo;
    QPushButton *m_fileButton;
    QLabel *m_attachmentLabel;
    QToolButton *m_clearAttachment;
    QPushButton *m_sendButton;
    QPlainTextEdit *m_editor;
    QByteArray m_attachment;
    bool m_hasAttachment = false;
    QStringList m_history;
};
