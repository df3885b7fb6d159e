// Differential tests of the UTF-8 validator's fast paths against the DFA stepped one byte at a
// time: the vector validator on its own (Utf8Simd::isValidComplete), Utf8Validator::feed() (which
// hands pieces of 64 bytes and more to it, with the DFA around the cuts) and the DFA's own block
// and two-stream paths (Utf8Dfa::run on whole inputs, the portable path of other CPUs). The
// vector validator works on 16-byte blocks and 64-byte chunks, so every case is placed at many
// offsets: inside a block, across block and chunk boundaries, at the very end (in the zero-padded
// last block) and before long ASCII runs (the chunk skip).

#include "protocol/utf8dfa.h"
#include "protocol/utf8simd.h"
#include "protocol/utf8validator.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qrandom.h>
#include <QtCore/qstring.h>
#include <QtTest/QtTest>

using namespace WsClient::Protocol;

namespace {

enum class Outcome { Valid, Truncated, Invalid };

const char *name(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Valid:
        return "valid";
    case Outcome::Truncated:
        return "truncated";
    case Outcome::Invalid:
        return "invalid";
    }
    return "?";
}

Outcome outcomeOf(quint8 state)
{
    if (state == Utf8Dfa::Accept)
        return Outcome::Valid;
    return state == Utf8Dfa::Reject ? Outcome::Invalid : Outcome::Truncated;
}

Outcome outcomeOf(const Utf8Validator &validator)
{
    if (validator.hasFailed())
        return Outcome::Invalid;
    return validator.isComplete() ? Outcome::Valid : Outcome::Truncated;
}

const uchar *bytesOf(QByteArrayView bytes)
{
    return reinterpret_cast<const uchar *>(bytes.data());
}

// The reference: one DFA step per byte, none of the block, two-stream or vector paths.
Outcome byteAtATime(QByteArrayView bytes)
{
    quint8 state = Utf8Dfa::Accept;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        state = Utf8Dfa::run(state, bytesOf(bytes) + i, bytesOf(bytes) + i + 1);
    return outcomeOf(state);
}

/*
    Empty when every fast path agrees with \a expected on \a bytes, fed whole and, when \a cut is
    given, in two pieces cut there; otherwise what disagreed.
*/
QByteArray disagreement(const QByteArray &bytes, Outcome expected, qsizetype cut = -1)
{
    QByteArray what;
    auto report = [&](const char *path, Outcome got) {
        if (got != expected)
            what += QByteArray(path) + " says " + name(got) + ", ";
    };
    if (Utf8Simd::isAvailable()) {
        const bool complete = Utf8Simd::isValidComplete(bytesOf(bytes), bytes.size());
        if (complete != (expected == Outcome::Valid))
            what += QByteArray("isValidComplete says ") + (complete ? "valid" : "not valid") + ", ";
    }
    report("Utf8Dfa::run",
        outcomeOf(Utf8Dfa::run(Utf8Dfa::Accept, bytesOf(bytes), bytesOf(bytes) + bytes.size())));
    Utf8Validator whole;
    whole.feed(bytes);
    report("feed", outcomeOf(whole));
    if (cut >= 0) {
        Utf8Validator pieces;
        pieces.feed(QByteArrayView(bytes).first(cut));
        pieces.feed(QByteArrayView(bytes).sliced(cut));
        report("feed in two pieces", outcomeOf(pieces));
    }
    if (what.isEmpty())
        return what;
    return what + "expected " + name(expected) + ", " + QByteArray::number(bytes.size()) + " bytes"
        + (cut >= 0 ? ", cut at " + QByteArray::number(cut) : QByteArray()) + ": " + bytes.toHex(' ');
}

#define CHECK_AGREES(...)                                                                                    \
    do {                                                                                                     \
        const QByteArray disagreed = disagreement(__VA_ARGS__);                                              \
        if (!disagreed.isEmpty())                                                                            \
            QFAIL(disagreed.constData());                                                                    \
    } while (false)

QByteArray utf8(char32_t c)
{
    return QString::fromUcs4(&c, 1).toUtf8();
}

