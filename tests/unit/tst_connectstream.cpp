// The Connect envelope decoder and the process-stream reader on top of it, fed the bytes E2B's
// envd sends (captured from the SDK's conversation, E2B-PROTOCOL.md section 5) in every split.
#include "e2b/ConnectEnvelopeDecoder.h"
#include "e2b/ProcessStream.h"

#include <QTest>

using cc::e2b::ConnectEnvelopeDecoder;
using cc::e2b::encodeEnvelope;
using cc::e2b::ProcessEvent;
using cc::e2b::ProcessStreamReader;
using Kind = ProcessEvent::Kind;

namespace {

QByteArray message(const char* json)
{
    return encodeEnvelope(0, QByteArray(json));
}

QByteArray endStream(const char* json = "{}")
{
    return encodeEnvelope(ConnectEnvelopeDecoder::kEndStreamFlag, QByteArray(json));
}

// The captured Start response of `python3 /home/user/snippet.py`.
QByteArray capturedStream()
{
    return QByteArray::fromHex("0000000021") + R"({"event":{"start":{"pid":20666}}})"
           + QByteArray::fromHex("0000000050") + R"({"event":{"data":{"stdout":"aGVsbG8gZnJvbSBzbmlwcGV0CnNlY29uZCBsaW5lCjQ1Cg=="}}})"
           + QByteArray::fromHex("0000000030") + R"({"event":{"data":{"stderr":"dG8gc3RkZXJyCg=="}}})"
           + QByteArray::fromHex("000000003a") + R"({"event":{"end":{"exited":true,"status":"exit status 0"}}})"
           + QByteArray::fromHex("0200000002") + "{}";
}

// What a consumer ends up with.
struct Read
{
    QList<Kind> kinds;
    QByteArray out;
    QByteArray err;
    quint32 pid = 0;
    cc::e2b::ProcessEnd end;
};

void collect(const QList<ProcessEvent>& events, Read& read)
{
    for (const ProcessEvent& e : events) {
        if (read.kinds.isEmpty() || read.kinds.last() != e.kind || (e.kind != Kind::Stdout && e.kind != Kind::Stderr))
            read.kinds.append(e.kind);
        switch (e.kind) {
        case Kind::Start:
            read.pid = e.pid;
            break;
        case Kind::Stdout:
            read.out += e.data;
            break;
        case Kind::Stderr:
            read.err += e.data;
            break;
        case Kind::End:
            read.end = e.end;
            break;
        case Kind::Pty:
        case Kind::Keepalive:
            break;
        }
    }
}

Read readAll(const QByteArray& bytes, ProcessStreamReader& reader)
{
    Read read;
    collect(reader.feed(bytes), read);
    return read;
}

} // namespace

class TestConnectStream : public QObject
{
    Q_OBJECT

private slots:
    // ConnectEnvelopeDecoder
    void envelopesInOneFeed();
    void envelopeSplitAtEveryByte();
    void oneByteAtATime();
    void zeroLengthMessage();
    void endStreamFlag();
    void compressedFlagIsAnError();
    void oversizedLengthIsAnError();
    void dataAfterEndStreamIsAnError();
    void encodeMatchesTheCapturedRequest();

    // ProcessStreamReader
    void capturedStream();
    void capturedStreamSplitAtEveryPair();
    void exitCodeAndSignal_data();
    void exitCodeAndSignal();
    void deadlineTrailer();
    void unicodeSplitAcrossDataMessages();
    void protojsonVariants();
    void keepaliveAndUnknownEventsAreHarmless();
    void protocolErrors_data();
    void protocolErrors();
    void goSignalNames();
};

