// The form for ConnectionSettings: headers, subprotocols, origin, proxy, TLS, compression,
// keepalive and reconnect.
#pragma once

#include "connectionsettings.h"

#include <QtWidgets/qwidget.h>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
QT_END_NAMESPACE

class ConnectionOptionsWidget : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionOptionsWidget(QWidget *parent = nullptr);

    ConnectionSettings settings() const;
    void setSettings(const ConnectionSettings &settings);

private:
    QPlainTextEdit *m_headers;
    QLineEdit *m_subprotocols;
    QLineEdit *m_origin;
    QLineEdit *m_proxy;
    QCheckBox *m_ignoreTls;
    QCheckBox *m_compression;
    QSpinBox *m_pingInterval;
    QCheckBox *m_reconnect;
};
