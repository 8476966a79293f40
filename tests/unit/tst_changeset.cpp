#include "ChangeSet.h"
#include "FolderSnapshot.h"
#include "LineDiff.h"

#include "FileTestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace cc;
using namespace cc::test;

namespace {

const FileChange* find(const ChangeSet& set, const QString& path)
{
    for (const FileChange& c : set.changes)
        if (c.path == path)
            return &c;
    return nullptr;
}

} // namespace

class TestChangeSet : public QObject
{
    Q_OBJECT

private slots:
    void snapshotTakesRegularFilesOnly();
    void snapshotCapsBytesAndFiles();
    void changeSetFindsAddedModifiedDeleted();
    void incompleteCollectionInfersNoDeletion();
    void refusedNameIsNotADeletion();
    void diffShowsHunks();
    void diffOfLargeChangeIsCoarseButCorrect();
    void diffIsCut();
};

void TestChangeSet::snapshotTakesRegularFilesOnly()
{
    QTemporaryDir outside;
    QTemporaryDir dir;
    QVERIFY(outside.isValid() && dir.isValid());
    QVERIFY(makeTestFile(outside.filePath(QStringLiteral("secret")), "do not copy"));
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("a.txt")), "aaa\n"));
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("sub/b.bin")), QByteArray(10, '\0')));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("empty")));
    QVERIFY(QFile::link(outside.filePath(QStringLiteral("secret")), dir.filePath(QStringLiteral("link"))));
    QVERIFY(QFile::link(outside.path(), dir.filePath(QStringLiteral("linkdir"))));
    QCOMPARE(::mkfifo(QFile::encodeName(dir.filePath(QStringLiteral("fifo"))).constData(), 0600), 0);

    const FolderSnapshot s = takeFolderSnapshot(dir.path());
    QVERIFY2(s.ok(), qPrintable(s.error));
    QCOMPARE(s.files.keys(), (QStringList{QStringLiteral("a.txt"), QStringLiteral("sub/b.bin")}));
    QCOMPARE(s.totalBytes, 14);
    QCOMPARE(s.files.value(QStringLiteral("a.txt")).sha256,
             QCryptographicHash::hash("aaa\n", QCryptographicHash::Sha256));
    QCOMPARE(s.files.value(QStringLiteral("a.txt")).bytes, QByteArray("aaa\n"));
    QVERIFY(s.files.value(QStringLiteral("a.txt")).mtimeNs > 0);
    QVERIFY(s.folders.contains(QStringLiteral("empty")));
    QVERIFY(s.folders.contains(QStringLiteral("sub")));
    QVERIFY(!s.folders.contains(QStringLiteral("linkdir")));
    QCOMPARE(s.skipped.size(), 3);
    QVERIFY(s.skipped.contains(QStringLiteral("link")));
    QVERIFY(s.skipped.contains(QStringLiteral("linkdir")));
    QVERIFY(s.skipped.contains(QStringLiteral("fifo")));
}

void TestChangeSet::snapshotCapsBytesAndFiles()
{
    QTemporaryDir dir;
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("a")), QByteArray(600, 'a')));
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("b")), QByteArray(600, 'b')));
    const FolderSnapshot bytes = takeFolderSnapshot(dir.path(), 1000, 10);
    QVERIFY(!bytes.ok());
    QVERIFY(bytes.error.contains(QLatin1String("too large")));
    QVERIFY(bytes.files.isEmpty());
    const FolderSnapshot files = takeFolderSnapshot(dir.path(), 10'000, 1);
    QVERIFY(!files.ok());
    QVERIFY(takeFolderSnapshot(dir.path(), 1200, 2).ok());
}

