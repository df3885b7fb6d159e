#include "protocol/utf8validator.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qrandom.h>
#include <QtCore/qstring.h>
#include <QtTest/QtTest>

using namespace WsClient::Protocol;

namespace {

// Inconsistent: the validator contradicted itself (e.g. accepted input after rejecting some).
enum class Outcome { Valid, Invalid, Truncated, Inconsistent };

// Feeds \a bytes in pieces cut at \a cuts (ascending positions) and classifies the result.
Outcome feedInPieces(const QByteArray &bytes, const QList<qsizetype> &cuts)
{
    Utf8Validator validator;
    bool rejected = false;
    bool revived = false;
    qsizetype start = 0;
    QList<qsizetype> ends = cuts;
    ends.append(bytes.size());
    for (qsizetype end : ends) {
        const bool accepted = validator.feed(QByteArrayView(bytes).sliced(start, end - start));
        revived = revived || (rejected && accepted);
        rejected = rejected || !accepted;
        start = end;
    }
    if (revived || rejected != validator.hasFailed() || (rejected && validator.isComplete()))
        return Outcome::Inconsistent;
    if (rejected)
        return Outcome::Invalid;
    return validator.isComplete() ? Outcome::Valid : Outcome::Truncated;
}

// Independent oracle: Qt's decoder replaces every invalid sequence with U+FFFD, so only valid
// UTF-8 survives a round trip unchanged. (The leading 'x' keeps fromUtf8 from eating a BOM.)
bool qtThinksValid(const QByteArray &bytes)
{
    const QByteArray prefixed = 'x' + bytes;
    const bool roundTrips = QString::fromUtf8(prefixed).toUtf8() == prefixed;
#if QT_VERSION >= QT_VERSION_CHECK(6, 3, 0)
    const bool viewValid = QByteArrayView(bytes).isValidUtf8();
    if (viewValid != roundTrips)
        qWarning("Qt oracles disagree on %s", bytes.toHex(' ').constData());
    return viewValid && roundTrips;
#else
    return roundTrips;
#endif
}

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text);
}

} // namespace

Q_DECLARE_METATYPE(Outcome)

class TestUtf8Validator : public QObject
{
    Q_OBJECT

    static void addCases(bool invalidOnly);

private Q_SLOTS:
    void wholeBuffer_data();
    void wholeBuffer();
    void failsAtFirstImpossibleByte_data();
    void failsAtFirstImpossibleByte();
    void everyTwoWaySplit_data() { wholeBuffer_data(); }
    void everyTwoWaySplit();
    void everyThreeWaySplit_data() { wholeBuffer_data(); }
    void everyThreeWaySplit();
    void byteAtATime_data() { wholeBuffer_data(); }
    void byteAtATime();
    void insideLongAsciiRun_data();
    void insideLongAsciiRun();
    void failingStaysFailedUntilReset();
    void emptyFeeds();
    void agreesWithQtOnRandomInput();
    void largePiecesEverywhere();
};

void TestUtf8Validator::wholeBuffer_data()
{
    addCases(false);
}

