// Artifacts through the real Docker engine: what a snippet leaves in /workspace/out comes back
// within the caps, and everything else is refused with a reason. The snippets here are hostile on
// purpose: links to the sandbox's /etc/passwd, FIFOs, floods of files and bytes.
#include "DockerTestSupport.h"
#include "http/HttpClient.h"

#include <QtTest>

using namespace cc;
using namespace cc::test;

namespace {

QStringList paths(const RunResult& r)
{
    QStringList out;
    for (const Artifact& a : r.artifacts)
        out << a.path;
    return out;
}

const Artifact* find(const RunResult& r, const QString& path)
{
    for (const Artifact& a : r.artifacts)
        if (a.path == path)
            return &a;
    return nullptr;
}

const RefusedArtifact* refusal(const RunResult& r, const QString& path)
{
    for (const RefusedArtifact& a : r.refusedArtifacts)
        if (a.path == path)
            return &a;
    return nullptr;
}

} // namespace

class TestDockerArtifacts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void collectsFilesAndRefusesTheRest();
    void byteCapHolds();
    void archivePastItsCapIsCutAndSaysSo();
    void noArtifactsIsNoError();
    void folderReplacedByALinkIsNotFollowed();
    void collectedAfterTheTimeLimitStopsTheProgram();
    void collectedAfterTheOutputLimit();
    void collectedAfterTheMemoryLimit();
    void leftoverWritersAreStoppedBeforeCollecting();
    void cancelKeepsNoArtifacts();
    void forkBombAtTheLimitLeavesNoneAndStillEnds();

private:
    RunOutcome run(const RunSpec& spec, std::function<void(Run*)> whileRunning = {});

    http::HttpClient m_http;
    QStringList m_sandboxes;
    docker::DockerBackend* m_backend = nullptr;
};

void TestDockerArtifacts::initTestCase()
{
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestDockerArtifacts::cleanupTestCase()
{
    // Only this suite's sandboxes: other suites may share the engine. Collecting happens before
    // removal, so each must be gone already.
    QVERIFY(!m_sandboxes.isEmpty());
    for (const QString& id : std::as_const(m_sandboxes))
        QCOMPARE(callSync(*m_backend->api(), "GET", "/containers/" + id.toLatin1() + "/json").status, 404);
}

RunOutcome TestDockerArtifacts::run(const RunSpec& spec, std::function<void(Run*)> whileRunning)
{
    RunOutcome o = runToEnd(*m_backend, spec, 120'000, std::move(whileRunning));
    if (!o.result.sandboxId.isEmpty())
        m_sandboxes << o.result.sandboxId;
    return o;
}

void TestDockerArtifacts::collectsFilesAndRefusesTheRest()
{
    const QByteArray code = R"PY(
import os, struct, zlib
out = '/workspace/out'
st = os.stat(out)
print('out', st.st_uid, st.st_gid, os.access(out, os.W_OK), len(os.listdir(out)))

def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0))
       + chunk(b'IDAT', zlib.compress(b'\x00\xff\x00\x00')) + chunk(b'IEND', b''))
open(out + '/result.txt', 'w').write('hello from the sandbox\n')
open(out + '/plot.png', 'wb').write(png)
os.makedirs(out + '/sub')
open(out + '/sub/data.csv', 'w').write('a,b\n1,2\n')
os.symlink('/etc/passwd', out + '/passwd')
os.mkfifo(out + '/pipe')
os.makedirs(out + '/zz-many')
for i in range(150):
    open(out + '/zz-many/f%03d.txt' % i, 'w').write(str(i))
print(len(png))
)PY";
    const RunOutcome o = run(makeSpec(QStringLiteral("python"), code));
    QCOMPARE(o.result.verdict, Verdict::Ok);
    // The folder is there, empty, owned by the sandbox user and writable, before the program starts.
    QVERIFY2(o.out.startsWith("out 65534 65534 True 0\n"), o.out.constData());
    const int pngSize = o.out.split('\n').value(1).toInt();
    QVERIFY(pngSize > 50);

    QCOMPARE(o.result.artifacts.size(), 100);  // the cap on files, exactly
    QCOMPARE(paths(o.result).mid(0, 4), (QStringList{"plot.png", "result.txt", "sub/data.csv", "zz-many/f000.txt"}));
    const Artifact* text = find(o.result, QStringLiteral("result.txt"));
    QVERIFY(text);
    QCOMPARE(text->bytes, QByteArray("hello from the sandbox\n"));
    QCOMPARE(text->size, qint64(text->bytes.size()));
    QCOMPARE(text->type, ArtifactType::Text);
    const Artifact* png = find(o.result, QStringLiteral("plot.png"));
    QVERIFY(png);
    QCOMPARE(png->type, ArtifactType::Png);
    QCOMPARE(png->size, qint64(pngSize));
    QCOMPARE(find(o.result, QStringLiteral("sub/data.csv"))->bytes, QByteArray("a,b\n1,2\n"));
    for (const Artifact& a : o.result.artifacts)
        QVERIFY2(!a.bytes.contains("root:x:0:0"), qPrintable(a.path));  // never the link's target

    const RefusedArtifact* link = refusal(o.result, QStringLiteral("passwd"));
    QVERIFY(link);
    QVERIFY2(link->reason.contains(QLatin1String("symbolic link (to \"/etc/passwd\")")), qPrintable(link->reason));
    const RefusedArtifact* fifo = refusal(o.result, QStringLiteral("pipe"));
    QVERIFY(fifo);
    QVERIFY2(fifo->reason.contains(QLatin1String("FIFO")), qPrintable(fifo->reason));
    const RefusedArtifact* over = refusal(o.result, QStringLiteral("zz-many/f149.txt"));
    QVERIFY(over);
    QVERIFY2(over->reason.contains(QLatin1String("More than 100 files")), qPrintable(over->reason));
    QCOMPARE(o.result.refusedArtifacts.size(), 2 + 53);
    QVERIFY2(o.result.artifactsNote.contains(QLatin1String("55 entries in /workspace/out were refused")),
             qPrintable(o.result.artifactsNote));
}

