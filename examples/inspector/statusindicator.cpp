#include "statusindicator.h"

#include <QtGui/qpainter.h>
#include <QtGui/qpixmap.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qlabel.h>

namespace {

constexpr int DotSize = 12;

QPixmap dot(const QColor &color, qreal devicePixelRatio)
{
    QPixmap pixmap(QSize(DotSize, DotSize) * devicePixelRatio);
    pixmap.setDevicePixelRatio(devicePixelRatio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(color.darker(130));
    painter.setBrush(color);
    painter.drawEllipse(QRectF(0.5, 0.5, DotSize - 1, DotSize - 1));
    return pixmap;
}

} // namespace

StatusIndicator::StatusIndicator(QWidget *parent)
    : QWidget(parent), m_dot(new QLabel(this)), m_text(new QLabel(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 6, 0);
    layout->addWidget(m_dot);
    layout->addWidget(m_text);
    m_text->setObjectName(QStringLiteral("statusText"));
    m_text->setMinimumWidth(m_text->fontMetrics().horizontalAdvance(QStringLiteral("Reconnecting in 30 s…")));
}

void StatusIndicator::setStatus(const QColor &color, const QString &text, const QString &toolTip)
{
    m_color = color;
    m_dot->setPixmap(dot(color, devicePixelRatioF()));
    m_text->setText(text);
    setToolTip(toolTip.isEmpty() ? text : toolTip);
}

QString StatusIndicator::text() const
{
    return m_text->text();
}
