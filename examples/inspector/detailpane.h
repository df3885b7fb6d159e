// The selected frame in full: as text, as indented JSON when it parses, and as a hex dump.
#pragma once

#include "frameentry.h"

#include <QtWidgets/qwidget.h>

QT_BEGIN_NAMESPACE
class QLabel;
class QPlainTextEdit;
class QTabWidget;
QT_END_NAMESPACE

class DetailPane : public QWidget
{
    Q_OBJECT

public:
    enum Tab { TextTab, JsonTab, HexTab };

    explicit DetailPane(QWidget *parent = nullptr);

    // Shows \a entry; the JSON tab is enabled (and brought to the front) only when it parses.
    void showEntry(const FrameEntry &entry);
    void clear();

    QString summary() const;
    QString text() const;
    QString json() const;
    QString hex() const;
    QTabWidget *tabs() const { return m_tabs; }

private:
    QLabel *m_summary;
    QTabWidget *m_tabs;
    QPlainTextEdit *m_text;
    QPlainTextEdit *m_json;
    QPlainTextEdit *m_hex;
};
