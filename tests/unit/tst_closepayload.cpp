#include "protocol/closepayload.h"
#include "protocol/utf8validator.h"

#include <WsClient/frame.h>

#include <QtTest/QtTest>

using namespace WsClient;
using namespace WsClient::Protocol;

namespace {

QByteArray codeBytes(quint16 code)
{
    QByteArray bytes(2, Qt::Uninitialized);
    bytes[0] = char(code >> 8);
    bytes[1] = char(code & 0xFF);
    return bytes;
}

// A reason whose UTF-8 form is \a asciiPrefix ASCII bytes followed by \a character.
QString straddlingReason(qsizetype asciiPrefix, const QString &character)
{
    return QString(asciiPrefix, QLatin1Char('a')) + character;
}

} // namespace

class TestClosePayload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validCloseCode_data();
    void validCloseCode();
    void validCloseCodeMatchesRanges();
    void decodeCode_data();
    void decodeCode();
    void decodeEmptyIsNoStatus();
    void decodeOneByteIsProtocolError();
    void decodeReason();
    void decodeInvalidReason_data();
    void decodeInvalidReason();
    void decodeInvalidReasonWithoutValidation();
    void decodeToleratesNullOutputs();
    void encode_data();
    void encode();
    void encodeNoStatusIsEmpty();
    void encodeTruncatesOnUtf8Boundary_data();
    void encodeTruncatesOnUtf8Boundary();
    void roundTrip();
    void truncateUtf8_data();
    void truncateUtf8();
};

void TestClosePayload::validCloseCode_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("valid");
    const struct
    {
        int code;
        bool valid;
    } cases[] = { { 0, false }, { 999, false }, { 1000, true }, { 1001, true }, { 1002, true },
        { 1003, true }, { 1004, false }, { 1005, false }, { 1006, false }, { 1007, true }, { 1008, true },
        { 1013, true }, { 1014, true }, { 1015, false }, { 1016, false }, { 2000, false }, { 2999, false },
        { 3000, true }, { 4000, true }, { 4999, true }, { 5000, false }, { 65535, false }, { -1, false },
        { -1000, false } };
    for (const auto &c : cases)
        QTest::addRow("%d", c.code) << c.code << c.valid;
}

void TestClosePayload::validCloseCode()
{
    QFETCH(int, code);
    QFETCH(bool, valid);
    QCOMPARE(isValidCloseCode(code), valid);
}

// Every code on the wire, against the ranges of RFC 6455 §7.4 written out independently.
void TestClosePayload::validCloseCodeMatchesRanges()
{
    for (int code = 0; code <= 65535; ++code) {
        const bool expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
            || (code >= 3000 && code <= 4999);
        if (isValidCloseCode(code) != expected)
            QFAIL(qPrintable(QStringLiteral("code %1").arg(code)));
        CloseInfo info;
        Failure failure;
        if (decodeClosePayload(codeBytes(quint16(code)), &info, &failure) != expected)
            QFAIL(qPrintable(QStringLiteral("decode of code %1").arg(code)));
    }
}

void TestClosePayload::decodeCode_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("valid");
    for (int code :
        { 999, 1000, 1003, 1004, 1005, 1006, 1007, 1014, 1015, 1016, 2999, 3000, 4999, 5000, 65535 }) {
        const bool valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
            || (code >= 3000 && code <= 4999);
        QTest::addRow("%d", code) << code << valid;
    }
}

void TestClosePayload::decodeCode()
{
    QFETCH(int, code);
    QFETCH(bool, valid);
    CloseInfo info;
    Failure failure;
    const QByteArray payload = codeBytes(quint16(code)) + QByteArrayLiteral("bye");
    QCOMPARE(decodeClosePayload(payload, &info, &failure), valid);
    if (valid) {
        QVERIFY(!failure.isFailure());
        QCOMPARE(int(info.code), code);
        QCOMPARE(info.reason, QStringLiteral("bye"));
    } else {
        QCOMPARE(failure.error, Error::Protocol);
        QCOMPARE(failure.closeCode, CloseCode::ProtocolError);
        QVERIFY2(failure.message.contains(QString::number(code)), qPrintable(failure.message));
    }
}

