#include "protocol/masking.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qrandom.h>
#include <QtTest/QtTest>

#include <vector>

using namespace WsClient::Protocol;

Q_DECLARE_METATYPE(WsClient::Protocol::MaskKey)

namespace {

// RFC 6455 §5.3, one byte at a time: the definition the word-wise code must match.
QByteArray referenceMask(QByteArrayView data, const MaskKey &key, quint64 offset)
{
    QByteArray out(data.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < data.size(); ++i)
        out[i] = char(uchar(data[i]) ^ key[(offset + quint64(i)) % 4]);
    return out;
}

QByteArray patternBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char(generator.bounded(256));
    return out;
}

constexpr qsizetype MaxSize = 100;
constexpr quint64 MaxOffset = 7;
constexpr qsizetype MaxMisalignment = 7;
constexpr char Guard = char(0xA5);

} // namespace

class TestMasking : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rfcExample();
    void applyMask_matchesReference_data();
    void applyMask_matchesReference();
    void maskCopy_matchesReference_data();
    void maskCopy_matchesReference();
    void maskCopy_inPlace();
    void maskingTwiceRestores_data();
    void maskingTwiceRestores();
    void piecewiseEqualsWhole();
    void largeBuffer();
    void randomMaskKey_varies();
};

void TestMasking::rfcExample()
{
    // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
    const MaskKey key { 0x37, 0xfa, 0x21, 0x3d };
    QByteArray data("Hello");
    applyMask(data.data(), data.size(), key);
    QCOMPARE(data, QByteArray::fromHex("7f9f4d5158"));

    QByteArray copy(5, Qt::Uninitialized);
    maskCopy(copy.data(), "Hello", 5, key);
    QCOMPARE(copy, QByteArray::fromHex("7f9f4d5158"));
}

void TestMasking::applyMask_matchesReference_data()
{
    QTest::addColumn<MaskKey>("key");
    QTest::newRow("rfc key") << MaskKey { 0x37, 0xfa, 0x21, 0x3d };
    QTest::newRow("all ones") << MaskKey { 0xff, 0xff, 0xff, 0xff };
    QTest::newRow("zero") << MaskKey { 0, 0, 0, 0 };
    QTest::newRow("distinct bytes") << MaskKey { 0x01, 0x80, 0x7f, 0xfe };
}

void TestMasking::applyMask_matchesReference()
{
    QFETCH(MaskKey, key);
    // Every size around the word and 32-byte loops, at every key phase and every pointer alignment;
    // guard bytes on both sides catch writes outside [data, data + size).
    for (qsizetype size = 0; size <= MaxSize; ++size) {
        const QByteArray original = patternBytes(size, quint32(size));
        for (quint64 offset = 0; offset <= MaxOffset; ++offset) {
            const QByteArray expected = referenceMask(original, key, offset);
            for (qsizetype misalignment = 0; misalignment <= MaxMisalignment; ++misalignment) {
                std::vector<char> storage(size_t(size + 2 * 8 + MaxMisalignment), Guard);
                char *data = storage.data() + 8 + misalignment;
                if (size > 0)
                    std::memcpy(data, original.constData(), size_t(size));
                applyMask(data, size, key, offset);
                QVERIFY2(QByteArrayView(data, size) == expected,
                    qPrintable(QStringLiteral("size %1 offset %2 misalignment %3")
                                   .arg(size)
                                   .arg(offset)
                                   .arg(misalignment)));
                for (qsizetype i = 0; i < 8 + misalignment; ++i)
                    QCOMPARE(storage[size_t(i)], Guard);
                for (size_t i = size_t(8 + misalignment + size); i < storage.size(); ++i)
                    QCOMPARE(storage[i], Guard);
            }
        }
    }
}

void TestMasking::maskCopy_matchesReference_data()
{
    applyMask_matchesReference_data();
}

