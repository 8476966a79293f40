// ArtifactWriter: saving what came out of a sandbox into a folder that may already hold traps.

#include "ArtifactWriter.h"
#include "FileTestSupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace cc;
using namespace cc::test;

namespace {

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

QStringList entries(const QString& dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

} // namespace

class TestArtifactWriter : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void savesNestedFilesAndCreatesTheFolder();
    void refusesNamesThatLeaveTheFolder_data();
    void refusesNamesThatLeaveTheFolder();
    void neverFollowsALinkInTheTarget();
    void neverOverwritesSilently();
    void overwriteReplacesPlainFilesOnly();
    void fileWhereAFolderIsNeeded();
    void unusableFolderIsASentence();

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_target;    // the chosen folder
    QString m_outside;   // what a trap would reach
};

void TestArtifactWriter::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_target = m_tmp->filePath(QStringLiteral("target"));
    m_outside = m_tmp->filePath(QStringLiteral("outside"));
    QVERIFY(QDir().mkpath(m_outside));
}

void TestArtifactWriter::savesNestedFilesAndCreatesTheFolder()
{
    ArtifactWriter writer(m_target + QStringLiteral("/made/by/save"), false);
    QCOMPARE(writer.open(), QString());
    QString saved;
    QCOMPARE(writer.write(testArtifact(QStringLiteral("a.txt"), "alpha\n"), &saved), QString());
    QCOMPARE(saved, m_target + QStringLiteral("/made/by/save/a.txt"));
    QByteArray binary;
    for (int i = 0; i < 70'000; ++i)
        binary.append(char(i * 7));
    QCOMPARE(writer.write(testArtifact(QStringLiteral("sub/deep/b.bin"), binary)), QString());
    QCOMPARE(writer.write(testArtifact(QStringLiteral("empty"), {})), QString());
    QCOMPARE(readTestFile(m_target + QStringLiteral("/made/by/save/a.txt")), QByteArray("alpha\n"));
    QCOMPARE(readTestFile(m_target + QStringLiteral("/made/by/save/sub/deep/b.bin")), binary);
    QCOMPARE(QFileInfo(m_target + QStringLiteral("/made/by/save/empty")).size(), 0);
    // No temporary file is left behind.
    QCOMPARE(entries(m_target + QStringLiteral("/made/by/save")), (QStringList{"a.txt", "empty", "sub"}));
}

void TestArtifactWriter::refusesNamesThatLeaveTheFolder_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("..") << "../outside/x";
    QTest::newRow("a/../../x") << "a/../../x";
    QTest::newRow("absolute") << (m_outside + QStringLiteral("/x"));
    QTest::newRow("empty") << "";
    QTest::newRow("dot") << "./x";
    QTest::newRow("control") << QStringLiteral("x\x1b[2J");
    QTest::newRow("256-byte part") << QString(256, QLatin1Char('n'));
}

void TestArtifactWriter::refusesNamesThatLeaveTheFolder()
{
    QFETCH(QString, path);
    ArtifactWriter writer(m_target, false);
    QCOMPARE(writer.open(), QString());
    const QString why = writer.write(testArtifact(path, "escape"));
    QVERIFY(!why.isEmpty());
    QVERIFY(why.endsWith(QLatin1Char('.')));
    QVERIFY(entries(m_target).isEmpty());
    QVERIFY(entries(m_outside).isEmpty());
}

void TestArtifactWriter::neverFollowsALinkInTheTarget()
{
    QVERIFY(QDir().mkpath(m_target));
    // A folder link and a file link planted where the artifacts would go.
    QVERIFY(QFile::link(m_outside, m_target + QStringLiteral("/sub")));
    writeFile(m_outside + QStringLiteral("/victim.txt"), "precious");
    QVERIFY(QFile::link(m_outside + QStringLiteral("/victim.txt"), m_target + QStringLiteral("/report.txt")));

    for (bool overwrite : {false, true}) {
        ArtifactWriter writer(m_target, overwrite);
        QCOMPARE(writer.open(), QString());
        const QString viaFolder = writer.write(testArtifact(QStringLiteral("sub/x.txt"), "through the link"));
        QVERIFY2(viaFolder.contains(QLatin1String("never followed")), qPrintable(viaFolder));
        const QString viaFile = writer.write(testArtifact(QStringLiteral("report.txt"), "through the link"));
        QVERIFY2(!viaFile.isEmpty(), "a link in the target was replaced or followed");
    }
    QCOMPARE(entries(m_outside), QStringList{"victim.txt"});
    QCOMPARE(readTestFile(m_outside + QStringLiteral("/victim.txt")), QByteArray("precious"));
    QVERIFY(QFileInfo(m_target + QStringLiteral("/report.txt")).isSymLink());
}

void TestArtifactWriter::neverOverwritesSilently()
{
    QVERIFY(QDir().mkpath(m_target));
    writeFile(m_target + QStringLiteral("/a.txt"), "old");
    ArtifactWriter writer(m_target, false);
    QCOMPARE(writer.open(), QString());
    const QString why = writer.write(testArtifact(QStringLiteral("a.txt"), "new"));
    QVERIFY2(why.contains(QLatin1String("already exists")) && why.contains(QLatin1String("--force")), qPrintable(why));
    QCOMPARE(readTestFile(m_target + QStringLiteral("/a.txt")), QByteArray("old"));
    QCOMPARE(entries(m_target), QStringList{"a.txt"});
}

void TestArtifactWriter::overwriteReplacesPlainFilesOnly()
{
    QVERIFY(QDir().mkpath(m_target + QStringLiteral("/folder")));
    writeFile(m_target + QStringLiteral("/a.txt"), "old");
    ArtifactWriter writer(m_target, true);
    QCOMPARE(writer.open(), QString());
    QCOMPARE(writer.write(testArtifact(QStringLiteral("a.txt"), "new")), QString());
    QCOMPARE(readTestFile(m_target + QStringLiteral("/a.txt")), QByteArray("new"));
    const QString why = writer.write(testArtifact(QStringLiteral("folder"), "not a folder"));
    QVERIFY2(why.contains(QLatin1String("not a plain file")), qPrintable(why));
    QVERIFY(QFileInfo(m_target + QStringLiteral("/folder")).isDir());
    QCOMPARE(entries(m_target), (QStringList{"a.txt", "folder"}));
}

void TestArtifactWriter::fileWhereAFolderIsNeeded()
{
    QVERIFY(QDir().mkpath(m_target));
    writeFile(m_target + QStringLiteral("/sub"), "a file");
    ArtifactWriter writer(m_target, true);
    QCOMPARE(writer.open(), QString());
    const QString why = writer.write(testArtifact(QStringLiteral("sub/x"), "x"));
    QVERIFY2(why.contains(QLatin1String("not a folder")), qPrintable(why));
    QCOMPARE(readTestFile(m_target + QStringLiteral("/sub")), QByteArray("a file"));
}

void TestArtifactWriter::unusableFolderIsASentence()
{
    writeFile(m_tmp->filePath(QStringLiteral("plain")), "x");
    ArtifactWriter writer(m_tmp->filePath(QStringLiteral("plain/below")), false);
    const QString why = writer.open();
    QVERIFY(!why.isEmpty());
    QVERIFY(why.endsWith(QLatin1Char('.')));
    QVERIFY(!writer.write(testArtifact(QStringLiteral("a"), "a")).isEmpty());
}

QTEST_APPLESS_MAIN(TestArtifactWriter)
#include "tst_artifactwriter.moc"
