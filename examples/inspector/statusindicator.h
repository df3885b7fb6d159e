// A coloured dot and a short text next to the URL bar: where the connection is.
#pragma once

#include <QtGui/qcolor.h>
#include <QtWidgets/qwidget.h>

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

class StatusIndicator : public QWidget
{
    Q_OBJECT
    Q_PROPERTY(QString text READ text)

public:
    explicit StatusIndicator(QWidget *parent = nullptr);

    void setStatus(const QColor &color, const QString &text, const QString &toolTip = {});
    QString text() const;
    QColor color() const { return m_color; }

private:
    QLabel *m_dot;
    QLabel *m_text;
    QColor m_color;
};
