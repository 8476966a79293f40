// Review runs through the real Docker engine: the granted folder is copied into a writable
// /workspace/host, the snippet changes the copy, and what it changed comes back as a change set.
// The host folder itself is never written by the engine.
#include "DockerTestSupport.h"
#include "FileTestSupport.h"
#include "http/HttpClient.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace cc;
using namespace cc::test;

namespace {

const FileChange* change(const ChangeSet& set, const QString& path)
{
    for (const FileChange& c : set.changes)
        if (c.path == path)
            return &c;
    return nullptr;
}

} // namespace

class TestDockerReview : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void changesComeBackAndTheHostIsUntouched();
    void folderReplacedByALinkBringsNothingBack();
    void readOnlyStaysTheDefault();
    void copyTooLargeForTheWorkspaceIsRefused();

private:
    RunOutcome run(const RunSpec& spec);

    http::HttpClient m_http;
    QStringList m_sandboxes;
    docker::DockerBackend* m_backend = nullptr;
};

void TestDockerReview::initTestCase()
{
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestDockerReview::cleanupTestCase()
{
    QVERIFY(!m_sandboxes.isEmpty());
    for (const QString& id : std::as_const(m_sandboxes))
        QCOMPARE(callSync(*m_backend->api(), "GET", "/containers/" + id.toLatin1() + "/json").status, 404);
}

RunOutcome TestDockerReview::run(const RunSpec& spec)
{
    RunOutcome o = runToEnd(*m_backend, spec, 120'000);
    if (!o.result.sandboxId.isEmpty())
        m_sandboxes << o.result.sandboxId;
    return o;
}

void TestDockerReview::changesComeBackAndTheHostIsUntouched()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("notes.txt")), "one\ntwo\nthree\n"));
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("keep.txt")), "unchanged\n"));
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("old/gone.txt")), "remove me\n"));
    QByteArray binary;
    for (int i = 0; i < 3000; ++i)
        binary += char(i * 7);
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("data.bin")), binary));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("empty")));
    const QMap<QString, QByteArray> before = folderTree(dir.path());

    const QByteArray code = R"PY(
import os
h = '/workspace/host'
print(sorted(os.listdir(h)), os.path.isdir(h + '/empty'), os.access(h, os.W_OK))
print(open(h + '/data.bin', 'rb').read()[:4].hex())
with open(h + '/notes.txt', 'a') as f:
    f.write('four\n')
open(h + '/added.txt', 'w').write('new file\n')
os.remove(h + '/old/gone.txt')
os.symlink('/etc/passwd', h + '/passwd-link')
)PY";
    RunSpec spec = makeSpec(QStringLiteral("python"), code);
    spec.grants.hostFolder = dir.path();
    spec.grants.hostFolderMode = Grants::HostFolderMode::Review;
    const RunOutcome o = run(spec);
    QVERIFY2(o.result.verdict == Verdict::Ok, qPrintable(o.result.message + QString::fromUtf8(o.err)));
    QVERIFY2(o.out.startsWith("['data.bin', 'empty', 'keep.txt', 'notes.txt', 'old'] True True\n"), o.out.constData());
    QVERIFY2(o.out.contains("\n00070e15\n"), o.out.constData());
    // Not a mount: nothing was shared with the sandbox as a folder.
    QVERIFY(o.result.mountedFolder.isEmpty());

    const ChangeSet& set = o.result.hostChanges;
    QCOMPARE(set.folder, QDir(dir.path()).canonicalPath());
    QStringList kinds;
    for (const FileChange& c : set.changes)
        kinds << changeKindName(c.kind) + QLatin1Char(' ') + c.path;
    QCOMPARE(kinds, (QStringList{QStringLiteral("added added.txt"), QStringLiteral("modified notes.txt"),
                                 QStringLiteral("deleted old/gone.txt")}));
    const FileChange* notes = change(set, QStringLiteral("notes.txt"));
    QVERIFY(notes->text);
    QCOMPARE(notes->diff, QStringLiteral("@@ -1,3 +1,4 @@\n one\n two\n three\n+four\n"));
    QCOMPARE(notes->newBytes, QByteArray("one\ntwo\nthree\nfour\n"));
    QCOMPARE(change(set, QStringLiteral("added.txt"))->newBytes, QByteArray("new file\n"));
    QCOMPARE(change(set, QStringLiteral("old/gone.txt"))->oldSize, 10);
    // old/ is empty now and empty/ always was: both are still in the copy, so no folder is removed.
    QCOMPARE(set.removedFolders, QStringList());
    // The planted link is refused, never a change.
    QCOMPARE(set.refused.size(), 1);
    QCOMPARE(set.refused.first().path, QStringLiteral("passwd-link"));
    QVERIFY(set.refused.first().reason.contains(QLatin1String("symbolic link")));
    // The engine wrote nothing to the host.
    QCOMPARE(folderTree(dir.path()), before);
}

