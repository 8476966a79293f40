// The tar reader for /workspace/out: every archive here is built by the test itself, byte by
// byte (TarBuilder.h), and most are hostile.

#include "ArtifactArchive.h"
#include "RunSpec.h"
#include "TarBuilder.h"

#include <QtTest>

using namespace cc;
using namespace cc::test;

namespace {

const ArtifactCaps kCaps{16LL * 1024 * 1024, 100};

QByteArray pngBytes()
{
    return QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + QByteArray(20, '\x01');
}

QStringList describe(const ArtifactCollection& c)
{
    QStringList out;
    for (const Artifact& a : c.files)
        out << QStringLiteral("%1:%2:%3").arg(a.path).arg(a.size).arg(artifactTypeName(a.type));
    return out;
}

QStringList refusedNames(const ArtifactCollection& c)
{
    QStringList out;
    for (const RefusedArtifact& r : c.refused)
        out << r.path;
    return out;
}

} // namespace

class TestArtifactArchive : public QObject
{
    Q_OBJECT

private slots:
    void read_data();
    void read();
    void everyRejectionInOneArchive();
    void capsHold();
    void refusedListIsBounded();
    void bytesAreExact();
    void detectType_data();
    void detectType();
    void printableName_data();
    void printableName();
    void artifactLimits_data();
    void artifactLimits();
};