void TestMasking::maskCopy_matchesReference()
{
    QFETCH(MaskKey, key);
    for (qsizetype size = 0; size <= MaxSize; ++size) {
        const QByteArray original = patternBytes(size, quint32(1000 + size));
        for (quint64 offset = 0; offset <= MaxOffset; ++offset) {
            const QByteArray expected = referenceMask(original, key, offset);
            // Source and destination misaligned independently.
            for (qsizetype srcShift = 0; srcShift <= MaxMisalignment; srcShift += 3) {
                for (qsizetype dstShift = 0; dstShift <= MaxMisalignment; ++dstShift) {
                    std::vector<char> src(size_t(size + MaxMisalignment + 1));
                    if (size > 0)
                        std::memcpy(src.data() + srcShift, original.constData(), size_t(size));
                    std::vector<char> dst(size_t(size + 2 * 8 + MaxMisalignment), Guard);
                    char *target = dst.data() + 8 + dstShift;
                    maskCopy(target, src.data() + srcShift, size, key, offset);
                    QVERIFY2(QByteArrayView(target, size) == expected,
                        qPrintable(QStringLiteral("size %1 offset %2 src+%3 dst+%4")
                                       .arg(size)
                                       .arg(offset)
                                       .arg(srcShift)
                                       .arg(dstShift)));
                    for (qsizetype i = 0; i < 8 + dstShift; ++i)
                        QCOMPARE(dst[size_t(i)], Guard);
                    for (size_t i = size_t(8 + dstShift + size); i < dst.size(); ++i)
                        QCOMPARE(dst[i], Guard);
                    // The source is left alone.
                    QVERIFY(QByteArrayView(src.data() + srcShift, size) == original);
                }
            }
        }
    }
}

void TestMasking::maskCopy_inPlace()
{
    // dst == src is allowed and behaves like applyMask.
    const MaskKey key { 0x12, 0x34, 0x56, 0x78 };
    for (qsizetype size = 0; size <= MaxSize; ++size) {
        const QByteArray original = patternBytes(size, quint32(2000 + size));
        for (quint64 offset = 0; offset <= MaxOffset; ++offset) {
            QByteArray data = original;
            maskCopy(data.data(), data.constData(), size, key, offset);
            QCOMPARE(data, referenceMask(original, key, offset));
        }
    }
}

void TestMasking::maskingTwiceRestores_data()
{
    QTest::addColumn<qsizetype>("size");
    for (qsizetype size : { 0, 1, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 1000, 4099 })
        QTest::addRow("%lld bytes", qlonglong(size)) << size;
}

void TestMasking::maskingTwiceRestores()
{
    QFETCH(qsizetype, size);
    const MaskKey key { 0xde, 0xad, 0xbe, 0xef };
    const QByteArray original = patternBytes(size, quint32(size));
    for (quint64 offset = 0; offset <= MaxOffset; ++offset) {
        QByteArray data = original;
        applyMask(data.data(), data.size(), key, offset);
        if (size >= 4)
            QVERIFY(data != original);
        applyMask(data.data(), data.size(), key, offset);
        QCOMPARE(data, original);
    }
}

void TestMasking::piecewiseEqualsWhole()
{
    // Unmasking a payload in the pieces a socket delivers must equal unmasking it at once: the
    // offset carries the key phase from piece to piece.
    const MaskKey key { 0x37, 0xfa, 0x21, 0x3d };
    const QByteArray original = patternBytes(300, 7);
    const QByteArray whole = referenceMask(original, key, 0);
    for (qsizetype pieceSize : { 1, 2, 3, 5, 7, 9, 17, 33, 64, 299 }) {
        QByteArray data = original;
        for (qsizetype at = 0; at < data.size(); at += pieceSize)
            applyMask(data.data() + at, qMin(pieceSize, data.size() - at), key, quint64(at));
        QCOMPARE(data, whole);
    }
}

void TestMasking::largeBuffer()
{
    const MaskKey key { 0xa1, 0xb2, 0xc3, 0xd4 };
    const QByteArray original = patternBytes(1 << 20, 99);
    QByteArray data(original.size() + 3, Qt::Uninitialized);
    maskCopy(data.data() + 3, original.constData(), original.size(), key, 2);
    QCOMPARE(QByteArrayView(data).sliced(3), QByteArrayView(referenceMask(original, key, 2)));
}

void TestMasking::randomMaskKey_varies()
{
    // A fixed key would make masking pointless (RFC 6455 §10.3); 32 draws of 32 bits never all
    // coincide by chance.
    const MaskKey first = randomMaskKey();
    bool differs = false;
    for (int i = 0; i < 32 && !differs; ++i)
        differs = randomMaskKey() != first;
    QVERIFY(differs);
}

QTEST_APPLESS_MAIN(TestMasking)
#include "tst_masking.moc"