void TestDockerReview::folderReplacedByALinkBringsNothingBack()
{
    QTemporaryDir dir;
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("a.txt")), "a\n"));
    const QByteArray code = R"PY(
import os, shutil
shutil.rmtree('/workspace/host')
os.symlink('/etc', '/workspace/host')
)PY";
    RunSpec spec = makeSpec(QStringLiteral("python"), code);
    spec.grants.hostFolder = dir.path();
    spec.grants.hostFolderMode = Grants::HostFolderMode::Review;
    const RunOutcome o = run(spec);
    QCOMPARE(o.result.verdict, Verdict::Ok);
    QVERIFY(o.result.hostChanges.changes.isEmpty());
    QVERIFY2(o.result.hostChanges.note.contains(QLatin1String("symbolic link")), qPrintable(o.result.hostChanges.note));
    QCOMPARE(readTestFile(dir.filePath(QStringLiteral("a.txt"))), QByteArray("a\n"));
}

void TestDockerReview::readOnlyStaysTheDefault()
{
    QTemporaryDir dir;
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("a.txt")), "a\n"));
    const QByteArray code = R"PY(
try:
    open('/workspace/host/a.txt', 'w').write('changed')
    print('written')
except OSError as e:
    print('refused', e.errno)
)PY";
    RunSpec spec = makeSpec(QStringLiteral("python"), code);
    spec.grants.hostFolder = dir.path();
    const RunOutcome o = run(spec);
    QCOMPARE(o.result.verdict, Verdict::Ok);
    // EROFS, or EACCES first (the file is not the sandbox user's): either way it stays as it was.
    QVERIFY2(o.out == "refused 30\n" || o.out == "refused 13\n", o.out.constData());
    QCOMPARE(readTestFile(dir.filePath(QStringLiteral("a.txt"))), QByteArray("a\n"));
    QVERIFY(o.result.hostChanges.folder.isEmpty());
    QCOMPARE(o.result.mountedFolder, QDir(dir.path()).canonicalPath());
}

void TestDockerReview::copyTooLargeForTheWorkspaceIsRefused()
{
    QTemporaryDir dir;
    QVERIFY(makeTestFile(dir.filePath(QStringLiteral("big.bin")), QByteArray(40 * 1024 * 1024, 'x')));
    RunSpec spec = makeSpec(QStringLiteral("python"), "print(1)\n");
    spec.grants.hostFolder = dir.path();
    spec.grants.hostFolderMode = Grants::HostFolderMode::Review;
    const RunOutcome o = run(spec);
    QCOMPARE(o.result.verdict, Verdict::BackendError);
    QVERIFY2(o.result.message.contains(QLatin1String("too large")) &&
                 o.result.message.contains(QLatin1String("workspace")),
             qPrintable(o.result.message));
    QVERIFY(o.out.isEmpty());
}

QTEST_MAIN(TestDockerReview)
#include "tst_dockerreview.moc"