void TestClosePayload::decodeEmptyIsNoStatus()
{
    CloseInfo info;
    info.code = 1000;
    info.reason = QStringLiteral("stale");
    Failure failure;
    QVERIFY(decodeClosePayload({}, &info, &failure));
    QCOMPARE(info.code, quint16(CloseCode::NoStatus));
    QVERIFY(info.reason.isEmpty());
    QVERIFY(!failure.isFailure());
}

void TestClosePayload::decodeOneByteIsProtocolError()
{
    CloseInfo info;
    Failure failure;
    QVERIFY(!decodeClosePayload(QByteArrayLiteral("\x03"), &info, &failure));
    QCOMPARE(failure.error, Error::Protocol);
    QCOMPARE(failure.closeCode, CloseCode::ProtocolError);
}

void TestClosePayload::decodeReason()
{
    const QString reason = QStringLiteral("Au revoir, \u00e9t\u00e9 \u20ac \U0001F600");
    CloseInfo info;
    Failure failure;
    QVERIFY(decodeClosePayload(QByteArray(codeBytes(4000) + reason.toUtf8()), &info, &failure));
    QCOMPARE(info.code, quint16(4000));
    QCOMPARE(info.reason, reason);
}

void TestClosePayload::decodeInvalidReason_data()
{
    QTest::addColumn<QByteArray>("reason");
    QTest::newRow("lone continuation") << QByteArray("ok\x80");
    QTest::newRow("overlong") << QByteArray("\xC0\xAF");
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80");
    QTest::newRow("above U+10FFFF") << QByteArray("\xF4\x90\x80\x80");
    QTest::newRow("truncated sequence") << QByteArray("abc\xE2\x82");
    QTest::newRow("0xFF") << QByteArray("\xFF");
}

void TestClosePayload::decodeInvalidReason()
{
    QFETCH(QByteArray, reason);
    CloseInfo info;
    Failure failure;
    QVERIFY(!decodeClosePayload(QByteArray(codeBytes(1000) + reason), &info, &failure));
    QCOMPARE(failure.error, Error::Payload);
    QCOMPARE(failure.closeCode, CloseCode::InvalidPayload);
}

void TestClosePayload::decodeInvalidReasonWithoutValidation()
{
    CloseInfo info;
    Failure failure;
    QVERIFY(decodeClosePayload(QByteArray(codeBytes(1001) + "x\xFF"), &info, &failure, false));
    QCOMPARE(info.code, quint16(1001));
    QVERIFY(info.reason.startsWith(QLatin1Char('x')));
    QVERIFY(!failure.isFailure());
    // The code is still checked.
    QVERIFY(!decodeClosePayload(codeBytes(1005), &info, &failure, false));
    QCOMPARE(failure.error, Error::Protocol);
}

void TestClosePayload::decodeToleratesNullOutputs()
{
    QVERIFY(decodeClosePayload(codeBytes(1000), nullptr, nullptr));
    QVERIFY(!decodeClosePayload(codeBytes(1006), nullptr, nullptr));
}

void TestClosePayload::encode_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("normal, no reason") << 1000 << QString() << QByteArray("\x03\xE8");
    QTest::newRow("going away") << 1001 << QStringLiteral("bye")
                                << QByteArray(QByteArray("\x03\xE9") + "bye");
    QTest::newRow("application") << 4999 << QStringLiteral("\u00e9") << QByteArray("\x13\x87\xC3\xA9");
}

void TestClosePayload::encode()
{
    QFETCH(int, code);
    QFETCH(QString, reason);
    QFETCH(QByteArray, expected);
    QCOMPARE(encodeClosePayload(quint16(code), reason), expected);
}