void TestConnectStream::envelopesInOneFeed()
{
    ConnectEnvelopeDecoder decoder;
    const auto envelopes = decoder.feed(message("{\"a\":1}") + message("{\"b\":2}") + endStream());
    QCOMPARE(envelopes.size(), 3);
    QCOMPARE(envelopes[0].message, QByteArray("{\"a\":1}"));
    QCOMPARE(envelopes[1].message, QByteArray("{\"b\":2}"));
    QVERIFY(!envelopes[1].isEndStream());
    QVERIFY(envelopes[2].isEndStream());
    QVERIFY(decoder.sawEndStream());
    QVERIFY(!decoder.hasError());
    QVERIFY(!decoder.isMidEnvelope());
}

void TestConnectStream::envelopeSplitAtEveryByte()
{
    const QByteArray bytes = ::capturedStream();
    for (qsizetype cut = 0; cut <= bytes.size(); ++cut) {
        ConnectEnvelopeDecoder decoder;
        auto envelopes = decoder.feed(bytes.left(cut));
        envelopes += decoder.feed(bytes.mid(cut));
        QVERIFY2(!decoder.hasError(), qPrintable(decoder.error()));
        QCOMPARE(envelopes.size(), 5);
        QCOMPARE(envelopes[0].message, QByteArray(R"({"event":{"start":{"pid":20666}}})"));
        QVERIFY(envelopes[4].isEndStream());
        QCOMPARE(envelopes[4].message, QByteArray("{}"));
    }
}

void TestConnectStream::oneByteAtATime()
{
    const QByteArray bytes = ::capturedStream();
    ConnectEnvelopeDecoder decoder;
    QList<ConnectEnvelopeDecoder::Envelope> envelopes;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        envelopes += decoder.feed(bytes.mid(i, 1));
        if (i == 2)
            QVERIFY(decoder.isMidEnvelope());  // inside the first header
    }
    QCOMPARE(envelopes.size(), 5);
    QVERIFY(decoder.sawEndStream());
    QVERIFY(!decoder.isMidEnvelope());
    QVERIFY(!decoder.hasError());
}

void TestConnectStream::zeroLengthMessage()
{
    ConnectEnvelopeDecoder decoder;
    const auto envelopes = decoder.feed(encodeEnvelope(0, {}) + endStream(""));
    QCOMPARE(envelopes.size(), 2);
    QVERIFY(envelopes[0].message.isEmpty());
    QVERIFY(envelopes[1].isEndStream());
}

void TestConnectStream::endStreamFlag()
{
    ConnectEnvelopeDecoder decoder;
    QVERIFY(decoder.feed(message("{}")).size() == 1);
    QVERIFY(!decoder.sawEndStream());
    const QByteArray trailer = endStream(R"({"error":{"code":"deadline_exceeded","message":"context deadline exceeded"}})");
    QCOMPARE(trailer.left(5), QByteArray::fromHex("020000004c"));  // as captured
    QVERIFY(decoder.feed(trailer.left(3)).isEmpty());
    QVERIFY(decoder.isMidEnvelope());
    const auto envelopes = decoder.feed(trailer.mid(3));
    QCOMPARE(envelopes.size(), 1);
    QVERIFY(envelopes[0].isEndStream());
    QVERIFY(decoder.sawEndStream());
}

void TestConnectStream::compressedFlagIsAnError()
{
    ConnectEnvelopeDecoder decoder;
    const auto envelopes = decoder.feed(message("{}") + encodeEnvelope(ConnectEnvelopeDecoder::kCompressedFlag, "x"));
    QCOMPARE(envelopes.size(), 1);  // what came before is still good
    QVERIFY(decoder.hasError());
    QVERIFY(decoder.error().contains(QLatin1String("compressed")));
    QVERIFY(decoder.feed(message("{}")).isEmpty());
}

void TestConnectStream::oversizedLengthIsAnError()
{
    ConnectEnvelopeDecoder decoder(1024);
    QVERIFY(decoder.feed(QByteArray::fromHex("0000000401")).isEmpty());  // 1025 bytes announced
    QVERIFY(decoder.hasError());
    ConnectEnvelopeDecoder defaults;
    QVERIFY(defaults.feed(QByteArray::fromHex("00ffffffff")).isEmpty());
    QVERIFY(defaults.hasError());
}