void TestDockerArtifacts::byteCapHolds()
{
    RunSpec spec = makeSpec(QStringLiteral("python"), R"PY(
out = '/workspace/out/'
open(out + 'a.bin', 'wb').write(b'\x01' * 60000)
open(out + 'b.bin', 'wb').write(b'\x02' * 60000)
open(out + 'c.txt', 'w').write('small\n')
)PY");
    spec.limits.artifactBytes = 100'000;
    const RunOutcome o = run(spec);
    QCOMPARE(o.result.verdict, Verdict::Ok);
    QCOMPARE(paths(o.result), (QStringList{"a.bin", "c.txt"}));
    QCOMPARE(find(o.result, QStringLiteral("a.bin"))->bytes, QByteArray(60000, '\x01'));
    QCOMPARE(find(o.result, QStringLiteral("a.bin"))->type, ArtifactType::Other);
    QCOMPARE(o.result.refusedArtifacts.size(), 1);
    QCOMPARE(o.result.refusedArtifacts.first().path, QStringLiteral("b.bin"));
    QVERIFY(o.result.refusedArtifacts.first().reason.contains(QLatin1String("past their")));
}

void TestDockerArtifacts::archivePastItsCapIsCutAndSaysSo()
{
    // 1 MiB of artifacts allowed: the tar stream may carry a little more (headers, refusals), then
    // reading stops. Five 1 MiB files are far past that.
    RunSpec spec = makeSpec(QStringLiteral("python"), R"PY(
import os
for i in range(5):
    open('/workspace/out/big%d.bin' % i, 'wb').write(os.urandom(1 << 20))
)PY");
    spec.limits.artifactBytes = 1 << 20;
    spec.limits.artifactFiles = 10;
    const RunOutcome o = run(spec);
    QCOMPARE(o.result.verdict, Verdict::Ok);
    qint64 total = 0;
    for (const Artifact& a : o.result.artifacts)
        total += a.size;
    QVERIFY(total <= spec.limits.artifactBytes);
    QCOMPARE(o.result.artifacts.size(), 1);
    QVERIFY2(o.result.artifactsNote.contains(QLatin1String("reading stopped there")), qPrintable(o.result.artifactsNote));
    QVERIFY(!o.result.refusedArtifacts.isEmpty());
    QVERIFY2(o.result.refusedArtifacts.last().reason.contains(QLatin1String("cut short")),
             qPrintable(o.result.refusedArtifacts.last().reason));
}

void TestDockerArtifacts::noArtifactsIsNoError()
{
    const RunOutcome o = run(makeSpec(QStringLiteral("python"), "print('nothing to keep')\n"));
    QCOMPARE(o.result.verdict, Verdict::Ok);
    QVERIFY(o.result.artifacts.isEmpty());
    QVERIFY(o.result.refusedArtifacts.isEmpty());
    QVERIFY2(o.result.artifactsNote.isEmpty(), qPrintable(o.result.artifactsNote));
    QCOMPARE(o.out, QByteArray("nothing to keep\n"));
}

void TestDockerArtifacts::folderReplacedByALinkIsNotFollowed()
{
    const RunOutcome o = run(makeSpec(QStringLiteral("bash"), "rmdir /workspace/out && ln -s /etc /workspace/out\n"));
    QCOMPARE(o.result.verdict, Verdict::Ok);
    QVERIFY(o.result.artifacts.isEmpty());
    QVERIFY2(o.result.artifactsNote.contains(QLatin1String("symbolic link")), qPrintable(o.result.artifactsNote));
}

