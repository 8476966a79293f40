#include "ChangeApplier.h"
#include "FileTestSupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace cc;
using namespace cc::test;

namespace {

FileChange changeOf(const ChangeSet& set, const QString& path)
{
    for (const FileChange& c : set.changes)
        if (c.path == path)
            return c;
    return {};
}

QStringList leftovers(const QString& dir)
{
    QStringList temps;
    QDirIterator it(dir, {QStringLiteral(".codecourier-*")}, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        temps << it.next();
    return temps;
}

} // namespace

class TestChangeApplier : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void appliesOnlyAcceptedChanges();
    void refusesHostFileChangedSinceCopy();
    void overwriteReplacesChangedFileButNeverDeletesIt();
    void doesNotFollowLinkPlantedInFolder();
    void doesNotFollowLinkPlantedAtFileName();
    void refusesBadNames_data();
    void refusesBadNames();
    void addedFileThatAppearedIsRefused();
    void keepsPermissionBits();
    void removesFoldersTheAcceptedDeletionsEmptied();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QTemporaryDir> m_outside;
    ChangeSet m_set;
    QString path(const QString& relative) const { return QDir(m_dir->path()).filePath(relative); }
};

void TestChangeApplier::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_outside = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid() && m_outside->isValid());
    QVERIFY(makeTestFile(path(QStringLiteral("keep.txt")), "keep\n"));
    QVERIFY(makeTestFile(path(QStringLiteral("edit.txt")), "old\n"));
    QVERIFY(makeTestFile(path(QStringLiteral("sub/edit2.txt")), "old2\n"));
    QVERIFY(makeTestFile(path(QStringLiteral("gone.txt")), "gone\n"));
    QVERIFY(makeTestFile(path(QStringLiteral("gone2.txt")), "gone2\n"));
    QVERIFY(makeTestFile(QDir(m_outside->path()).filePath(QStringLiteral("secret")), "secret\n"));
    const FolderSnapshot snapshot = takeFolderSnapshot(QDir(m_dir->path()).canonicalPath());
    QVERIFY2(snapshot.ok(), qPrintable(snapshot.error));
    ArtifactCollection back;
    back.files << testArtifact(QStringLiteral("keep.txt"), "keep\n")
               << testArtifact(QStringLiteral("edit.txt"), "new\n")
               << testArtifact(QStringLiteral("sub/edit2.txt"), "new2\n")
               << testArtifact(QStringLiteral("added.txt"), "added\n")
               << testArtifact(QStringLiteral("deep/er/added2.txt"), "added2\n");
    m_set = computeChangeSet(snapshot, back);
    QCOMPARE(m_set.changes.size(), 6);
}

void TestChangeApplier::appliesOnlyAcceptedChanges()
{
    QList<FileChange> accepted{changeOf(m_set, QStringLiteral("edit.txt")), changeOf(m_set, QStringLiteral("gone.txt")),
                               changeOf(m_set, QStringLiteral("deep/er/added2.txt"))};
    ChangeApplier applier(m_set.folder, false);
    const auto outcomes = applier.applyAll(accepted);
    QCOMPARE(outcomes.size(), 3);
    for (const auto& o : outcomes)
        QVERIFY2(o.applied(), qPrintable(o.error));
    // Accepted:
    QCOMPARE(readTestFile(path(QStringLiteral("edit.txt"))), QByteArray("new\n"));
    QVERIFY(!QFile::exists(path(QStringLiteral("gone.txt"))));
    QCOMPARE(readTestFile(path(QStringLiteral("deep/er/added2.txt"))), QByteArray("added2\n"));
    // Rejected, left as they were:
    QCOMPARE(readTestFile(path(QStringLiteral("sub/edit2.txt"))), QByteArray("old2\n"));
    QCOMPARE(readTestFile(path(QStringLiteral("gone2.txt"))), QByteArray("gone2\n"));
    QVERIFY(!QFile::exists(path(QStringLiteral("added.txt"))));
    QCOMPARE(readTestFile(path(QStringLiteral("keep.txt"))), QByteArray("keep\n"));
    QVERIFY(leftovers(m_dir->path()).isEmpty());
}

void TestChangeApplier::refusesHostFileChangedSinceCopy()
{
    // Same size, so only the hash (or the time) can tell.
    QVERIFY(makeTestFile(path(QStringLiteral("edit.txt")), "OLD\n"));
    QVERIFY(makeTestFile(path(QStringLiteral("gone.txt")), "GONE\n"));
    ChangeApplier applier(m_set.folder, false);
    const ChangeApplier::Outcome edit = applier.apply(changeOf(m_set, QStringLiteral("edit.txt")));
    QVERIFY2(edit.error.contains(QLatin1String("edit.txt changed on the host since it was copied")),
             qPrintable(edit.error));
    QVERIFY(edit.conflict);
    QCOMPARE(readTestFile(path(QStringLiteral("edit.txt"))), QByteArray("OLD\n"));
    const ChangeApplier::Outcome gone = applier.apply(changeOf(m_set, QStringLiteral("gone.txt")));
    QVERIFY2(
        gone.error.contains(QLatin1String("changed on the host since it was copied into the sandbox, so it was not "
                                          "deleted")),
        qPrintable(gone.error));
    // Overwrite never deletes, so it is no way out for a deletion.
    QVERIFY(!gone.conflict);
    QVERIFY(QFile::exists(path(QStringLiteral("gone.txt"))));
}

