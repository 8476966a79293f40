#include "docker/DockerFrameDecoder.h"

#include <QRandomGenerator>
#include <QTest>

using cc::docker::DockerFrameDecoder;
using Stream = DockerFrameDecoder::Stream;

namespace {

QByteArray frame(Stream stream, const QByteArray& payload)
{
    const auto size = static_cast<quint32>(payload.size());
    QByteArray bytes;
    bytes.append(char(stream));
    bytes.append(3, '\0');
    bytes.append(char((size >> 24) & 0xff));
    bytes.append(char((size >> 16) & 0xff));
    bytes.append(char((size >> 8) & 0xff));
    bytes.append(char(size & 0xff));
    return bytes + payload;
}

// What a consumer ends up with: every byte per stream, and the order in which streams took turns
// (adjacent pieces of the same stream collapse into one turn).
struct Decoded
{
    QByteArray out;
    QByteArray err;
    QByteArray in;
    QList<Stream> turns;
    int emptyPieces = 0;
};

void collect(const QList<DockerFrameDecoder::Chunk>& chunks, Decoded& decoded)
{
    for (const auto& chunk : chunks) {
        if (chunk.payload.isEmpty())
            ++decoded.emptyPieces;
        switch (chunk.stream) {
        case Stream::Stdout:
            decoded.out += chunk.payload;
            break;
        case Stream::Stderr:
            decoded.err += chunk.payload;
            break;
        case Stream::Stdin:
            decoded.in += chunk.payload;
            break;
        }
        if (decoded.turns.isEmpty() || decoded.turns.last() != chunk.stream)
            decoded.turns.append(chunk.stream);
    }
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(generator.bounded(256));
    return bytes;
}

} // namespace

class TestDockerFrameDecoder : public QObject
{
    Q_OBJECT

private slots:
    void singleFrame();
    void severalFramesInOneFeed();
    void frameSplitAtEveryByte();
    void twoFramesSplitAtEveryByte();
    void headerSplitAcrossFeeds();
    void oneByteAtATime();
    void zeroLengthFrames();
    void interleavingOrderIsKept();
    void largeFrameInSmallFeeds();
    void payloadIsNotHeldBack();
    void invalidHeader_data();
    void invalidHeader();
    void midFrame();
};

void TestDockerFrameDecoder::singleFrame()
{
    DockerFrameDecoder decoder;
    const auto chunks = decoder.feed(frame(Stream::Stdout, "hello\n"));
    QCOMPARE(chunks.size(), 1);
    QCOMPARE(chunks[0].stream, Stream::Stdout);
    QCOMPARE(chunks[0].payload, QByteArray("hello\n"));
    QVERIFY(!decoder.hasError());
    QVERIFY(!decoder.isMidFrame());
}

void TestDockerFrameDecoder::severalFramesInOneFeed()
{
    DockerFrameDecoder decoder;
    const QByteArray bytes =
        frame(Stream::Stdout, "one ") + frame(Stream::Stdout, "two\n") + frame(Stream::Stderr, "oops\n");
    Decoded decoded;
    collect(decoder.feed(bytes), decoded);
    QCOMPARE(decoded.out, QByteArray("one two\n"));
    QCOMPARE(decoded.err, QByteArray("oops\n"));
    QCOMPARE(decoded.turns, (QList<Stream>{Stream::Stdout, Stream::Stderr}));
    QVERIFY(!decoder.hasError());
    QVERIFY(!decoder.isMidFrame());
}

void TestDockerFrameDecoder::frameSplitAtEveryByte()
{
    const QByteArray payload("The quick brown fox\0jumps", 25);
    for (const Stream stream : {Stream::Stdout, Stream::Stderr}) {
        const QByteArray bytes = frame(stream, payload);
        for (qsizetype split = 0; split <= bytes.size(); ++split) {
            DockerFrameDecoder decoder;
            Decoded decoded;
            collect(decoder.feed(bytes.left(split)), decoded);
            QCOMPARE(decoder.isMidFrame(), split > 0 && split < bytes.size());
            collect(decoder.feed(bytes.mid(split)), decoded);
            QVERIFY2(!decoder.hasError(), qPrintable(QStringLiteral("split at %1").arg(split)));
            QVERIFY(!decoder.isMidFrame());
            const QByteArray& got = stream == Stream::Stdout ? decoded.out : decoded.err;
            const QByteArray& other = stream == Stream::Stdout ? decoded.err : decoded.out;
            QCOMPARE(got, payload);
            QVERIFY(other.isEmpty());
            QCOMPARE(decoded.turns, QList<Stream>{stream});
        }
    }
}