void TestDockerArtifacts::collectedAfterTheTimeLimitStopsTheProgram()
{
    // The program keeps writing until the limit: it is stopped (not the sandbox), and what it wrote
    // is collected without stretching the run.
    RunSpec spec = makeSpec(QStringLiteral("bash"),
                            "echo partial > /workspace/out/partial.txt\n"
                            "while :; do echo tick >> /workspace/out/log.txt; sleep 0.05; done\n");
    spec.limits.wallTimeoutMs = 1'000;
    QElapsedTimer clock;
    clock.start();
    const RunOutcome o = run(spec);
    QCOMPARE(o.result.verdict, Verdict::Timeout);
    QVERIFY(o.result.wallMs < 1'500);
    QVERIFY2(clock.elapsed() < 6'000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(paths(o.result), (QStringList{"log.txt", "partial.txt"}));
    QCOMPARE(find(o.result, QStringLiteral("partial.txt"))->bytes, QByteArray("partial\n"));
    QVERIFY(find(o.result, QStringLiteral("log.txt"))->bytes.startsWith("tick\ntick\n"));
    QVERIFY2(o.result.artifactsNote.contains(QLatin1String("may be incomplete")), qPrintable(o.result.artifactsNote));
}

void TestDockerArtifacts::collectedAfterTheOutputLimit()
{
    RunSpec spec = makeSpec(QStringLiteral("python"),
                            "open('/workspace/out/before.txt', 'w').write('written first')\n"
                            "while True: print('x' * 1000)\n");
    spec.limits.outputBytes = 10'000;
    const RunOutcome o = run(spec);
    QCOMPARE(o.result.verdict, Verdict::OutputLimit);
    QCOMPARE(paths(o.result), QStringList{"before.txt"});
    QCOMPARE(o.result.artifacts.first().bytes, QByteArray("written first"));
}

void TestDockerArtifacts::collectedAfterTheMemoryLimit()
{
    // The kernel kills the program, not the sandbox: the folder is collected as after any exit.
    RunSpec spec = makeSpec(QStringLiteral("python"),
                            "open('/workspace/out/before.txt', 'w').write('before the bomb')\n"
                            "chunks = []\n"
                            "while True: chunks.append(bytearray(16 << 20))\n");
    spec.limits.memoryBytes = 64LL << 20;
    const RunOutcome o = run(spec);
    QCOMPARE(o.result.verdict, Verdict::MemoryLimit);
    QCOMPARE(paths(o.result), QStringList{"before.txt"});
    QCOMPARE(o.result.artifacts.first().bytes, QByteArray("before the bomb"));
}

void TestDockerArtifacts::leftoverWritersAreStoppedBeforeCollecting()
{
    // The program exits but leaves a process renaming its files back and forth as fast as it can:
    // collecting stops it first, so tar finds every file it lists (else it reports files that
    // vanished between listing and reading, nearly always with twenty of them in play).
    const RunOutcome o = run(makeSpec(QStringLiteral("python"), R"PY(
import os
for i in range(20):
    open('/workspace/out/f%02d' % i, 'w').write('data %d\n' % i)
if os.fork() == 0:
    fd = os.open('/dev/null', os.O_RDWR)
    for n in (0, 1, 2):
        os.dup2(fd, n)
    while True:
        for i in range(20):
            name = '/workspace/out/f%02d' % i
            os.rename(name, name + '.tmp')
            os.rename(name + '.tmp', name)
print('left one running')
)PY"));
    QCOMPARE(o.result.verdict, Verdict::Ok);
    QCOMPARE(o.result.artifacts.size(), 20);
    QVERIFY2(o.result.artifactsNote.isEmpty(), qPrintable(o.result.artifactsNote));
    for (const Artifact& a : o.result.artifacts)
        QCOMPARE(a.bytes, "data " + QByteArray::number(a.path.mid(1, 2).toInt()) + '\n');  // f07 or f07.tmp
}

void TestDockerArtifacts::cancelKeepsNoArtifacts()
{
    const RunOutcome o = run(makeSpec(QStringLiteral("bash"), "echo x > /workspace/out/x.txt; sleep 30\n"),
                             [](Run* r) { QTimer::singleShot(500, r, &Run::cancel); });
    QCOMPARE(o.result.verdict, Verdict::Cancelled);
    QVERIFY(o.result.artifacts.isEmpty());
    QVERIFY2(o.result.artifactsNote.contains(QLatin1String("stopped before they could be collected")),
             qPrintable(o.result.artifactsNote));
}

void TestDockerArtifacts::forkBombAtTheLimitLeavesNoneAndStillEnds()
{
    // At its process limit the sandbox cannot start the exec that stops the program: it is removed
    // at once, and the result says why there are no artifacts.
    RunSpec spec = makeSpec(QStringLiteral("bash"), "echo x > /workspace/out/x.txt; f() { f | f & }; f\n");
    spec.limits.wallTimeoutMs = 2'000;
    spec.limits.pids = 32;
    QElapsedTimer clock;
    clock.start();
    const RunOutcome o = run(spec);
    QVERIFY2(clock.elapsed() < 10'000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(o.finishedCount, 1);
    qInfo("verdict %s after %lld ms; artifacts: %lld; note: %s", qPrintable(verdictName(o.result.verdict)),
          clock.elapsed(), qint64(o.result.artifacts.size()), qPrintable(o.result.artifactsNote));
    if (o.result.artifacts.isEmpty())
        QVERIFY2(o.result.artifactsNote.contains(QLatin1String("stopped before")), qPrintable(o.result.artifactsNote));
    else
        QCOMPARE(paths(o.result), QStringList{"x.txt"});
}

QTEST_MAIN(TestDockerArtifacts)
#include "tst_dockerartifacts.moc"