void TestClosePayload::encodeNoStatusIsEmpty()
{
    QVERIFY(encodeClosePayload(quint16(CloseCode::NoStatus)).isEmpty());
    QVERIFY(encodeClosePayload(quint16(CloseCode::NoStatus), QStringLiteral("ignored")).isEmpty());
}

void TestClosePayload::encodeTruncatesOnUtf8Boundary_data()
{
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("expectedReasonBytes");

    QTest::newRow("ascii 123") << QString(123, QLatin1Char('a')) << 123;
    QTest::newRow("ascii 124") << QString(124, QLatin1Char('a')) << 123;
    QTest::newRow("ascii 500") << QString(500, QLatin1Char('a')) << 123;

    // A multi-byte character placed so that it ends at, just past, or well past byte 123.
    const struct
    {
        const char *name;
        QString character;
        int size;
    } characters[] = { { "2-byte", QStringLiteral("\u00e9"), 2 }, { "3-byte", QStringLiteral("\u20ac"), 3 },
        { "4-byte", QStringLiteral("\U0001F600"), 4 } };
    for (const auto &c : characters) {
        for (int start = 123 - c.size; start <= 123; ++start) {
            const bool fits = start + c.size <= 123;
            QTest::addRow("%s at byte %d", c.name, start)
                << QString(straddlingReason(start, c.character) + QStringLiteral("zz"))
                << (fits ? 123 : start);
        }
    }
}

void TestClosePayload::encodeTruncatesOnUtf8Boundary()
{
    QFETCH(QString, reason);
    QFETCH(int, expectedReasonBytes);
    const QByteArray payload = encodeClosePayload(1000, reason);
    QCOMPARE(payload.size(), 2 + expectedReasonBytes);
    QVERIFY(payload.size() <= 125);
    const QByteArray encodedReason = payload.mid(2);
    QVERIFY(encodedReason.size() <= MaxCloseReasonBytes);
    QVERIFY(Utf8Validator::isValid(encodedReason));
    QVERIFY(reason.toUtf8().startsWith(encodedReason));
    CloseInfo info;
    Failure failure;
    QVERIFY(decodeClosePayload(payload, &info, &failure));
}

void TestClosePayload::roundTrip()
{
    const QString reason = QStringLiteral("server shutting down \u2014 r\u00e9essayez \U0001F44B");
    for (quint16 code : { quint16(1000), quint16(1003), quint16(1011), quint16(3000), quint16(4321) }) {
        CloseInfo info;
        Failure failure;
        QVERIFY(decodeClosePayload(encodeClosePayload(code, reason), &info, &failure));
        QCOMPARE(info.code, code);
        QCOMPARE(info.reason, reason);
    }
}

void TestClosePayload::truncateUtf8_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray euro("\xE2\x82\xAC");
    QTest::newRow("shorter") << QByteArray("abc") << 5 << QByteArray("abc");
    QTest::newRow("exact") << QByteArray("abc") << 3 << QByteArray("abc");
    QTest::newRow("ascii cut") << QByteArray("abcdef") << 4 << QByteArray("abcd");
    QTest::newRow("zero") << QByteArray("abc") << 0 << QByteArray();
    QTest::newRow("before lead byte") << QByteArray("a" + euro) << 1 << QByteArray("a");
    QTest::newRow("after lead byte") << QByteArray("a" + euro) << 2 << QByteArray("a");
    QTest::newRow("inside sequence") << QByteArray("a" + euro) << 3 << QByteArray("a");
    QTest::newRow("whole sequence") << QByteArray("a" + euro + "b") << 4 << QByteArray("a" + euro);
    QTest::newRow("only a sequence") << euro << 2 << QByteArray();
}

void TestClosePayload::truncateUtf8()
{
    QFETCH(QByteArray, input);
    QFETCH(int, maxBytes);
    QFETCH(QByteArray, expected);
    QCOMPARE(Protocol::truncateUtf8(input, maxBytes).toByteArray(), expected);
}

QTEST_APPLESS_MAIN(TestClosePayload)
#include "tst_closepayload.moc"