void TestChangeApplier::overwriteReplacesChangedFileButNeverDeletesIt()
{
    QVERIFY(makeTestFile(path(QStringLiteral("edit.txt")), "mine, longer\n"));
    QVERIFY(makeTestFile(path(QStringLiteral("gone.txt")), "mine too\n"));
    ChangeApplier applier(m_set.folder, true);
    QCOMPARE(applier.apply(changeOf(m_set, QStringLiteral("edit.txt"))).error, QString());
    QCOMPARE(readTestFile(path(QStringLiteral("edit.txt"))), QByteArray("new\n"));
    QVERIFY(!applier.apply(changeOf(m_set, QStringLiteral("gone.txt"))).applied());
    QCOMPARE(readTestFile(path(QStringLiteral("gone.txt"))), QByteArray("mine too\n"));
}

void TestChangeApplier::doesNotFollowLinkPlantedInFolder()
{
    // sub/ becomes a link to a folder outside between the copy and the apply.
    QVERIFY(QDir(path(QStringLiteral("sub"))).removeRecursively());
    QVERIFY(makeTestFile(QDir(m_outside->path()).filePath(QStringLiteral("edit2.txt")), "old2\n"));
    QVERIFY(QFile::link(m_outside->path(), path(QStringLiteral("sub"))));
    for (bool overwrite : {false, true}) {
        ChangeApplier applier(m_set.folder, overwrite);
        const QString error = applier.apply(changeOf(m_set, QStringLiteral("sub/edit2.txt"))).error;
        QVERIFY2(error.contains(QLatin1String("links are never followed")), qPrintable(error));
        QCOMPARE(readTestFile(QDir(m_outside->path()).filePath(QStringLiteral("edit2.txt"))), QByteArray("old2\n"));
    }
    QVERIFY(leftovers(m_outside->path()).isEmpty());
}

void TestChangeApplier::doesNotFollowLinkPlantedAtFileName()
{
    const QString secret = QDir(m_outside->path()).filePath(QStringLiteral("secret"));
    QVERIFY(QFile::remove(path(QStringLiteral("edit.txt"))));
    QVERIFY(QFile::link(secret, path(QStringLiteral("edit.txt"))));
    QVERIFY(QFile::link(secret, path(QStringLiteral("added.txt"))));
    QVERIFY(QFile::remove(path(QStringLiteral("gone.txt"))));
    QVERIFY(QFile::link(secret, path(QStringLiteral("gone.txt"))));
    for (bool overwrite : {false, true}) {
        ChangeApplier applier(m_set.folder, overwrite);
        for (const QString& name :
             {QStringLiteral("edit.txt"), QStringLiteral("added.txt"), QStringLiteral("gone.txt")}) {
            const ChangeApplier::Outcome outcome = applier.apply(changeOf(m_set, name));
            QVERIFY2(!outcome.applied(), qPrintable(name));
            QVERIFY2(!outcome.conflict, qPrintable(name)); // a link is never replaced, whatever the person says
            QVERIFY(QFileInfo(path(name)).isSymLink());
        }
    }
    QCOMPARE(readTestFile(secret), QByteArray("secret\n"));
}

void TestChangeApplier::refusesBadNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("kind");
    for (int kind : {int(ChangeKind::Added), int(ChangeKind::Modified), int(ChangeKind::Deleted)}) {
        QTest::addRow("dotdot-%d", kind) << QStringLiteral("../escaped.txt") << kind;
        QTest::addRow("inner-dotdot-%d", kind) << QStringLiteral("sub/../../escaped.txt") << kind;
        QTest::addRow("absolute-%d", kind) << QStringLiteral("/tmp/escaped.txt") << kind;
        QTest::addRow("empty-%d", kind) << QString() << kind;
        QTest::addRow("control-%d", kind) << QStringLiteral("a\x1b[2Jb") << kind;
    }
}

void TestChangeApplier::refusesBadNames()
{
    QFETCH(QString, name);
    QFETCH(int, kind);
    FileChange change;
    change.kind = ChangeKind(kind);
    change.path = name;
    change.newBytes = "evil\n";
    ChangeApplier applier(m_set.folder, true);
    QVERIFY(!applier.apply(change).applied());
    QVERIFY(!QFile::exists(QDir(m_dir->path()).filePath(QStringLiteral("../escaped.txt"))));
    QVERIFY(!QFile::exists(QStringLiteral("/tmp/escaped.txt")));
}

