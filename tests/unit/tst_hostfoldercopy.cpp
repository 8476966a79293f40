#include "e2b/HostFolderCopy.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using cc::e2b::planHostFolderCopy;

namespace {

bool writeFile(const QString& path, const QByteArray& content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

} // namespace

class TestHostFolderCopy : public QObject
{
    Q_OBJECT

private slots:
    void copiesRegularFilesOnly();
    void capsBytes();
    void capsFiles();
};

void TestHostFolderCopy::copiesRegularFilesOnly()
{
    QTemporaryDir outside;
    QTemporaryDir dir;
    QVERIFY(outside.isValid() && dir.isValid());
    QVERIFY(writeFile(outside.filePath(QStringLiteral("secret")), "do not copy"));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("a.txt")), "aaa"));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("sub/deeper/b.bin")), QByteArray(10, '\0')));
    QVERIFY(writeFile(dir.filePath(QStringLiteral(".hidden")), "h"));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("empty")));
    QVERIFY(QFile::link(outside.filePath(QStringLiteral("secret")), dir.filePath(QStringLiteral("link-to-secret"))));
    QVERIFY(QFile::link(outside.path(), dir.filePath(QStringLiteral("link-to-dir"))));

    const auto copy = planHostFolderCopy(dir.path());
    QVERIFY2(copy.ok(), qPrintable(copy.error));
    QStringList names;
    for (const auto& f : copy.files)
        names << f.relativePath;
    names.sort();
    QCOMPARE(names, (QStringList{QStringLiteral(".hidden"), QStringLiteral("a.txt"), QStringLiteral("sub/deeper/b.bin")}));
    QCOMPARE(copy.totalBytes, qint64(14));
    QCOMPARE(copy.skippedLinks, 2);
}

void TestHostFolderCopy::capsBytes()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(QStringLiteral("big")), QByteArray(2000, 'x')));
    const auto copy = planHostFolderCopy(dir.path(), 1000, 10);
    QVERIFY(!copy.ok());
    QVERIFY(copy.error.contains(QLatin1String("too large")));
    QVERIFY(copy.files.isEmpty());
    QVERIFY(planHostFolderCopy(dir.path(), 2000, 10).ok());
}

void TestHostFolderCopy::capsFiles()
{
    QTemporaryDir dir;
    for (int i = 0; i < 5; ++i)
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f%1").arg(i)), "x"));
    QVERIFY(!planHostFolderCopy(dir.path(), 1000, 4).ok());
    QVERIFY(planHostFolderCopy(dir.path(), 1000, 5).ok());
}

QTEST_APPLESS_MAIN(TestHostFolderCopy)
#include "tst_hostfoldercopy.moc"