// Valid, complete text of exactly \a size bytes. Mixed: code points of every width, so that
// the vector validator's non-ASCII path runs over it; otherwise ASCII, which it skips.
QByteArray context(qsizetype size, bool mixed, char fill = 'a')
{
    if (!mixed)
        return QByteArray(size, fill);
    static const QByteArray pieces[]
        = { utf8(0xE9), utf8(0x20AC), QByteArray("a"), utf8(0x1F600), utf8(0x7FF), utf8(0x10FFFF) };
    QByteArray text;
    for (int i = 0; text.size() < size; ++i) {
        const QByteArray &piece = pieces[i % std::size(pieces)];
        text += text.size() + piece.size() <= size ? piece : QByteArray(1, fill);
    }
    return text;
}

// One byte of every class the validators tell apart, with the ends of each range.
const QByteArray kRepresentatives = QByteArray::fromHex("00417f808f909fa0bfc0c1c2dfe0e1ecedeeeff0f1f3f4f5ff");
// Fewer, for the 4-byte sequences (still every class).
const QByteArray kRepresentatives4 = QByteArray::fromHex("41808f90a0bfc2e0edeff0f4f5");

QList<QByteArray> sequencesOf(const QByteArray &alphabet, int length)
{
    QList<QByteArray> out = { QByteArray() };
    for (int i = 0; i < length; ++i) {
        QList<QByteArray> longer;
        longer.reserve(out.size() * alphabet.size());
        for (const QByteArray &s : out) {
            for (char c : alphabet)
                longer.append(s + c);
        }
        out = longer;
    }
    return out;
}

// What follows a case, chosen in turn: nothing (the case ends the input, in the padded last
// block), one ASCII byte, a run long enough to hold a whole ASCII chunk, or mixed text.
QByteArray suffix(int which)
{
    switch (which % 4) {
    case 0:
        return QByteArray();
    case 1:
        return QByteArray("z");
    case 2:
        return QByteArray(140, 'z');
    default:
        return context(70, true, 'z');
    }
}

} // namespace

class TestUtf8Simd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void boundaryCasesAtEveryOffset_data();
    void boundaryCasesAtEveryOffset();
    void everyPairAcrossBlocks();
    void shortSequencesAtBlockOffsets();
    void longSequencesAtBlockEdges();
    void sequencesSplitBetweenLargePieces();
    void everyLengthUpTo200();
    void mutatedRandomText();
    void errorEarlyInLargePiece();
};

void TestUtf8Simd::initTestCase()
{
#if defined(WSCLIENT_UTF8_SIMD)
    qInfo("vector validator compiled in, %s on this CPU", Utf8Simd::isAvailable() ? "used" : "not usable");
#else
    qInfo("vector validator not compiled in: only the DFA paths are compared");
#endif
    // Sanity of the reference itself.
    QCOMPARE(byteAtATime(QByteArray::fromHex("f09f9880")), Outcome::Valid);
    QCOMPARE(byteAtATime(QByteArray::fromHex("f09f98")), Outcome::Truncated);
    QCOMPARE(byteAtATime(QByteArray::fromHex("eda080")), Outcome::Invalid);
}

void TestUtf8Simd::boundaryCasesAtEveryOffset_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    auto row = [](const char *hex, bool valid) { QTest::newRow(hex) << QByteArray::fromHex(hex) << valid; };
    // The second byte's range after E0, ED, F0 and F4 (RFC 3629 §4), both sides of each edge.
    row("e09fbf", false);
    row("e0a080", true);
    row("ed9fbf", true);
    row("eda080", false);
    row("f08fbfbf", false);
    row("f0908080", true);
    row("f48fbfbf", true);
    row("f4908080", false);
    row("f5808080", false);
    row("c1bf", false);
    row("c280", true);
    row("dfbf", true);
    row("e1bfbf", true);
    row("efbfbf", true);
    row("f3bfbfbf", true);
    row("80", false);
    row("c2c2", false);
    row("e1 80 e1 80 80", false);
    row("f1808080 80", false);
}

void TestUtf8Simd::boundaryCasesAtEveryOffset()
{
    // Expectations from the RFC, not from the reference: the reference is checked too.
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    QCOMPARE(byteAtATime(bytes), valid ? Outcome::Valid : Outcome::Invalid);
    for (int offset = 0; offset <= 140; ++offset) {
        for (int which = 0; which < 4; ++which) {
            const QByteArray text = context(offset, offset % 2) + bytes + suffix(which);
            QCOMPARE(byteAtATime(text), valid ? Outcome::Valid : Outcome::Invalid);
            CHECK_AGREES(text, valid ? Outcome::Valid : Outcome::Invalid);
        }
    }
}