void TestConnectStream::dataAfterEndStreamIsAnError()
{
    ConnectEnvelopeDecoder sameFeed;
    QCOMPARE(sameFeed.feed(endStream() + message("{}")).size(), 1);
    QVERIFY(sameFeed.hasError());

    ConnectEnvelopeDecoder laterFeed;
    QCOMPARE(laterFeed.feed(endStream()).size(), 1);
    QVERIFY(!laterFeed.hasError());
    QVERIFY(laterFeed.feed(QByteArray("\0", 1)).isEmpty());
    QVERIFY(laterFeed.hasError());
}

void TestConnectStream::encodeMatchesTheCapturedRequest()
{
    const QByteArray json =
        R"({"process":{"cmd":"/bin/bash","args":["-l","-c","python3 /home/user/snippet.py"]},"stdin":false})";
    const QByteArray envelope = encodeEnvelope(0, json);
    QCOMPARE(envelope.left(5), QByteArray::fromHex("0000000060"));
    QCOMPARE(envelope.mid(5), json);
}

void TestConnectStream::capturedStream()
{
    ProcessStreamReader reader;
    const Read read = readAll(::capturedStream(), reader);
    QVERIFY2(!reader.hasError(), qPrintable(reader.error()));
    QCOMPARE(read.kinds, (QList<Kind>{Kind::Start, Kind::Stdout, Kind::Stderr, Kind::End}));
    QCOMPARE(read.pid, 20666u);
    QCOMPARE(read.out, QByteArray("hello from snippet\nsecond line\n45\n"));
    QCOMPARE(read.err, QByteArray("to stderr\n"));
    QVERIFY(read.end.exited);
    QCOMPARE(read.end.exitCode, 0);
    QCOMPARE(read.end.status, QStringLiteral("exit status 0"));
    QCOMPARE(read.end.shellStatus(), std::optional<int>(0));
    QVERIFY(reader.sawStart());
    QVERIFY(reader.sawEndStream());
    QVERIFY(!reader.trailerError());
}

void TestConnectStream::capturedStreamSplitAtEveryPair()
{
    // Three pieces, every pair of cut points: each envelope header and message is cut everywhere.
    const QByteArray bytes = ::capturedStream();
    for (qsizetype a = 0; a <= bytes.size(); ++a) {
        for (qsizetype b = a; b <= bytes.size(); b += 7) {
            ProcessStreamReader reader;
            Read read;
            collect(reader.feed(bytes.left(a)), read);
            collect(reader.feed(bytes.mid(a, b - a)), read);
            collect(reader.feed(bytes.mid(b)), read);
            QVERIFY2(!reader.hasError(), qPrintable(reader.error()));
            QCOMPARE(read.out, QByteArray("hello from snippet\nsecond line\n45\n"));
            QCOMPARE(read.err, QByteArray("to stderr\n"));
            QCOMPARE(read.kinds.last(), Kind::End);
            QVERIFY(reader.sawEndStream());
        }
    }
}

void TestConnectStream::exitCodeAndSignal_data()
{
    QTest::addColumn<QByteArray>("end");
    QTest::addColumn<int>("shellStatus"); // -1: unknown
    QTest::newRow("exit 0") << QByteArray(R"({"exited":true,"status":"exit status 0"})") << 0;
    QTest::newRow("exit 3") << QByteArray(R"({"exitCode":3,"exited":true,"status":"exit status 3","error":"exit status 3"})")
                            << 3;
    QTest::newRow("SIGKILL") << QByteArray(R"({"exitCode":-1,"status":"signal: killed","error":"signal: killed"})") << 137;
    QTest::newRow("SIGSEGV, core dumped")
        << QByteArray(R"j({"exitCode":-1,"status":"signal: segmentation fault (core dumped)"})j") << 139;
    QTest::newRow("SIGTERM") << QByteArray(R"({"exitCode":-1,"status":"signal: terminated"})") << 143;
    QTest::newRow("unnamed signal") << QByteArray(R"({"exitCode":-1,"status":"signal 42"})") << -1;
    QTest::newRow("signal: signal 42") << QByteArray(R"({"exitCode":-1,"status":"signal: signal 42"})") << 170;
    QTest::newRow("proto field names") << QByteArray(R"({"exit_code":"7","exited":true})") << 7;
    QTest::newRow("nothing said") << QByteArray(R"({})") << -1;
}