void TestArtifactArchive::read_data()
{
    QTest::addColumn<QByteArray>("archive");
    QTest::addColumn<QStringList>("files");      // path:size:type
    QTest::addColumn<QStringList>("refused");    // printable names
    QTest::addColumn<QString>("reason");         // part of the (first) refusal's reason
    QTest::addColumn<QString>("note");           // part of the note; empty: the note is empty

    const QByteArray end = tarEnd();
    QTest::newRow("empty folder") << (tarDirectory("./") + end) << QStringList{} << QStringList{} << "" << "";
    QTest::newRow("nothing at all") << QByteArray() << QStringList{} << QStringList{} << "" << "";
    QTest::newRow("files as tar -C out -cf - . writes them")
        << (tarDirectory("./") + tarFile("./a.txt", "hello\n") + tarDirectory("./sub/")
            + tarFile("./sub/plot.png", pngBytes()) + end)
        << QStringList{"a.txt:6:text", "sub/plot.png:36:png"} << QStringList{} << "" << "";
    QTest::newRow("empty file") << (tarFile("empty", "") + end) << QStringList{"empty:0:text"} << QStringList{} << "" << "";
    QTest::newRow("ustar prefix")
        << (tarEntry(TarEntry("file.txt", '0', "x").posix("deep/er")) + end) << QStringList{"deep/er/file.txt:1:text"}
        << QStringList{} << "" << "";
    QTest::newRow("GNU long name (300 bytes)")
        << (tarWithLongName(QByteArray(150, 'a') + '/' + QByteArray(149, 'b'), TarEntry(QByteArray(100, 'a'), '0', "long")) + end)
        << QStringList{QString(150, QLatin1Char('a')) + QLatin1Char('/') + QString(149, QLatin1Char('b')) + ":4:text"}
        << QStringList{} << "" << "";
    QTest::newRow("pax path (as GNU tar --format=posix writes it)")
        << (tarWithPax(paxRecord("path", "r\xc3\xa9sum\xc3\xa9.txt") + paxRecord("mtime", "1700000000.5"),
                       TarEntry("resume.txt", '0', "ok").posix())
            + end)
        << QStringList{QStringLiteral("r\u00e9sum\u00e9.txt:2:text")} << QStringList{} << "" << "";
    QTest::newRow("pax size overrides the header's")
        << (tarWithPax(paxRecord("size", "3"), TarEntry("s.txt", '0', "abc").posix().withDeclaredSize(0)) + end)
        << QStringList{"s.txt:3:text"} << QStringList{} << "" << "";
    QTest::newRow("base-256 size")
        << (tarEntry(TarEntry("b.bin", '0', QByteArray("\x00\x01", 2)).inBase256()) + end)
        << QStringList{"b.bin:2:other"} << QStringList{} << "" << "";

    QTest::newRow("absolute path") << (tarFile("/etc/passwd", "root") + end) << QStringList{}
                                   << QStringList{"/etc/passwd"} << "absolute" << "1 entry";
    QTest::newRow("../x") << (tarFile("../x", "x") + end) << QStringList{} << QStringList{"../x"} << "\"..\"" << "refused";
    QTest::newRow("a/../../x") << (tarFile("a/../../x", "x") + end) << QStringList{} << QStringList{"a/../../x"}
                               << "\"..\"" << "refused";
    QTest::newRow("./../x") << (tarFile("./../x", "x") + end) << QStringList{} << QStringList{"../x"} << "\"..\""
                            << "refused";
    QTest::newRow("double slash") << (tarFile("a//b", "x") + end) << QStringList{} << QStringList{"a//b"} << "empty"
                                  << "refused";
    QTest::newRow("symlink to /etc/shadow")
        << (tarEntry({"shadow", '2', {}, "/etc/shadow"}) + end) << QStringList{} << QStringList{"shadow"}
        << "symbolic link (to \"/etc/shadow\")" << "refused";
    QTest::newRow("hard link") << (tarEntry({"hard", '1', {}, "a.txt"}) + end) << QStringList{} << QStringList{"hard"}
                               << "hard link" << "refused";
    QTest::newRow("character device") << (tarEntry({"null", '3', {}}) + end) << QStringList{} << QStringList{"null"}
                                      << "character device" << "refused";
    QTest::newRow("block device") << (tarEntry({"sda", '4', {}}) + end) << QStringList{} << QStringList{"sda"}
                                  << "block device" << "refused";
    QTest::newRow("FIFO") << (tarEntry({"pipe", '6', {}}) + end) << QStringList{} << QStringList{"pipe"} << "FIFO"
                          << "refused";
    QTest::newRow("GNU sparse") << (tarEntry({"sparse", 'S', {}}) + end) << QStringList{} << QStringList{"sparse"}
                                << "sparse" << "refused";
    QTest::newRow("pax sparse") << (tarWithPax(paxRecord("GNU.sparse.major", "1"), TarEntry("sp", '0', "x")) + end)
                                << QStringList{} << QStringList{"sp"} << "sparse" << "refused";
    QTest::newRow("unknown type") << (tarEntry(TarEntry("odd", 'Z', "zz")) + tarFile("after", "a") + end)
                                  << QStringList{"after:1:text"} << QStringList{"odd"} << "type 'Z'" << "refused";
    QTest::newRow("part of 256 bytes")
        << (tarWithLongName(QByteArray(256, 'n'), TarEntry("short", '0', "x")) + end) << QStringList{}
        << QStringList{QString(200, QLatin1Char('n')) + QStringLiteral("…")} << "255 bytes" << "refused";
    QTest::newRow("4097 bytes in all")
        << (tarWithLongName((QByteArray(200, 'd') + '/').repeated(20) + QByteArray(77, 'f'), TarEntry("short", '0', "x")) + end)
        << QStringList{} << QStringList{QString(200, QLatin1Char('d')) + QStringLiteral("…")} << "4096 bytes" << "refused";
    QTest::newRow("pax path with ..")
        << (tarWithPax(paxRecord("path", "../../home/user/.bashrc"), TarEntry("innocent.txt", '0', "evil")) + end)
        << QStringList{} << QStringList{"../../home/user/.bashrc"} << "\"..\"" << "refused";
    QTest::newRow("pax path with NUL")
        << (tarWithPax(paxRecord("path", QByteArray("a\0b", 3)), TarEntry("a", '0', "x")) + end) << QStringList{}
        << QStringList{"a\\x00b"} << "NUL" << "refused";
    QTest::newRow("pax path absolute")
        << (tarWithPax(paxRecord("path", "/etc/cron.d/x"), TarEntry("x", '0', "x")) + end) << QStringList{}
        << QStringList{"/etc/cron.d/x"} << "absolute" << "refused";
    QTest::newRow("malformed pax") << (tarWithPax("99 path=x\n", TarEntry("m", '0', "x")) + tarFile("ok", "o") + end)
                                   << QStringList{"ok:1:text"} << QStringList{"m"} << "malformed" << "refused";
    QTest::newRow("control characters") << (tarFile("a\x1b]0;pwned\x07", "x") + end) << QStringList{}
                                        << QStringList{"a\\x1b]0;pwned\\x07"} << "control" << "refused";
    QTest::newRow("C1 control (CSI)") << (tarFile("a\xc2\x9b" "2J", "x") + end) << QStringList{}
                                      << QStringList{"a\\xc2\\x9b2J"} << "control" << "refused";
    QTest::newRow("invalid UTF-8") << (tarFile("caf\xe9", "x") + end) << QStringList{} << QStringList{"caf\\xe9"}
                                   << "UTF-8" << "refused";
    QTest::newRow("same name twice") << (tarFile("a", "1") + tarFile("./a", "22") + end) << QStringList{"a:1:text"}
                                     << QStringList{"a"} << "same name" << "refused";
    QTest::newRow("file then a file under it") << (tarFile("a", "1") + tarFile("a/b", "2") + end)
                                               << QStringList{"a:1:text"} << QStringList{"a/b"} << "to be a folder"
                                               << "refused";
    QTest::newRow("file under, then the folder as file") << (tarFile("a/b", "2") + tarFile("a", "1") + end)
                                                         << QStringList{"a/b:1:text"} << QStringList{"a"}
                                                         << "folder of that name" << "refused";

    QTest::newRow("truncated data") << (tarHeader(TarEntry("cut.txt", '0', QByteArray(1000, 'x'))) + QByteArray(600, 'x'))
                                    << QStringList{} << QStringList{"cut.txt"} << "cut short" << "cut short";
    QTest::newRow("truncated header") << (tarFile("a", "1") + QByteArray(100, 'x')) << QStringList{"a:1:text"}
                                      << QStringList{} << "" << "inside a header";
    QTest::newRow("no end marker") << tarFile("a", "1") << QStringList{"a:1:text"} << QStringList{} << ""
                                   << "no end marker";
    QTest::newRow("bad checksum stops the reading")
        << (tarFile("a", "1") + tarEntry(TarEntry("b", '0', "2").corruptChecksum()) + tarFile("c", "3") + end)
        << QStringList{"a:1:text"} << QStringList{"b"} << "checksum" << "checksum";
    QTest::newRow("size overflows (base-256)")
        << (tarEntry(TarEntry("big", '0', "x").withDeclaredSize(std::numeric_limits<qint64>::max()).inBase256()) + end)
        << QStringList{} << QStringList{"big"} << "cut short" << "cut short";
    QTest::newRow("size past 2^63 (base-256)")
        << (tarHeader(TarEntry("huge", '0').withRawSizeField(QByteArray("\x80\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12)))
            + end)
        << QStringList{} << QStringList{"huge"} << "not a number" << "not a number";
    QTest::newRow("negative size (base-256)")
        << (tarHeader(TarEntry("neg", '0').withRawSizeField(QByteArray(12, '\xff'))) + end) << QStringList{}
        << QStringList{"neg"} << "not a number" << "not a number";
    QTest::newRow("octal size of 8 GiB") << (tarHeader(TarEntry("o", '0').withRawSizeField("77777777777")) + end)
                                         << QStringList{} << QStringList{"o"} << "cut short" << "cut short";
    QTest::newRow("size with garbage") << (tarHeader(TarEntry("g", '0').withRawSizeField("12x")) + end)
                                       << QStringList{} << QStringList{"g"} << "not a number" << "not a number";
    QTest::newRow("pax size overflows")
        << (tarWithPax(paxRecord("size", "99999999999999999999"), TarEntry("p", '0', "x")) + end) << QStringList{}
        << QStringList{"p"} << "not a number" << "refused";
    QTest::newRow("not a tar archive") << QByteArray(2048, 'A') << QStringList{} << QStringList{} << ""
                                       << "not a tar header";
    QTest::newRow("global pax header with a path")
        << (tarEntry(TarEntry("g", 'g', paxRecord("path", "x"))) + tarFile("a", "1") + end) << QStringList{} << QStringList{}
        << "" << "global pax header";
    QTest::newRow("long name larger than 64 KiB")
        << (tarEntry(TarEntry("././@LongLink", 'L', QByteArray(70000, 'a'))) + tarFile("x", "1") + tarFile("y", "2") + end)
        << QStringList{"y:1:text"} << QStringList{"x"} << "long name is larger" << "refused";
}

void TestArtifactArchive::read()
{
    QFETCH(QByteArray, archive);
    QFETCH(QStringList, files);
    QFETCH(QStringList, refused);
    QFETCH(QString, reason);
    QFETCH(QString, note);

    const ArtifactCollection c = readArtifactArchive(archive, kCaps);
    QCOMPARE(describe(c), files);
    QCOMPARE(refusedNames(c), refused);
    if (!reason.isEmpty())
        QVERIFY2(c.refused.first().reason.contains(reason), qPrintable(c.refused.first().reason));
    for (const RefusedArtifact& r : c.refused) {
        QVERIFY(r.reason.at(0).isUpper());
        QVERIFY(r.reason.endsWith(QLatin1Char('.')));
    }
    if (note.isEmpty())
        QVERIFY2(c.note.isEmpty(), qPrintable(c.note));
    else
        QVERIFY2(c.note.contains(note), qPrintable(c.note));
}

void TestArtifactArchive::everyRejectionInOneArchive()
{
    // What a hostile snippet could leave in /workspace/out, all at once, between two good files.
    QByteArray tar = tarDirectory("./") + tarFile("./report.txt", "fine\n");
    tar += tarFile("/etc/passwd", "root::0:0");
    tar += tarFile("../x", "escape");
    tar += tarEntry({"./shadow", '2', {}, "/etc/shadow"});
    tar += tarEntry({"./hard", '1', {}, "/etc/passwd"});
    tar += tarEntry({"./dev", '3', {}});
    tar += tarEntry({"./blk", '4', {}});
    tar += tarEntry({"./fifo", '6', {}});
    tar += tarWithLongName("./" + QByteArray(300, 'L'), TarEntry("./LLL", '0', "x"));
    tar += tarWithPax(paxRecord("path", "./../../../root/.ssh/authorized_keys"), TarEntry("./keys", '0', "ssh-rsa"));
    tar += tarFile("./plot.png", pngBytes());
    const QByteArray good = tar;
    tar += tarEntry(TarEntry("./late", '0', "after a bad checksum").corruptChecksum());
    tar += tarFile("./never.txt", "never read");
    tar += tarEnd();

    const ArtifactCollection c = readArtifactArchive(tar, kCaps);
    QCOMPARE(describe(c), (QStringList{"report.txt:5:text", "plot.png:36:png"}));
    QStringList reasons;
    for (const RefusedArtifact& r : c.refused)
        reasons << r.path + QStringLiteral(" -> ") + r.reason;
    QCOMPARE(c.refused.size(), 10);
    const QStringList expected{"absolute", "\"..\"", "symbolic link", "hard link", "character device",
                               "block device", "FIFO", "255 bytes", "\"..\"", "checksum"};
    for (int i = 0; i < expected.size(); ++i)
        QVERIFY2(c.refused.at(i).reason.contains(expected.at(i)), qPrintable(reasons.join(QLatin1Char('\n'))));
    QVERIFY(c.note.contains(QLatin1String("checksum")));
    QVERIFY(c.note.contains(QLatin1String("10 entries")));

    // Cut anywhere, the reader stays inside the buffer and keeps only whole, good files.
    for (qsizetype cut = 0; cut <= good.size(); cut += 97) {
        const ArtifactCollection part = readArtifactArchive(good.left(cut), kCaps);
        for (const Artifact& a : part.files)
            QVERIFY(a.path == QLatin1String("report.txt") || a.path == QLatin1String("plot.png"));
    }
}

void TestArtifactArchive::capsHold()
{
    QByteArray tar;
    for (int i = 0; i < 5; ++i)
        tar += tarFile("f" + QByteArray::number(i), QByteArray(1000, 'a' + i));
    tar += tarEnd();

    const ArtifactCollection byCount = readArtifactArchive(tar, {1 << 20, 3});
    QCOMPARE(byCount.files.size(), 3);
    QCOMPARE(refusedNames(byCount), (QStringList{"f3", "f4"}));
    QVERIFY(byCount.refused.first().reason.contains(QLatin1String("More than 3 files")));

    // Bytes: the third file would pass 2500; a smaller later file that still fits is taken.
    QByteArray mixed = tarFile("a", QByteArray(1000, 'a')) + tarFile("b", QByteArray(1000, 'b'))
                       + tarFile("c", QByteArray(1000, 'c')) + tarFile("d", QByteArray(400, 'd')) + tarEnd();
    const ArtifactCollection byBytes = readArtifactArchive(mixed, {2500, 100});
    QCOMPARE(describe(byBytes), (QStringList{"a:1000:text", "b:1000:text", "d:400:text"}));
    QCOMPARE(refusedNames(byBytes), QStringList{"c"});
    QVERIFY(byBytes.refused.first().reason.contains(QLatin1String("past their")));
    qint64 total = 0;
    for (const Artifact& a : byBytes.files)
        total += a.size;
    QVERIFY(total <= 2500);

    const ArtifactCollection none = readArtifactArchive(tar, {1 << 20, 0});
    QCOMPARE(none.files.size(), 0);
    QCOMPARE(none.refused.size(), 5);
}

void TestArtifactArchive::refusedListIsBounded()
{
    QByteArray tar;
    for (int i = 0; i < kMaxRefusedListed + 50; ++i)
        tar += tarEntry({"link" + QByteArray::number(i), '2', {}, "/etc/passwd"});
    tar += tarEnd();
    const ArtifactCollection c = readArtifactArchive(tar, kCaps);
    QCOMPARE(c.refused.size(), kMaxRefusedListed);
    QVERIFY2(c.note.contains(QStringLiteral("%1 entries").arg(kMaxRefusedListed + 50)), qPrintable(c.note));
    QVERIFY(c.note.contains(QLatin1String("Only the first")));
}

void TestArtifactArchive::bytesAreExact()
{
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all.append(char(i));
    for (qsizetype size : {qsizetype(1), qsizetype(511), qsizetype(512), qsizetype(513), qsizetype(4096)}) {
        const QByteArray data = all.repeated(size / 256 + 1).left(size);
        const ArtifactCollection c = readArtifactArchive(tarFile("bin", data) + tarFile("next", "n") + tarEnd(), kCaps);
        QCOMPARE(c.files.size(), 2);
        QCOMPARE(c.files.at(0).bytes, data);
        QCOMPARE(c.files.at(0).size, size);
        QCOMPARE(c.files.at(1).bytes, QByteArray("n"));
    }
}

void TestArtifactArchive::detectType_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("type");
    QTest::newRow("empty") << QByteArray() << "text";
    QTest::newRow("ascii") << QByteArray("a,b\n1,2\r\n\tx\f") << "text";
    QTest::newRow("utf-8") << QByteArray("caf\xc3\xa9 \xe2\x82\xac\n") << "text";
    QTest::newRow("invalid utf-8") << QByteArray("caf\xe9") << "other";
    QTest::newRow("escape") << QByteArray("\x1b[31mred") << "other";
    QTest::newRow("nul") << QByteArray("a\0b", 3) << "other";
    QTest::newRow("png") << pngBytes() << "png";
    QTest::newRow("jpeg") << QByteArray("\xff\xd8\xff\xe0\0\x10JFIF", 10) << "jpeg";
    QTest::newRow("svg") << QByteArray("<svg xmlns=\"http://www.w3.org/2000/svg\"/>") << "svg";
    QTest::newRow("svg after declaration and comment")
        << QByteArray("\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- made by matplotlib -->\n<!DOCTYPE svg>\n<svg>\n</svg>\n")
        << "svg";
    QTest::newRow("html mentioning svg") << QByteArray("<html><svg></svg></html>") << "text";
    QTest::newRow("svgz-like name only") << QByteArray("<svgx>") << "text";
}

void TestArtifactArchive::detectType()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, type);
    QCOMPARE(artifactTypeName(detectArtifactType(bytes)), type);
}