void TestDockerFrameDecoder::twoFramesSplitAtEveryByte()
{
    const QByteArray bytes =
        frame(Stream::Stderr, "err-1 ") + frame(Stream::Stdout, "out-1 out-1") + frame(Stream::Stderr, "err-2");
    for (qsizetype first = 0; first <= bytes.size(); ++first) {
        for (qsizetype second = first; second <= bytes.size(); ++second) {
            DockerFrameDecoder decoder;
            Decoded decoded;
            collect(decoder.feed(bytes.left(first)), decoded);
            collect(decoder.feed(bytes.mid(first, second - first)), decoded);
            collect(decoder.feed(bytes.mid(second)), decoded);
            QVERIFY(!decoder.hasError());
            QVERIFY(!decoder.isMidFrame());
            QCOMPARE(decoded.err, QByteArray("err-1 err-2"));
            QCOMPARE(decoded.out, QByteArray("out-1 out-1"));
            QCOMPARE(decoded.turns, (QList<Stream>{Stream::Stderr, Stream::Stdout, Stream::Stderr}));
        }
    }
}

void TestDockerFrameDecoder::headerSplitAcrossFeeds()
{
    const QByteArray bytes = frame(Stream::Stderr, "boom");
    DockerFrameDecoder decoder;
    QVERIFY(decoder.feed(bytes.left(3)).isEmpty());
    QVERIFY(decoder.isMidFrame());
    QVERIFY(decoder.feed(bytes.mid(3, 4)).isEmpty());
    QVERIFY(decoder.isMidFrame());
    QVERIFY(!decoder.hasError());
    const auto chunks = decoder.feed(bytes.mid(7));
    QCOMPARE(chunks.size(), 1);
    QCOMPARE(chunks[0].stream, Stream::Stderr);
    QCOMPARE(chunks[0].payload, QByteArray("boom"));
    QVERIFY(!decoder.isMidFrame());
}

void TestDockerFrameDecoder::oneByteAtATime()
{
    const QByteArray bytes = frame(Stream::Stdout, "a") + frame(Stream::Stderr, "bc") + frame(Stream::Stdout, "") +
                             frame(Stream::Stdout, "def");
    DockerFrameDecoder decoder;
    Decoded decoded;
    for (const char byte : bytes)
        collect(decoder.feed(QByteArray(1, byte)), decoded);
    QVERIFY(!decoder.hasError());
    QVERIFY(!decoder.isMidFrame());
    QCOMPARE(decoded.out, QByteArray("adef"));
    QCOMPARE(decoded.err, QByteArray("bc"));
    QCOMPARE(decoded.turns, (QList<Stream>{Stream::Stdout, Stream::Stderr, Stream::Stdout}));
}

void TestDockerFrameDecoder::zeroLengthFrames()
{
    DockerFrameDecoder decoder;
    Decoded decoded;
    collect(decoder.feed(frame(Stream::Stdout, {})), decoded);
    QVERIFY(!decoder.isMidFrame());
    QVERIFY(!decoder.hasError());
    collect(decoder.feed(frame(Stream::Stderr, {}) + frame(Stream::Stdout, "x") + frame(Stream::Stdout, {})), decoded);
    QVERIFY(!decoder.isMidFrame());
    QVERIFY(!decoder.hasError());
    QCOMPARE(decoded.out, QByteArray("x"));
    QVERIFY(decoded.err.isEmpty());
    QCOMPARE(decoded.emptyPieces, 0); // an empty frame delivers nothing
    // The frame after empty ones is still read correctly.
    collect(decoder.feed(frame(Stream::Stderr, "tail")), decoded);
    QCOMPARE(decoded.err, QByteArray("tail"));
}