void TestUtf8Validator::addCases(bool invalidOnly)
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<Outcome>("outcome");
    // Index of the byte whose arrival makes the input invalid (Invalid rows only).
    QTest::addColumn<int>("failAt");

    auto valid = [invalidOnly](const char *name, const QByteArray &bytes) {
        if (!invalidOnly)
            QTest::newRow(name) << bytes << Outcome::Valid << -1;
    };
    auto invalid = [](const char *name, const QByteArray &bytes, int failAt) {
        QTest::newRow(name) << bytes << Outcome::Invalid << failAt;
    };
    auto truncated = [invalidOnly](const char *name, const QByteArray &bytes) {
        if (!invalidOnly)
            QTest::newRow(name) << bytes << Outcome::Truncated << -1;
    };

    valid("empty", QByteArray());
    valid("U+0000", hex("00"));
    valid("U+007F", hex("7f"));
    valid("U+0080", hex("c280"));
    valid("U+07FF", hex("dfbf"));
    valid("U+0800", hex("e0a080"));
    valid("U+D7FF", hex("ed9fbf"));
    valid("U+E000", hex("ee8080"));
    valid("U+FFFD", hex("efbfbd"));
    valid("U+FFFF", hex("efbfbf"));
    valid("U+10000", hex("f0908080"));
    valid("U+10FFFF", hex("f48fbfbf"));
    valid("U+FEFF BOM", hex("efbbbf"));
    valid("ascii text", QByteArray("Hello, WebSocket! 0123456789 abcdefghijklmnopqrstuvwxyz"));
    valid("greek kosme", hex("cebae1bdb9cf83cebcceb5"));
    valid("mixed widths", hex("41c3a9e282acf09f9880") + QByteArray("tail"));
    valid("all boundaries back to back", hex("007fc280dfbfe0a080ed9fbfee8080efbfbff0908080f48fbfbf"));

    invalid("overlong C0 80", hex("c080"), 0);
    invalid("overlong C1 BF", hex("c1bf"), 0);
    invalid("overlong E0 80 80", hex("e08080"), 1);
    invalid("overlong E0 9F BF", hex("e09fbf"), 1);
    invalid("overlong F0 80 80 80", hex("f0808080"), 1);
    invalid("overlong F0 8F BF BF", hex("f08fbfbf"), 1);
    invalid("overlong slash C0 AF", hex("6162c0af"), 2);
    invalid("surrogate ED A0 80", hex("eda080"), 1);
    invalid("surrogate ED BF BF", hex("edbfbf"), 1);
    invalid("surrogate pair (CESU-8)", hex("eda0bdedb2a9"), 1);
    invalid("above U+10FFFF F4 90 80 80", hex("f4908080"), 1);
    invalid("lead F5", hex("f5808080"), 0);
    invalid("lead F7", hex("f7bfbfbf"), 0);
    invalid("lead F8 (5-byte form)", hex("f888808080"), 0);
    invalid("lead FC (6-byte form)", hex("fc8480808080"), 0);
    invalid("byte FE", hex("fe"), 0);
    invalid("byte FF", hex("ff"), 0);
    invalid("lone continuation 80", hex("80"), 0);
    invalid("lone continuation BF", hex("bf"), 0);
    invalid("continuation after ascii", hex("618062"), 1);
    invalid("extra continuation after 2-byte", hex("c280 80"), 2);
    invalid("2-byte lead then ascii", hex("c241"), 1);
    invalid("2-byte lead then lead", hex("c2c2"), 1);
    invalid("3-byte cut by ascii", hex("e18041"), 2);
    invalid("4-byte cut by ascii", hex("f1808041"), 3);
    invalid("4-byte cut by lead", hex("f0908080f09080e0"), 7);
    invalid(
        "valid text then bad byte", QByteArray("valid text, then: ") + hex("ff") + QByteArray("more"), 18);

    truncated("2-byte lead at end", hex("c2"));
    truncated("3-byte sequence missing 1", hex("e1 80"));
    truncated("3-byte lead at end", hex("e0"));
    truncated("4-byte sequence missing 1", hex("f09080"));
    truncated("U+10FFFF missing 1", hex("f48fbf"));
    truncated("euro sign cut after text", QByteArray("price: 5") + hex("e282"));
}

void TestUtf8Validator::wholeBuffer()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Outcome, outcome);

    Utf8Validator validator;
    const bool fed = validator.feed(bytes);
    QCOMPARE(fed, outcome != Outcome::Invalid);
    QCOMPARE(validator.hasFailed(), outcome == Outcome::Invalid);
    QCOMPARE(validator.isComplete(), outcome == Outcome::Valid);
    QCOMPARE(Utf8Validator::isValid(bytes), outcome == Outcome::Valid);
    // The independent oracle agrees on every hand-written case.
    QCOMPARE(qtThinksValid(bytes), outcome == Outcome::Valid);

    // Followed by more text, each sequence is whole in the buffer, which takes the validator's
    // sequence-at-once path rather than the byte-wise one used near the end; an unfinished
    // sequence becomes an error.
    for (const QByteArray &prefix : { QByteArray(), QByteArray("0123456789") }) {
        const QByteArray padded = prefix + bytes + QByteArray("ascii after");
        QCOMPARE(Utf8Validator::isValid(padded), outcome == Outcome::Valid);
        QCOMPARE(feedInPieces(padded, {}), outcome == Outcome::Valid ? Outcome::Valid : Outcome::Invalid);
    }
}

void TestUtf8Validator::failsAtFirstImpossibleByte_data()
{
    addCases(true);
}

void TestUtf8Validator::failsAtFirstImpossibleByte()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Outcome, outcome);
    QFETCH(int, failAt);
    QCOMPARE(outcome, Outcome::Invalid);

    // Fail fast: everything before the failing byte is accepted, that byte is rejected, whether
    // it arrives alone or at the start of the remaining input.
    Utf8Validator validator;
    QVERIFY(validator.feed(QByteArrayView(bytes).first(failAt)));
    QVERIFY(!validator.hasFailed());
    Utf8Validator split = validator;
    QVERIFY(!validator.feed(QByteArrayView(bytes).sliced(failAt, 1)));
    QVERIFY(validator.hasFailed());
    QVERIFY(!split.feed(QByteArrayView(bytes).sliced(failAt)));
    QVERIFY(split.hasFailed());
}