void TestConnectStream::exitCodeAndSignal()
{
    QFETCH(QByteArray, end);
    QFETCH(int, shellStatus);
    ProcessStreamReader reader;
    const Read read = readAll(message(R"({"event":{"start":{"pid":1}}})") + message("{\"event\":{\"end\":" + end + "}}")
                                  + endStream(),
                              reader);
    QVERIFY2(!reader.hasError(), qPrintable(reader.error()));
    QCOMPARE(read.kinds.last(), Kind::End);
    QCOMPARE(read.end.shellStatus().value_or(-1), shellStatus);
}

void TestConnectStream::deadlineTrailer()
{
    // As captured from a server-side deadline: start, data, then the error trailer, no end event.
    const QByteArray bytes = QByteArray::fromHex("0000000021") + R"({"event":{"start":{"pid":20858}}})"
                             + QByteArray::fromHex("0000000024") + R"({"event":{"data":{"stdout":"aGkK"}}})"
                             + endStream(R"({"error":{"code":"deadline_exceeded","message":"context deadline exceeded"}})");
    ProcessStreamReader reader;
    const Read read = readAll(bytes, reader);
    QVERIFY(!reader.hasError());
    QCOMPARE(read.out, QByteArray("hi\n"));
    QVERIFY(reader.sawEndStream());
    QVERIFY(reader.trailerError());
    QCOMPARE(reader.trailerError()->code, QStringLiteral("deadline_exceeded"));
    QCOMPARE(reader.trailerError()->message, QStringLiteral("context deadline exceeded"));
    QVERIFY(!read.kinds.contains(Kind::End));
}

void TestConnectStream::unicodeSplitAcrossDataMessages()
{
    // "é€😀" is 2 + 3 + 4 bytes; envd cuts output at arbitrary byte counts, so a character can
    // straddle two data messages. The reader hands out bytes, and their concatenation is the text.
    const QByteArray text = QStringLiteral("é€😀").toUtf8();
    for (qsizetype cut = 1; cut < text.size(); ++cut) {
        const QByteArray bytes = message(R"({"event":{"start":{"pid":5}}})")
                                 + message("{\"event\":{\"data\":{\"stdout\":\"" + text.left(cut).toBase64() + "\"}}}")
                                 + message("{\"event\":{\"data\":{\"stdout\":\"" + text.mid(cut).toBase64() + "\"}}}")
                                 + endStream();
        ProcessStreamReader reader;
        const Read read = readAll(bytes, reader);
        QVERIFY(!reader.hasError());
        QCOMPARE(read.out, text);
        QCOMPARE(QString::fromUtf8(read.out), QStringLiteral("é€😀"));
    }
}

void TestConnectStream::protojsonVariants()
{
    ProcessStreamReader reader;
    const Read read = readAll(message(R"({"event":{"start":{"pid":"77"}},"unknownField":true})")
                                  + message(R"({"event":{"data":{"stdout":"_-8"}}})")  // URL-safe alphabet
                                  + message(R"({"event":{"data":{"pty":"cHR5"}}})")
                                  + message(R"({"event":{"end":{"exitCode":2.0,"exited":true}}})") + endStream(),
                              reader);
    QVERIFY2(!reader.hasError(), qPrintable(reader.error()));
    QCOMPARE(read.pid, 77u);
    QCOMPARE(read.out, QByteArray::fromHex("ffef"));
    QVERIFY(read.kinds.contains(Kind::Pty));
    QCOMPARE(read.end.exitCode, 2);
}