void TestUtf8Simd::everyPairAcrossBlocks()
{
    // Every byte pair, followed by 0-3 continuation bytes or ASCII, inside a block, across a
    // block boundary and across a chunk boundary: each table entry and each pair rule.
    static const QByteArray continuations[] = { QByteArray(), QByteArray::fromHex("80"),
        QByteArray::fromHex("bf80"), QByteArray::fromHex("8080bf"), QByteArray("x") };
    int valid = 0;
    for (int first = 0; first < 256; ++first) {
        for (int second = 0; second < 256; ++second) {
            for (const QByteArray &more : continuations) {
                const QByteArray sequence = QByteArray(1, char(first)) + char(second) + more;
                const Outcome expected = byteAtATime(sequence);
                valid += expected == Outcome::Valid;
                static const int offsets[] = { 3, 15, 63, 78 };
                const int variant = first + second;
                const int offset = offsets[variant % 4];
                CHECK_AGREES(context(offset, variant % 3 == 0) + sequence, expected);
            }
        }
    }
    QVERIFY(valid > 1000);
}

void TestUtf8Simd::shortSequencesAtBlockOffsets()
{
    // Sequences of 1-3 representative bytes at every offset of the first block and a half and
    // around the first chunk boundary, ending the input or followed by more.
    QList<QByteArray> sequences;
    for (int length = 1; length <= 3; ++length)
        sequences += sequencesOf(kRepresentatives, length);
    int index = 0;
    for (const QByteArray &sequence : sequences) {
        ++index;
        const Outcome atEnd = byteAtATime(sequence);
        // Anything after a sequence left open makes it invalid; after a complete one, it stays valid.
        const Outcome followed = atEnd == Outcome::Valid ? Outcome::Valid : Outcome::Invalid;
        for (int offset = 0; offset < 80; ++offset) {
            if (offset > 24 && offset < 56)
                continue;
            const QByteArray before = context(offset, (offset + index) % 2);
            CHECK_AGREES(before + sequence, atEnd);
            const QByteArray after = suffix(1 + (offset + index) % 3);
            CHECK_AGREES(before + sequence + after, followed);
        }
    }
}

void TestUtf8Simd::longSequencesAtBlockEdges()
{
    // 4 representative bytes at the offsets where they cross a block or chunk boundary or end in
    // the padded last block.
    int index = 0;
    for (const QByteArray &sequence : sequencesOf(kRepresentatives4, 4)) {
        ++index;
        const Outcome atEnd = byteAtATime(sequence);
        const Outcome followed = atEnd == Outcome::Valid ? Outcome::Valid : Outcome::Invalid;
        for (int offset : { 0, 1, 13, 14, 15, 30, 61, 62, 63, 77 }) {
            const QByteArray before = context(offset, (offset + index) % 2);
            CHECK_AGREES(before + sequence, atEnd);
            CHECK_AGREES(before + sequence + suffix(1 + index % 3), followed);
        }
    }
}

void TestUtf8Simd::sequencesSplitBetweenLargePieces()
{
    // Two pieces of 64 bytes or more with the cut inside a sequence: the first piece's vector
    // part must stop before it, and the second must close it with the DFA before its own.
    QList<QByteArray> sequences = sequencesOf(kRepresentatives4, 2) + sequencesOf(kRepresentatives4, 3);
    static const QByteArray wide[] = { utf8(0x80), utf8(0x800), utf8(0xFFFF), utf8(0x10000), utf8(0x10FFFF) };
    for (const QByteArray &w : wide)
        sequences.append(w);
    int index = 0;
    for (const QByteArray &sequence : sequences) {
        ++index;
        const Outcome followed = byteAtATime(sequence) == Outcome::Valid ? Outcome::Valid : Outcome::Invalid;
        for (int offset : { 64, 67, 79 }) {
            const QByteArray text
                = context(offset, (index + offset) % 2) + sequence + context(70, index % 2, 'z');
            for (qsizetype cut = offset; cut <= offset + sequence.size(); ++cut)
                CHECK_AGREES(text, followed, cut);
        }
    }
}