void TestUtf8Validator::everyTwoWaySplit()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Outcome, outcome);
    for (qsizetype cut = 0; cut <= bytes.size(); ++cut)
        QVERIFY2((feedInPieces(bytes, { cut })) == outcome, qPrintable(QString::number(cut)));
}

void TestUtf8Validator::everyThreeWaySplit()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Outcome, outcome);
    for (qsizetype first = 0; first <= bytes.size(); ++first) {
        for (qsizetype second = first; second <= bytes.size(); ++second) {
            QVERIFY2((feedInPieces(bytes, { first, second })) == outcome,
                qPrintable(QStringLiteral("cuts %1 %2").arg(first).arg(second)));
        }
    }
}

void TestUtf8Validator::byteAtATime()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Outcome, outcome);
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < bytes.size(); ++i)
        cuts.append(i);
    QCOMPARE((feedInPieces(bytes, cuts)), outcome);
}

void TestUtf8Validator::insideLongAsciiRun_data()
{
    QTest::addColumn<QByteArray>("insert");
    QTest::addColumn<Outcome>("outcome");
    QTest::newRow("byte 80") << hex("80") << Outcome::Invalid;
    QTest::newRow("byte FF") << hex("ff") << Outcome::Invalid;
    QTest::newRow("byte C0") << hex("c0") << Outcome::Invalid;
    QTest::newRow("surrogate") << hex("eda080") << Outcome::Invalid;
    QTest::newRow("2-byte lead then ascii") << hex("c3") << Outcome::Invalid;
    QTest::newRow("U+00E9") << hex("c3a9") << Outcome::Valid;
    QTest::newRow("U+20AC") << hex("e282ac") << Outcome::Valid;
    QTest::newRow("U+1F600") << hex("f09f9880") << Outcome::Valid;
}

void TestUtf8Validator::insideLongAsciiRun()
{
    // The ASCII fast path skips 8 bytes at a time: a non-ASCII byte must be noticed at every
    // position relative to the word boundaries, including the last few bytes handled one by one.
    QFETCH(QByteArray, insert);
    QFETCH(Outcome, outcome);
    for (int position = 0; position <= 40; ++position) {
        for (int tail : { 0, 1, 7, 8, 9, 24 }) {
            const QByteArray bytes = QByteArray(position, 'a') + insert + QByteArray(tail, 'z');
            Outcome expected = outcome;
            // A lone lead byte at the very end is not yet an error, only unfinished.
            if (tail == 0 && insert == hex("c3"))
                expected = Outcome::Truncated;
            QVERIFY2(feedInPieces(bytes, {}) == expected,
                qPrintable(QStringLiteral("position %1 tail %2").arg(position).arg(tail)));
            // Same again with the run cut in the middle of the inserted sequence.
            QVERIFY2(feedInPieces(bytes, { position + 1 }) == expected,
                qPrintable(QStringLiteral("cut: position %1 tail %2").arg(position).arg(tail)));
        }
    }
}

void TestUtf8Validator::failingStaysFailedUntilReset()
{
    Utf8Validator validator;
    QVERIFY(validator.feed(QByteArrayView("abc")));
    QVERIFY(!validator.feed(hex("ff")));
    QVERIFY(validator.hasFailed());
    // Valid input after the failure does not revive it, at any size (fast path or DFA).
    QVERIFY(!validator.feed(QByteArrayView("x")));
    QVERIFY(!validator.feed(QByteArrayView("a long run of perfectly valid ascii text")));
    QVERIFY(!validator.feed(hex("c3a9")));
    QVERIFY(!validator.feed(QByteArrayView()));
    QVERIFY(validator.hasFailed());
    QVERIFY(!validator.isComplete());

    validator.reset();
    QVERIFY(!validator.hasFailed());
    QVERIFY(validator.isComplete());
    QVERIFY(validator.feed(hex("c3a9")));
    QVERIFY(validator.isComplete());

    // reset() also forgets an unfinished sequence.
    QVERIFY(validator.feed(hex("e2")));
    QVERIFY(!validator.isComplete());
    validator.reset();
    QVERIFY(validator.feed(QByteArrayView("plain")));
    QVERIFY(validator.isComplete());
}

void TestUtf8Validator::emptyFeeds()
{
    // Empty pieces (e.g. zero-length continuation frames) change nothing, even mid-sequence.
    Utf8Validator validator;
    QVERIFY(validator.feed(QByteArrayView()));
    QVERIFY(validator.isComplete());
    QVERIFY(validator.feed(hex("f0")));
    QVERIFY(validator.feed(QByteArrayView()));
    QVERIFY(validator.feed(hex("9f")));
    QVERIFY(validator.feed(QByteArrayView()));
    QVERIFY(!validator.isComplete());
    QVERIFY(validator.feed(hex("9880")));
    QVERIFY(validator.isComplete());
}