void TestArtifactArchive::printableName_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("printable");
    QTest::newRow("plain") << QByteArray("a/b.txt") << "a/b.txt";
    QTest::newRow("utf-8") << QByteArray("\xc3\xa9t\xc3\xa9") << QStringLiteral("\u00e9t\u00e9");
    QTest::newRow("escape") << QByteArray("\x1b[2J") << "\\x1b[2J";
    QTest::newRow("C1") << QByteArray("\xc2\x9b") << "\\xc2\\x9b";
    QTest::newRow("invalid") << QByteArray("\xff\xfe") << "\\xff\\xfe";
    QTest::newRow("cut lead") << QByteArray("a\xe2\x82") << "a\\xe2\\x82";
    QTest::newRow("long") << QByteArray(300, 'x') << QString(200, QLatin1Char('x')) + QStringLiteral("…");
}

void TestArtifactArchive::printableName()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, printable);
    QCOMPARE(cc::printableName(raw), printable);
}

void TestArtifactArchive::artifactLimits_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<int>("files");
    QTest::addColumn<QString>("error");  // a word of the sentence; empty: accepted
    QTest::newRow("defaults") << Limits().artifactBytes << Limits().artifactFiles << "";
    QTest::newRow("16 MiB and 100 files are the defaults") << qint64(16 << 20) << 100 << "";
    QTest::newRow("none collected") << qint64(0) << 0 << "";
    QTest::newRow("1 GiB, 10000 files") << qint64(1) * 1024 * 1024 * 1024 << 10'000 << "";
    QTest::newRow("negative bytes") << qint64(-1) << 100 << "artifacts limit";
    QTest::newRow("past 1 GiB") << qint64(1) * 1024 * 1024 * 1024 + 1 << 100 << "artifacts limit";
    QTest::newRow("negative files") << qint64(1024) << -1 << "artifact count";
    QTest::newRow("10001 files") << qint64(1024) << 10'001 << "artifact count";
}

void TestArtifactArchive::artifactLimits()
{
    QFETCH(qint64, bytes);
    QFETCH(int, files);
    QFETCH(QString, error);
    QCOMPARE(Limits().artifactBytes, qint64(16 << 20));
    QCOMPARE(Limits().artifactFiles, 100);
    Limits limits;
    limits.artifactBytes = bytes;
    limits.artifactFiles = files;
    const QString problem = validateLimits(limits);
    if (error.isEmpty())
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    else
        QVERIFY2(problem.contains(error) && problem.endsWith(QLatin1Char('.')), qPrintable(problem));
}

QTEST_APPLESS_MAIN(TestArtifactArchive)
#include "tst_artifactarchive.moc"