void TestUtf8Simd::everyLengthUpTo200()
{
    // Every length through the first chunks and the zero-padded end: valid text, the same with
    // its last code point cut short, and with one byte too many.
    for (int length = 0; length <= 200; ++length) {
        for (bool mixed : { false, true }) {
            const QByteArray text = context(length, mixed);
            CHECK_AGREES(text, Outcome::Valid);
            for (const QByteArray &wide : { utf8(0x20AC), utf8(0x1F600), utf8(0xE9) }) {
                const QByteArray cutShort = text + wide.first(wide.size() - 1);
                CHECK_AGREES(cutShort, Outcome::Truncated, length);
                CHECK_AGREES(text + wide + char(0x80), Outcome::Invalid, length / 2);
            }
        }
    }
}

void TestUtf8Simd::mutatedRandomText()
{
    // Random text of every width, mostly near range edges, damaged once in one of the ways real
    // bugs look, fed whole and cut at a random point.
    QRandomGenerator random(0x5eed);
    auto codePoint = [&random]() -> char32_t {
        static const char32_t edges[] = { 0x00, 0x7F, 0x80, 0x7FF, 0x800, 0xFFF, 0x1000, 0xD7FF, 0xE000,
            0xFFFD, 0xFFFF, 0x10000, 0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF };
        switch (random.bounded(8)) {
        case 0:
        case 1:
        case 2:
            return char32_t(0x20 + random.bounded(0x5F));
        case 3:
            return char32_t(0x80 + random.bounded(0x800 - 0x80));
        case 4: {
            const char32_t c = char32_t(0x800 + random.bounded(0x10000 - 0x800));
            return c >= 0xD800 && c <= 0xDFFF ? c + 0x800 : c;
        }
        case 5:
            return char32_t(0x10000 + random.bounded(0x110000 - 0x10000));
        default:
            return edges[random.bounded(int(std::size(edges)))];
        }
    };
    static const QByteArray damages[] = { QByteArray::fromHex("eda080"), QByteArray::fromHex("c0af"),
        QByteArray::fromHex("e08080"), QByteArray::fromHex("f08f8080"), QByteArray::fromHex("f4908080"),
        QByteArray::fromHex("f5"), QByteArray::fromHex("c2"), QByteArray::fromHex("e2 82") };

    int counts[3] = {};
    for (int round = 0; round < 30000; ++round) {
        const int length = random.bounded(201);
        QByteArray text;
        while (text.size() < length) {
            // Long ASCII runs now and then, so that whole chunks are skipped.
            if (random.bounded(16) == 0)
                text += QByteArray(random.bounded(100), 'r');
            else
                text += utf8(codePoint());
        }
        const qsizetype at = text.isEmpty() ? 0 : random.bounded(int(text.size()));
        switch (random.bounded(7)) {
        case 0: // flip a bit
            if (!text.isEmpty())
                text[at] = char(text[at] ^ (1 << random.bounded(8)));
            break;
        case 1: // replace a byte
            if (!text.isEmpty())
                text[at] = char(random.bounded(256));
            break;
        case 2: // insert a continuation byte
            text.insert(at, char(0x80 + random.bounded(0x40)));
            break;
        case 3: // drop a byte
            if (!text.isEmpty())
                text.remove(at, 1);
            break;
        case 4: // cut short
            text.truncate(at);
            break;
        case 5: // insert a known bad or unfinished sequence
            text.insert(at, damages[random.bounded(int(std::size(damages)))]);
            break;
        default: // leave it valid
            break;
        }
        const Outcome expected = byteAtATime(text);
        ++counts[int(expected)];
        CHECK_AGREES(text, expected, random.bounded(int(text.size()) + 1));
    }
    // Every outcome is well represented.
    QVERIFY2(counts[int(Outcome::Valid)] > 5000 && counts[int(Outcome::Truncated)] > 800
            && counts[int(Outcome::Invalid)] > 5000,
        qPrintable(QStringLiteral("%1 %2 %3").arg(counts[0]).arg(counts[1]).arg(counts[2])));
}

void TestUtf8Simd::errorEarlyInLargePiece()
{
    // An error early in a large piece is found, whatever follows; and a later valid piece does
    // not revive the validator.
    const QByteArray text = context(100, true) + QByteArray::fromHex("eda080") + QByteArray(1 << 16, 'a');
    CHECK_AGREES(text, Outcome::Invalid);
    Utf8Validator validator;
    QVERIFY(!validator.feed(text));
    QVERIFY(!validator.feed(context(1000, true)));
    QVERIFY(validator.hasFailed());
}

QTEST_APPLESS_MAIN(TestUtf8Simd)
#include "tst_utf8simd.moc"