void TestDockerFrameDecoder::interleavingOrderIsKept()
{
    QByteArray bytes;
    QList<Stream> expectedTurns;
    QByteArray expectedOut;
    QByteArray expectedErr;
    for (int i = 0; i < 50; ++i) {
        const Stream stream = i % 3 == 2 ? Stream::Stderr : Stream::Stdout;
        const QByteArray payload = QByteArray::number(i) + (stream == Stream::Stdout ? " out\n" : " err\n");
        bytes += frame(stream, payload);
        (stream == Stream::Stdout ? expectedOut : expectedErr) += payload;
        if (expectedTurns.isEmpty() || expectedTurns.last() != stream)
            expectedTurns.append(stream);
    }
    // All at once, and in odd-sized feeds.
    for (const qsizetype feedSize : {bytes.size(), qsizetype(5), qsizetype(13)}) {
        DockerFrameDecoder decoder;
        Decoded decoded;
        for (qsizetype pos = 0; pos < bytes.size(); pos += feedSize)
            collect(decoder.feed(bytes.mid(pos, feedSize)), decoded);
        QCOMPARE(decoded.out, expectedOut);
        QCOMPARE(decoded.err, expectedErr);
        QCOMPARE(decoded.turns, expectedTurns);
        QVERIFY(!decoder.isMidFrame());
    }
}

void TestDockerFrameDecoder::largeFrameInSmallFeeds()
{
    const QByteArray payload = randomBytes(1024 * 1024, 7);
    const QByteArray bytes = frame(Stream::Stdout, payload) + frame(Stream::Stderr, "after");
    DockerFrameDecoder decoder;
    Decoded decoded;
    qsizetype feedSize = 1;
    for (qsizetype pos = 0; pos < bytes.size(); pos += feedSize) {
        feedSize = 1 + (pos * 31 % 4093); // varied sizes, many cutting the header
        collect(decoder.feed(bytes.mid(pos, feedSize)), decoded);
    }
    QVERIFY(!decoder.hasError());
    QVERIFY(!decoder.isMidFrame());
    QCOMPARE(decoded.out.size(), payload.size());
    QVERIFY(decoded.out == payload);
    QCOMPARE(decoded.err, QByteArray("after"));
}

void TestDockerFrameDecoder::payloadIsNotHeldBack()
{
    // A frame's first bytes are delivered as soon as they arrive, before the frame is complete.
    const QByteArray bytes = frame(Stream::Stdout, "progress 1\nprogress 2\n");
    DockerFrameDecoder decoder;
    const auto first = decoder.feed(bytes.left(8 + 11));
    QCOMPARE(first.size(), 1);
    QCOMPARE(first[0].payload, QByteArray("progress 1\n"));
    QVERIFY(decoder.isMidFrame());
    const auto rest = decoder.feed(bytes.mid(8 + 11));
    QCOMPARE(rest.size(), 1);
    QCOMPARE(rest[0].payload, QByteArray("progress 2\n"));
    QVERIFY(!decoder.isMidFrame());
}

void TestDockerFrameDecoder::invalidHeader_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("stream 7") << QByteArray("\x07\0\0\0\0\0\0\x01", 8);
    QTest::newRow("stream 3") << QByteArray("\x03\0\0\0\0\0\0\x01", 8);
    QTest::newRow("padding byte set") << QByteArray("\x01\0\x01\0\0\0\0\x01", 8);
    QTest::newRow("plain text") << QByteArray("Hello, world\n");
}

void TestDockerFrameDecoder::invalidHeader()
{
    QFETCH(QByteArray, header);
    DockerFrameDecoder decoder;
    Decoded decoded;
    collect(decoder.feed(frame(Stream::Stdout, "ok")), decoded);
    QVERIFY(!decoder.hasError());
    collect(decoder.feed(header + QByteArray("garbage")), decoded);
    QVERIFY(decoder.hasError());
    // Nothing after the bad header is delivered, now or later.
    collect(decoder.feed(frame(Stream::Stdout, "more")), decoded);
    QVERIFY(decoder.hasError());
    QCOMPARE(decoded.out, QByteArray("ok"));
    QVERIFY(decoded.err.isEmpty());
}

void TestDockerFrameDecoder::midFrame()
{
    const QByteArray bytes = frame(Stream::Stdout, "0123456789");
    DockerFrameDecoder decoder;
    QVERIFY(!decoder.isMidFrame());
    const auto chunks = decoder.feed(bytes.left(bytes.size() - 3));
    QCOMPARE(chunks.size(), 1);
    QCOMPARE(chunks[0].payload, QByteArray("0123456"));
    QVERIFY(decoder.isMidFrame());
    QVERIFY(!decoder.hasError());

    DockerFrameDecoder headerOnly;
    headerOnly.feed(bytes.left(8));
    QVERIFY(headerOnly.isMidFrame());

    DockerFrameDecoder partialHeader;
    partialHeader.feed(bytes.left(1));
    QVERIFY(partialHeader.isMidFrame());
}

QTEST_GUILESS_MAIN(TestDockerFrameDecoder)
#include "tst_dockerframedecoder.moc"
