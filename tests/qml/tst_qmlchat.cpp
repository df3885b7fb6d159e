// The chat example (examples/qml-chat/Main.qml) run offscreen against a real python3-websockets echo
// server: type a line, press Enter, wait for the echo in the conversation, then save a screenshot of
// the window as chat.png in the build directory (CHAT_SCREENSHOT).
#include "testserver.h"

#include <QtCore/qabstractitemmodel.h>
#include <QtCore/qdir.h>
#include <QtCore/qmetaobject.h>
#include <QtGui/qimage.h>
#include <QtQml/qqmlapplicationengine.h>
#include <QtQuick/qquickitem.h>
#include <QtQuick/qquickwindow.h>
#include <QtTest/qtest.h>

#include <QtCore/qset.h>

namespace {

constexpr int Wait = 10000;

// The element's status as its enumerator name, so that the test does not need the plugin's header.
QByteArray statusName(const QObject *socket)
{
    const QMetaProperty status
        = socket->metaObject()->property(socket->metaObject()->indexOfProperty("status"));
    return status.enumerator().valueToKey(status.read(socket).toInt());
}

// Each row of the conversation as "kind: message".
QStringList rows(const QAbstractItemModel *model)
{
    const QHash<int, QByteArray> names = model->roleNames();
    const int kind = names.key("kind", -1);
    const int message = names.key("message", -1);
    QStringList lines;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        lines.append(index.data(kind).toString() + QStringLiteral(": ") + index.data(message).toString());
    }
    return lines;
}

} // namespace

class tst_QmlChat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sendAndScreenshot();
};

void tst_QmlChat::initTestCase()
{
    // The software renderer: grabWindow() works the same on any machine, GPU or not.
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
}

void tst_QmlChat::sendAndScreenshot()
{
    TestServer server = TestServer::python();
    WSCLIENT_REQUIRE_SERVER(server);
    const QUrl url = server.url(QStringLiteral("/echo"));

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral(WSCLIENT_QML_IMPORT_DIR));
    engine.setInitialProperties({ { QStringLiteral("serverUrl"), url } });
    engine.load(QUrl::fromLocalFile(QStringLiteral(CHAT_QML)));
    QCOMPARE(engine.rootObjects().size(), 1);
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    QVERIFY(window);
    QVERIFY(QTest::qWaitForWindowExposed(window));

    auto *socket = window->findChild<QObject *>(QStringLiteral("socket"));
    auto *model = window->findChild<QAbstractItemModel *>(QStringLiteral("messages"));
    auto *field = window->findChild<QQuickItem *>(QStringLiteral("messageField"));
    auto *status = window->findChild<QQuickItem *>(QStringLiteral("statusLine"));
    QVERIFY(socket && model && field && status);
    QTRY_COMPARE_WITH_TIMEOUT(statusName(socket), QByteArray("Open"), Wait);
    QCOMPARE(rows(model), QStringList { QStringLiteral("info: connected to ") + url.toString() });

    // As a user would: focus the field, type, press Enter.
    window->requestActivate();
    field->forceActiveFocus();
    QTRY_VERIFY(field->hasActiveFocus());
    const QString line = QStringLiteral("Hello from QML ✓");
    for (const QChar ch : line) // QTest::keyClicks() exists for widgets only
        QTest::sendKeyEvent(QTest::Click, window, Qt::Key_unknown, QString(ch), Qt::NoModifier);
    QCOMPARE(field->property("text").toString(), line);
    QTest::keyClick(window, Qt::Key_Return);

    const QStringList expected { QStringLiteral("info: connected to ") + url.toString(),
        QStringLiteral("out: ") + line, QStringLiteral("in: ") + line };
    QTRY_COMPARE_WITH_TIMEOUT(rows(model), expected, Wait);
    QCOMPARE(field->property("text").toString(), QString()); // cleared after sending
    const QString payload = QString::number(line.toUtf8().size());
    QTRY_COMPARE(status->property("text").toString(),
        QStringLiteral("open (no subprotocol), %1 bytes in, %1 out").arg(payload));

    const QImage image = window->grabWindow();
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), window->size() * window->devicePixelRatio());
    // Something was drawn: bubbles, text and controls give many colours, a blank window one.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY2(colours.size() > 16, qPrintable(QStringLiteral("%1 colours").arg(colours.size())));
    const QString path = QStringLiteral(CHAT_SCREENSHOT);
    QVERIFY2(image.save(path), qPrintable(path));
    qInfo().noquote() << "screenshot:" << QDir::toNativeSeparators(path);
}

QTEST_MAIN(tst_QmlChat)

#include "tst_qmlchat.moc"