void TestConnectStream::keepaliveAndUnknownEventsAreHarmless()
{
    ProcessStreamReader reader;
    const Read read = readAll(message(R"({"event":{"keepalive":{}}})") + message(R"({"event":{"start":{}}})")
                                  + message(R"({"event":{"keepalive":{}}})") + message(R"({"event":{"future":{"x":1}}})")
                                  + message("{}") + message(R"({"event":{"end":{"exited":true}}})") + endStream(),
                              reader);
    QVERIFY2(!reader.hasError(), qPrintable(reader.error()));
    QCOMPARE(read.kinds, (QList<Kind>{Kind::Keepalive, Kind::Start, Kind::Keepalive, Kind::End}));
    QCOMPARE(read.pid, 0u);  // pid 0 is left out by protojson
}

void TestConnectStream::protocolErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("mentions");
    const QByteArray start = message(R"({"event":{"start":{"pid":1}}})");
    QTest::newRow("not JSON") << (start + message("{\"event\":{\"data\":")) << "not a JSON object";
    QTest::newRow("JSON but not an object") << message("[1,2]") << "not a JSON object";
    QTest::newRow("bad base64") << (start + message(R"({"event":{"data":{"stdout":"@@@"}}})")) << "base64";
    QTest::newRow("data that is not a string") << (start + message(R"({"event":{"data":{"stderr":5}}})")) << "base64";
    QTest::newRow("data before start") << message(R"({"event":{"data":{"stdout":"aGkK"}}})") << "start event";
    QTest::newRow("end before start") << message(R"({"event":{"end":{"exited":true}}})") << "start event";
    QTest::newRow("event not an object") << message(R"({"event":"start"})") << "not a JSON object";
    QTest::newRow("bad pid") << message(R"({"event":{"start":{"pid":"x"}}})") << "start event";
    QTest::newRow("bad exit code") << (start + message(R"({"event":{"end":{"exitCode":"three"}}})")) << "end event";
    // A float outside qint64's range was converted anyway: undefined behaviour, on which UBSan in
    // fuzz/fuzz_connect_stream aborts.
    QTest::newRow("pid beyond qint64 as a float") << message(R"({"event":{"start":{"pid":1e300}}})") << "start event";
    QTest::newRow("exit code beyond qint64 as a float")
        << (start + message(R"({"event":{"end":{"exitCode":-9.3e18,"exited":true}}})")) << "end event";
    QTest::newRow("exit code 2^63 as a float")
        << (start + message(R"({"event":{"end":{"exitCode":9223372036854775808.0}}})")) << "end event";
    QTest::newRow("trailer not JSON") << (start + endStream("{oops")) << "end-of-stream";
    QTest::newRow("compressed") << (start + encodeEnvelope(1, "{}")) << "compressed";
}

void TestConnectStream::protocolErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, mentions);
    ProcessStreamReader reader;
    reader.feed(bytes);
    QVERIFY(reader.hasError());
    QVERIFY2(reader.error().contains(mentions), qPrintable(reader.error()));
    QVERIFY(reader.feed(message("{}")).isEmpty());  // nothing after an error
}

void TestConnectStream::goSignalNames()
{
    QCOMPARE(cc::e2b::signalFromGoName(QStringLiteral("killed")), 9);
    QCOMPARE(cc::e2b::signalFromGoName(QStringLiteral("segmentation fault")), 11);
    QCOMPARE(cc::e2b::signalFromGoName(QStringLiteral("aborted")), 6);
    QCOMPARE(cc::e2b::signalFromGoName(QStringLiteral("broken pipe")), 13);
    QCOMPARE(cc::e2b::signalFromGoName(QStringLiteral("signal 35")), 35);
    QCOMPARE(cc::e2b::signalFromGoName(QStringLiteral("nonsense")), 0);
}

QTEST_APPLESS_MAIN(TestConnectStream)
#include "tst_connectstream.moc"