void TestChangeApplier::addedFileThatAppearedIsRefused()
{
    QVERIFY(makeTestFile(path(QStringLiteral("added.txt")), "the user's\n"));
    ChangeApplier careful(m_set.folder, false);
    const ChangeApplier::Outcome refused = careful.apply(changeOf(m_set, QStringLiteral("added.txt")));
    QVERIFY(refused.error.contains(QLatin1String("appeared on the host")));
    QVERIFY(refused.conflict);
    QCOMPARE(readTestFile(path(QStringLiteral("added.txt"))), QByteArray("the user's\n"));
    ChangeApplier forced(m_set.folder, true);
    QCOMPARE(forced.apply(changeOf(m_set, QStringLiteral("added.txt"))).error, QString());
    QCOMPARE(readTestFile(path(QStringLiteral("added.txt"))), QByteArray("added\n"));
}

void TestChangeApplier::keepsPermissionBits()
{
    QTemporaryDir dir;
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("run.sh")), "echo 1\n"));
    QVERIFY(QFile::setPermissions(dir.filePath(QStringLiteral("run.sh")),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    const FolderSnapshot snapshot = takeFolderSnapshot(QDir(dir.path()).canonicalPath());
    ArtifactCollection back;
    back.files << testArtifact(QStringLiteral("run.sh"), "echo 2\n");
    const ChangeSet set = computeChangeSet(snapshot, back);
    QCOMPARE(set.changes.size(), 1);
    QCOMPARE(ChangeApplier(set.folder, false).apply(set.changes.first()).error, QString());
    struct stat st
    {
    };
    QCOMPARE(::stat(QFile::encodeName(dir.filePath(QStringLiteral("run.sh"))).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0700);
    QCOMPARE(readTestFile(dir.filePath(QStringLiteral("run.sh"))), QByteArray("echo 2\n"));
}

void TestChangeApplier::removesFoldersTheAcceptedDeletionsEmptied()
{
    // The program deleted old/ (with old/inner/ and an empty old/empty/), kept/ but emptied it, and
    // also removed lone/, which held a file the person does not accept deleting.
    QTemporaryDir dir;
    for (const char* name : {"old/a.txt", "old/inner/b.txt", "kept/c.txt", "lone/d.txt", "stays.txt"})
        QVERIFY(makeTestFile(dir.filePath(QLatin1String(name)), "x\n"));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("old/empty")));
    const FolderSnapshot snapshot = takeFolderSnapshot(QDir(dir.path()).canonicalPath());
    QVERIFY2(snapshot.ok(), qPrintable(snapshot.error));
    ArtifactCollection back;
    back.files << testArtifact(QStringLiteral("stays.txt"), "x\n");
    back.folders << QStringLiteral("kept");
    const ChangeSet set = computeChangeSet(snapshot, back);
    QCOMPARE(set.removedFolders, (QStringList{"old/empty", "old/inner", "lone", "old"}));
    QList<FileChange> accepted;
    for (const FileChange& c : set.changes)
        if (c.path != QLatin1String("lone/d.txt"))
            accepted << c;
    QCOMPARE(accepted.size(), 3);

    ChangeApplier applier(set.folder, false);
    for (const auto& o : applier.applyAll(accepted, set.removedFolders))
        QVERIFY2(o.applied(), qPrintable(o.error));
    QCOMPARE(applier.removedFolders(), (QStringList{"old/empty", "old/inner", "old"}));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("old"))));
    // Emptied but still in the copy: kept. Not emptied (a rejected deletion): kept with its file.
    QVERIFY(QFileInfo(dir.filePath(QStringLiteral("kept"))).isDir());
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("kept/c.txt"))));
    QCOMPARE(readTestFile(dir.filePath(QStringLiteral("lone/d.txt"))), QByteArray("x\n"));

    // A removed folder that something new was put into on the host in the meantime stays.
    QTemporaryDir second;
    QVERIFY(makeTestFile(second.filePath(QStringLiteral("gone/e.txt")), "e\n"));
    const FolderSnapshot snap2 = takeFolderSnapshot(QDir(second.path()).canonicalPath());
    const ChangeSet set2 = computeChangeSet(snap2, ArtifactCollection{});
    QVERIFY(makeTestFile(second.filePath(QStringLiteral("gone/new-on-host.txt")), "mine\n"));
    ChangeApplier careful(set2.folder, false);
    QVERIFY(careful.applyAll(set2.changes, set2.removedFolders).first().applied());
    QVERIFY(careful.removedFolders().isEmpty());
    QCOMPARE(readTestFile(second.filePath(QStringLiteral("gone/new-on-host.txt"))), QByteArray("mine\n"));
}

QTEST_GUILESS_MAIN(TestChangeApplier)
#include "tst_changeapplier.moc"