void TestUtf8Validator::agreesWithQtOnRandomInput()
{
    // Strings built from random code points of every width (so mostly valid), then damaged the
    // ways real bugs look: a flipped byte, a cut, an inserted byte, a surrogate or overlong form.
    QRandomGenerator generator(20240611);
    auto randomCodePoint = [&generator]() -> char32_t {
        switch (generator.bounded(6)) {
        case 0:
        case 1:
            return char32_t(generator.bounded(0x80));
        case 2:
            return char32_t(0x80 + generator.bounded(0x800 - 0x80));
        case 3: {
            const char32_t c = char32_t(0x800 + generator.bounded(0x10000 - 0x800));
            return c >= 0xD800 && c <= 0xDFFF ? c - 0x800 : c;
        }
        case 4:
            return char32_t(0x10000 + generator.bounded(0x110000 - 0x10000));
        default:
            // Near the edges of each range.
            static const char32_t edges[]
                = { 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF };
            return edges[generator.bounded(int(std::size(edges)))];
        }
    };
    static const QByteArray damages[] = { hex("eda080"), hex("edbfbf"), hex("c080"), hex("e08080"),
        hex("f4908080"), hex("f8"), hex("80"), hex("c2") };

    int validCount = 0;
    int invalidCount = 0;
    for (int round = 0; round < 4000; ++round) {
        QString text;
        const int length = generator.bounded(40);
        for (int i = 0; i < length; ++i) {
            const char32_t c = randomCodePoint();
            text += QString::fromUcs4(&c, 1);
        }
        QByteArray bytes = text.toUtf8();
        switch (generator.bounded(6)) {
        case 0: // flip a bit
            if (!bytes.isEmpty())
                bytes[generator.bounded(int(bytes.size()))] ^= char(1 << generator.bounded(8));
            break;
        case 1: // cut anywhere
            bytes.truncate(generator.bounded(int(bytes.size()) + 1));
            break;
        case 2: // insert a random byte
            bytes.insert(generator.bounded(int(bytes.size()) + 1), char(generator.bounded(256)));
            break;
        case 3: // insert a known bad sequence
            bytes.insert(generator.bounded(int(bytes.size()) + 1),
                damages[generator.bounded(int(std::size(damages)))]);
            break;
        default: // leave it valid
            break;
        }

        const bool expected = qtThinksValid(bytes);
        (expected ? validCount : invalidCount)++;
        QVERIFY2(Utf8Validator::isValid(bytes) == expected, bytes.toHex(' ').constData());
        // And incrementally, cut at a random point.
        const qsizetype cut = generator.bounded(int(bytes.size()) + 1);
        QVERIFY2(
            ((feedInPieces(bytes, { cut })) == Outcome::Valid) == expected, bytes.toHex(' ').constData());
    }
    // The generator must exercise both sides.
    QVERIFY(validCount > 1000);
    QVERIFY(invalidCount > 1000);
}

void TestUtf8Validator::largePiecesEverywhere()
{
    // Large pieces go to the vector validator in blocks of 16 bytes, cut before their last code
    // point (or, without it, are checked as two halves that meet at a code point near the middle):
    // shift a text of every sequence width past those seams one byte at a time, and put a bad
    // sequence at every position, including straddling the middle. tst_utf8simd compares each path
    // with the DFA in depth.
    const QByteArray unit = QStringLiteral("aé€😀z").toUtf8(); // widths 1, 2, 3, 4, 1
    static const QByteArray damages[] = { hex("eda080"), hex("c080"), hex("e08080"), hex("f4908080"),
        hex("f8"), hex("80"), hex("c2"), hex("f09f98") };
    for (int size : { 64, 65, 97, 200 }) {
        for (int shift = 0; shift < 16; ++shift) {
            QByteArray text = QByteArray(shift, 'x');
            while (text.size() < size)
                text += unit;
            QVERIFY2(Utf8Validator::isValid(text),
                qPrintable(QStringLiteral("size %1 shift %2").arg(size).arg(shift)));
            QCOMPARE(feedInPieces(text + hex("e2"), {}), Outcome::Truncated);
        }
        QByteArray text;
        while (text.size() < size)
            text += unit;
        for (const QByteArray &damage : damages) {
            for (qsizetype at = 0; at <= text.size(); ++at) {
                const QByteArray bytes = QByteArray(text).insert(at, damage);
                QVERIFY2(!Utf8Validator::isValid(bytes), bytes.toHex(' ').constData());
                QCOMPARE(Utf8Validator::isValid(bytes), qtThinksValid(bytes));
            }
        }
    }
}

QTEST_APPLESS_MAIN(TestUtf8Validator)
#include "tst_utf8validator.moc"