void TestChangeSet::changeSetFindsAddedModifiedDeleted()
{
    QTemporaryDir dir;
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("same.txt")), "same\n"));
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("edit.txt")), "one\ntwo\nthree\n"));
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("gone.txt")), "bye\n"));
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("data.bin")), QByteArray("\x00\x01\x02", 3)));
    const FolderSnapshot s = takeFolderSnapshot(dir.path());
    QVERIFY(s.ok());

    ArtifactCollection back;
    back.files << testArtifact(QStringLiteral("same.txt"), "same\n")
               << testArtifact(QStringLiteral("edit.txt"), "one\nTWO\nthree\n")
               << testArtifact(QStringLiteral("data.bin"), QByteArray("\x00\x01\x03", 3))
               << testArtifact(QStringLiteral("new/added.txt"), "hello\n");
    const ChangeSet set = computeChangeSet(s, back);
    QCOMPARE(set.changes.size(), 4);
    QCOMPARE(set.folder, s.folder);

    const FileChange* edit = find(set, QStringLiteral("edit.txt"));
    QVERIFY(edit);
    QCOMPARE(edit->kind, ChangeKind::Modified);
    QVERIFY(edit->text);
    QCOMPARE(edit->diff, QStringLiteral("@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"));
    QCOMPARE(edit->oldSha256, s.files.value(QStringLiteral("edit.txt")).sha256);
    QCOMPARE(edit->newBytes, QByteArray("one\nTWO\nthree\n"));

    const FileChange* bin = find(set, QStringLiteral("data.bin"));
    QVERIFY(bin);
    QCOMPARE(bin->kind, ChangeKind::Modified);
    QVERIFY(!bin->text);
    QVERIFY(bin->diff.isEmpty());

    const FileChange* added = find(set, QStringLiteral("new/added.txt"));
    QVERIFY(added);
    QCOMPARE(added->kind, ChangeKind::Added);
    QCOMPARE(added->diff, QStringLiteral("@@ -0,0 +1,1 @@\n+hello\n"));

    const FileChange* gone = find(set, QStringLiteral("gone.txt"));
    QVERIFY(gone);
    QCOMPARE(gone->kind, ChangeKind::Deleted);
    QCOMPARE(gone->oldSize, 4);
    QCOMPARE(gone->diff, QStringLiteral("@@ -1,1 +0,0 @@\n-bye\n"));
    QVERIFY(!find(set, QStringLiteral("same.txt")));
    QCOMPARE(changeKindName(ChangeKind::Deleted), QStringLiteral("deleted"));
}

void TestChangeSet::incompleteCollectionInfersNoDeletion()
{
    QTemporaryDir dir;
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("a.txt")), "a\n"));
    const FolderSnapshot s = takeFolderSnapshot(dir.path());
    ArtifactCollection back;
    back.complete = false;
    const ChangeSet set = computeChangeSet(s, back);
    QVERIFY(set.changes.isEmpty());
    QVERIFY(set.note.contains(QLatin1String("no file is shown as deleted")));
}

void TestChangeSet::refusedNameIsNotADeletion()
{
    QTemporaryDir dir;
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("a.txt")), "a\n"));
    const FolderSnapshot s = takeFolderSnapshot(dir.path());
    ArtifactCollection back;
    back.refused << RefusedArtifact{QStringLiteral("a.txt"), QStringLiteral("It is a symbolic link.")};
    const ChangeSet set = computeChangeSet(s, back);
    QVERIFY(set.changes.isEmpty());
    QCOMPARE(set.refused.size(), 1);
    QVERIFY(!set.isEmpty());
}

void TestChangeSet::diffShowsHunks()
{
    QByteArray before;
    for (int i = 1; i <= 20; ++i)
        before += "line " + QByteArray::number(i) + '\n';
    QByteArray after = before;
    after.replace("line 2\n", "line two\n");
    after.replace("line 18\n", "");
    const LineDiff d = diffLines(before, after);
    QCOMPARE(d.added, 1);
    QCOMPARE(d.removed, 2);
    QCOMPARE(d.text, QStringLiteral("@@ -1,5 +1,5 @@\n line 1\n-line 2\n+line two\n line 3\n line 4\n line 5\n"
                                    "@@ -15,6 +15,5 @@\n line 15\n line 16\n line 17\n-line 18\n line 19\n line 20\n"));
    QVERIFY(diffLines("same\n", "same\n").text.isEmpty());
}

void TestChangeSet::diffOfLargeChangeIsCoarseButCorrect()
{
    const LineDiff d = diffLines("a\nb\nc\n", "a\nx\ny\nc\n", 1024, 2);
    QCOMPARE(d.text, QStringLiteral("@@ -1,3 +1,4 @@\n a\n-b\n+x\n+y\n c\n"));
}

void TestChangeSet::diffIsCut()
{
    const LineDiff d = diffLines(QByteArray(), QByteArray(1000, 'x') + '\n', 100);
    QVERIFY(d.truncated);
    QCOMPARE(d.text.size(), 100);
}

QTEST_GUILESS_MAIN(TestChangeSet)
#include "tst_changeset.moc"
