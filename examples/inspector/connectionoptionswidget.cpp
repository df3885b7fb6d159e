#include "connectionoptionswidget.h"

#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcheckbox.h>
#include <QtWidgets/qformlayout.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qspinbox.h>

ConnectionOptionsWidget::ConnectionOptionsWidget(QWidget *parent)
    : QWidget(parent), m_headers(new QPlainTextEdit(this)), m_subprotocols(new QLineEdit(this)),
      m_origin(new QLineEdit(this)), m_proxy(new QLineEdit(this)),
      m_ignoreTls(new QCheckBox(tr("Ignore TLS errors"), this)),
      m_compression(new QCheckBox(tr("Offer permessage-deflate"), this)), m_pingInterval(new QSpinBox(this)),
      m_reconnect(new QCheckBox(tr("Reconnect after drops (backoff from 1 s)"), this))
{
    m_headers->setObjectName(QStringLiteral("headersEdit"));
    m_headers->setPlaceholderText(QStringLiteral("Authorization: Bearer …\nX-Client: wsinspector"));
    m_headers->setTabChangesFocus(true);
    m_headers->setMaximumHeight(m_headers->fontMetrics().lineSpacing() * 5);
    m_subprotocols->setObjectName(QStringLiteral("subprotocolsEdit"));
    m_subprotocols->setPlaceholderText(tr("chat, superchat"));
    m_origin->setObjectName(QStringLiteral("originEdit"));
    m_origin->setPlaceholderText(tr("default: http(s)://host"));
    m_proxy->setObjectName(QStringLiteral("proxyEdit"));
    m_proxy->setPlaceholderText(QStringLiteral("socks5h://user:pass@host:1080"));
    m_ignoreTls->setObjectName(QStringLiteral("ignoreTlsCheck"));
    m_compression->setObjectName(QStringLiteral("compressionCheck"));
    m_pingInterval->setObjectName(QStringLiteral("pingIntervalSpin"));
    m_pingInterval->setRange(0, 3600);
    m_pingInterval->setSuffix(tr(" s"));
    m_pingInterval->setSpecialValueText(tr("off"));
    m_reconnect->setObjectName(QStringLiteral("reconnectCheck"));

    auto *form = new QFormLayout;
    form->addRow(tr("Headers"), m_headers);
    form->addRow(tr("Subprotocols"), m_subprotocols);
    form->addRow(tr("Origin"), m_origin);
    form->addRow(tr("Proxy"), m_proxy);
    form->addRow(tr("Keepalive ping"), m_pingInterval);
    form->addRow(m_ignoreTls);
    form->addRow(m_compression);
    form->addRow(m_reconnect);
    // Packed at the top of a tall dock rather than spread over it.
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1);
}

ConnectionSettings ConnectionOptionsWidget::settings() const
{
    ConnectionSettings s;
    s.headers = m_headers->toPlainText();
    s.subprotocols = m_subprotocols->text();
    s.origin = m_origin->text();
    s.proxyUrl = m_proxy->text();
    s.ignoreTlsErrors = m_ignoreTls->isChecked();
    s.compression = m_compression->isChecked();
    s.pingIntervalSeconds = m_pingInterval->value();
    s.reconnect = m_reconnect->isChecked();
    return s;
}

void ConnectionOptionsWidget::setSettings(const ConnectionSettings &settings)
{
    m_headers->setPlainText(settings.headers);
    m_subprotocols->setText(settings.subprotocols);
    m_origin->setText(settings.origin);
    m_proxy->setText(settings.proxyUrl);
    m_ignoreTls->setChecked(settings.ignoreTlsErrors);
    m_compression->setChecked(settings.compression);
    m_pingInterval->setValue(settings.pingIntervalSeconds);
    m_reconnect->setChecked(settings.reconnect);
}
