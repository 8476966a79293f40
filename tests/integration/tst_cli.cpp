// `codecourier run` and `codecourier doctor` as a script would use them: the real binary, the
// real engine, exit statuses and the --json document.
#include "CliTestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void jsonDocumentHasEveryKey();
    void streamsOutputAndSummarisesOnStderr();
    void exitStatusFollowsTheVerdict_data();
    void exitStatusFollowsTheVerdict();
    void languageFromStdinNeedsLang();
    void stdinFileAndEnv();
    void badArgumentsExit125WithASentence();
    void missingImageExit125();
    void engineDownExit125();
    void interruptCancelsAndRemovesTheSandbox();
    void doctorReportsReady();
    void terminalEscapesAreStrippedUnlessRaw();
    void artifactsAreSavedUnderTheFolder();
    void artifactsInJson();
    void unusableArtifactsFolderExit125();

private:
    using Result = cc::test::CliResult;
    Result run(const QStringList& args, const QByteArray& input = {}, const QProcessEnvironment& env = {});
    QString writeFile(const QString& name, const QByteArray& content);

    QString m_binary;
    QTemporaryDir m_dir;
};

void TestCli::initTestCase()
{
    m_binary = qEnvironmentVariable("CODECOURIER_BINARY");
    QVERIFY2(QFileInfo(m_binary).isExecutable(), "CODECOURIER_BINARY must name the built codecourier binary");
    QVERIFY(m_dir.isValid());
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());  // default settings only
}

TestCli::Result TestCli::run(const QStringList& args, const QByteArray& input, const QProcessEnvironment& env)
{
    return cc::test::runCli(m_binary, args, input, env);
}

QString TestCli::writeFile(const QString& name, const QByteArray& content)
{
    return cc::test::writeTestFile(m_dir.filePath(name), content);
}

void TestCli::jsonDocumentHasEveryKey()
{
    const QString file = writeFile(QStringLiteral("hello.py"), "import sys\nprint('hi')\nprint('oops', file=sys.stderr)\n");
    const Result r = run({QStringLiteral("run"), file, QStringLiteral("--json")});
    QCOMPARE(r.status, 0);
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(r.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    for (const char* key : {"verdict", "exit_code", "signal", "stdout", "stderr", "wall_ms", "cpu_ms",
                            "peak_memory_bytes", "output_truncated", "backend", "image", "network", "mounts", "message"})
        QVERIFY2(doc.contains(QLatin1String(key)), key);
    QCOMPARE(doc.value("verdict").toString(), QStringLiteral("ok"));
    QCOMPARE(doc.value("exit_code").toInt(), 0);
    QVERIFY(doc.value("signal").isNull());
    QCOMPARE(doc.value("stdout").toString(), QStringLiteral("hi\n"));
    QCOMPARE(doc.value("stderr").toString(), QStringLiteral("oops\n"));
    QCOMPARE(doc.value("backend").toString(), QStringLiteral("docker"));
    QCOMPARE(doc.value("image").toString(), QStringLiteral("codecourier/runner:bookworm-1"));
    QCOMPARE(doc.value("network").toBool(), false);
    QCOMPARE(doc.value("mounts").toArray().size(), 0);
    QVERIFY(doc.value("wall_ms").toInt() > 0);
    QVERIFY(doc.value("cpu_ms").toInt() > 0);
    QVERIFY(doc.value("peak_memory_bytes").toDouble() > 0);
}

void TestCli::streamsOutputAndSummarisesOnStderr()
{
    const QString file = writeFile(QStringLiteral("two.sh"), "echo out-line; echo err-line >&2");
    const Result r = run({QStringLiteral("run"), file});
    QCOMPARE(r.status, 0);
    QCOMPARE(r.out, QByteArray("out-line\n"));
    QVERIFY(r.err.startsWith("err-line\n"));
    QVERIFY2(r.err.contains("codecourier: ok: Exited normally (code 0)"), r.err.constData());
    QVERIFY(r.err.contains("wall ") && r.err.contains("cpu ") && r.err.contains("peak memory"));
}

void TestCli::exitStatusFollowsTheVerdict_data()
{
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("verdict");
    QTest::newRow("own exit code") << QByteArray("exit 7") << QStringList{} << 7 << "exit_nonzero";
    QTest::newRow("timeout") << QByteArray("sleep 60") << QStringList{QStringLiteral("--timeout"), QStringLiteral("1.5")}
                             << 124 << "timeout";
    QTest::newRow("memory") << QByteArray("python3 -c 'b = []\nwhile True: b.append(b\"x\" * (4 << 20))'")
                            << QStringList{QStringLiteral("--memory"), QStringLiteral("64")} << 137 << "memory_limit";
    QTest::newRow("output") << QByteArray("yes") << QStringList{QStringLiteral("--output-limit"), QStringLiteral("4K")}
                            << 141 << "output_limit";
}

void TestCli::exitStatusFollowsTheVerdict()
{
    QFETCH(QByteArray, code);
    QFETCH(QStringList, options);
    QFETCH(int, status);
    QFETCH(QString, verdict);
    const QString file = writeFile(QStringLiteral("case.sh"), code);
    const Result r = run(QStringList{QStringLiteral("run"), file, QStringLiteral("--json")} + options);
    QCOMPARE(r.status, status);
    const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(doc.value("verdict").toString(), verdict);
    if (verdict == QLatin1String("output_limit")) {
        QCOMPARE(doc.value("stdout").toString().size(), 4096);
        QCOMPARE(doc.value("output_truncated").toBool(), true);
    }
}

void TestCli::languageFromStdinNeedsLang()
{
    const Result noLang = run({QStringLiteral("run"), QStringLiteral("-")}, "print(1)\n");
    QCOMPARE(noLang.status, 125);
    QVERIFY2(noLang.err.contains("--lang"), noLang.err.constData());
    const Result withLang = run({QStringLiteral("run"), QStringLiteral("-"), QStringLiteral("--lang"), QStringLiteral("py")},
                                "print(6 * 7)\n");
    QCOMPARE(withLang.status, 0);
    QCOMPARE(withLang.out, QByteArray("42\n"));
}

void TestCli::stdinFileAndEnv()
{
    const QString input = writeFile(QStringLiteral("input.txt"), "from a file\n");
    const QString file = writeFile(QStringLiteral("env.js"),
                                   "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(process.env.WHO, s.trim()));");
    const Result r = run({QStringLiteral("run"), file, QStringLiteral("--stdin"), input, QStringLiteral("--env"),
                          QStringLiteral("WHO=node says")});
    QCOMPARE(r.status, 0);
    QCOMPARE(r.out, QByteArray("node says from a file\n"));
}

void TestCli::badArgumentsExit125WithASentence()
{
    for (const QStringList& args : {QStringList{QStringLiteral("run"), QStringLiteral("x.py"), QStringLiteral("--timeout"), QStringLiteral("zero")},
                                    QStringList{QStringLiteral("run"), QStringLiteral("x.py"), QStringLiteral("--frobnicate")},
                                    QStringList{QStringLiteral("run"), m_dir.filePath(QStringLiteral("missing.py"))},
                                    QStringList{QStringLiteral("launch")}}) {
        const Result r = run(args);
        QCOMPARE(r.status, 125);
        QVERIFY2(r.err.startsWith("codecourier: ") && r.err.trimmed().endsWith('.'), r.err.constData());
    }
}

void TestCli::missingImageExit125()
{
    const QString file = writeFile(QStringLiteral("img.sh"), "echo hi");
    const Result r = run({QStringLiteral("run"), file, QStringLiteral("--image"), QStringLiteral("codecourier/absent:0")});
    QCOMPARE(r.status, 125);
    QVERIFY2(r.err.contains("build-images.sh"), r.err.constData());
}

void TestCli::engineDownExit125()
{
    const QString file = writeFile(QStringLiteral("down.sh"), "echo hi");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix:///nonexistent/docker.sock"));
    const Result r = run({QStringLiteral("run"), file}, {}, env);
    QCOMPARE(r.status, 125);
    QVERIFY2(r.err.contains("Docker is not running"), r.err.constData());
}

void TestCli::interruptCancelsAndRemovesTheSandbox()
{
    const QString file = writeFile(QStringLiteral("long.sh"), "echo ready; sleep 60");
    QProcess process;
    process.start(m_binary, {QStringLiteral("run"), file, QStringLiteral("--timeout"), QStringLiteral("60"),
                             QStringLiteral("--json")});
    QVERIFY(process.waitForStarted());
    // Wait until the sandbox exists, then interrupt as Ctrl+C would.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QProcess ps;
            ps.start(QStringLiteral("docker"), {QStringLiteral("ps"), QStringLiteral("-q"), QStringLiteral("--filter"),
                                                QStringLiteral("label=org.codecourier.owner")});
            ps.waitForFinished();
            return !ps.readAllStandardOutput().trimmed().isEmpty();
        }(),
        20'000);
    ::kill(pid_t(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(20'000));
    QCOMPARE(process.exitCode(), 130);
    const QJsonObject doc = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
    QCOMPARE(doc.value("verdict").toString(), QStringLiteral("cancelled"));
    const QString id = doc.value("sandbox_id").toString();
    QVERIFY(!id.isEmpty());
    auto listed = [&id](bool stoppedToo) {
        QProcess inspect;
        QStringList args{QStringLiteral("ps"), QStringLiteral("-q"), QStringLiteral("--no-trunc"),
                         QStringLiteral("--filter"), QStringLiteral("id=") + id};
        if (stoppedToo)
            args << QStringLiteral("-a");
        inspect.start(QStringLiteral("docker"), args);
        inspect.waitForFinished();
        return inspect.readAllStandardOutput().trimmed();
    };
    // Nothing runs once the command has returned; the engine's auto-removal then takes the container.
    QCOMPARE(listed(false), QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(listed(true), QByteArray(), 5'000);
}

void TestCli::doctorReportsReady()
{
    const Result r = run({QStringLiteral("doctor")});
    QCOMPARE(r.status, 0);
    QVERIFY2(r.out.contains("[ok]   Docker engine"), r.out.constData());
    QVERIFY(r.out.contains("codecourier/runner:bookworm-1"));
    QVERIFY(r.out.contains("Ready"));
}

void TestCli::terminalEscapesAreStrippedUnlessRaw()
{
    // `script` gives the command a real terminal, as a person's shell would.
    const QString file = writeFile(QStringLiteral("escapes.sh"),
                                   "printf '\\033]0;PWNED\\007\\033]52;c;ZXZpbA==\\007\\033[2J\\033[31mred\\033[0m\\n'");
    auto onTerminal = [&](const QString& extra) {
        QProcess process;
        process.start(QStringLiteral("script"), {QStringLiteral("-qec"),
                                                 m_binary + QStringLiteral(" run ") + extra + file,
                                                 QStringLiteral("/dev/null")});
        process.waitForFinished(60'000);
        return process.readAllStandardOutput();
    };
    const QByteArray safe = onTerminal(QString());
    QVERIFY2(safe.contains("\x1b[0;31mred"), safe.constData());
    QVERIFY2(!safe.contains("PWNED") && !safe.contains("\x1b]52") && !safe.contains("\x1b[2J"), safe.constData());
    const QByteArray raw = onTerminal(QStringLiteral("--raw "));
    QVERIFY2(raw.contains("\x1b]0;PWNED") && raw.contains("\x1b[2J"), raw.constData());
    // Not a terminal (a pipe, a file): bytes pass untouched, for scripts that want them.
    const Result piped = run({QStringLiteral("run"), file});
    QVERIFY(piped.out.contains("\x1b]0;PWNED"));
}

namespace {
const QByteArray kArtifactSnippet = R"PY(
import os
out = '/workspace/out/'
open(out + 'table.csv', 'w').write('a,b\n1,2\n')
os.makedirs(out + 'nested')
open(out + 'nested/note.txt', 'w').write('nested note\n')
open(out + 'existing.txt', 'w').write('from the sandbox\n')
os.symlink('/etc/passwd', out + 'passwd')
os.symlink('/etc', out + 'etc')
print('done')
)PY";
} // namespace

void TestCli::artifactsAreSavedUnderTheFolder()
{
    const QString file = writeFile(QStringLiteral("artifacts.py"), kArtifactSnippet);
    const QString target = m_dir.filePath(QStringLiteral("saved-artifacts"));
    QVERIFY(QDir().mkpath(target));
    // Traps already in the chosen folder: a link where a folder will be needed, and a file that exists.
    const QString outside = m_dir.filePath(QStringLiteral("outside"));
    QVERIFY(QDir().mkpath(outside));
    QVERIFY(QFile::link(outside, target + QStringLiteral("/nested")));
    const QString existing = writeFile(QStringLiteral("saved-artifacts/existing.txt"), "mine\n");
    auto contents = [](const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    };

    const Result r = run({QStringLiteral("run"), file, QStringLiteral("--artifacts"), target});
    QCOMPARE(r.status, 0);
    QCOMPARE(r.out, QByteArray("done\n"));
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.contains(QStringLiteral("codecourier: saved table.csv (8 bytes, text) as %1/table.csv").arg(target)),
             qPrintable(err));
    QVERIFY2(err.contains(QLatin1String("not saved: nested/note.txt")) && err.contains(QLatin1String("never followed")),
             qPrintable(err));
    QVERIFY2(err.contains(QLatin1String("not saved: existing.txt")) && err.contains(QLatin1String("--force")),
             qPrintable(err));
    QVERIFY2(err.contains(QLatin1String("refused passwd: It is a symbolic link (to \"/etc/passwd\")")), qPrintable(err));
    QVERIFY2(err.contains(QLatin1String("refused etc: It is a symbolic link")), qPrintable(err));

    QCOMPARE(contents(target + QStringLiteral("/table.csv")), QByteArray("a,b\n1,2\n"));
    QVERIFY(QDir(outside).isEmpty());
    QCOMPARE(contents(existing), QByteArray("mine\n"));
    QCOMPARE(QDir(target).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name),
             (QStringList{"existing.txt", "nested", "table.csv"}));

    // --force replaces the plain file, and still never follows the link.
    const Result forced =
        run({QStringLiteral("run"), file, QStringLiteral("--artifacts"), target, QStringLiteral("--force")});
    QCOMPARE(forced.status, 0);
    QCOMPARE(contents(existing), QByteArray("from the sandbox\n"));
    QVERIFY(QDir(outside).isEmpty());
    QVERIFY(QFileInfo(target + QStringLiteral("/nested")).isSymLink());
}

void TestCli::artifactsInJson()
{
    const QString file = writeFile(QStringLiteral("artifacts-json.py"), kArtifactSnippet);
    const QString target = m_dir.filePath(QStringLiteral("json-artifacts"));
    const Result r = run({QStringLiteral("run"), file, QStringLiteral("--json"), QStringLiteral("--artifacts"), target});
    QCOMPARE(r.status, 0);
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(r.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonArray artifacts = doc.value("artifacts").toArray();
    QStringList names;
    for (const QJsonValue& v : artifacts) {
        const QJsonObject a = v.toObject();
        names << a.value("path").toString();
        QVERIFY(!a.contains(QLatin1String("bytes")));  // names, sizes and types only
        QCOMPARE(a.value("type").toString(), QStringLiteral("text"));
        QCOMPARE(a.value("saved_to").toString(), target + QLatin1Char('/') + a.value("path").toString());
        QVERIFY(a.value("save_error").isNull());
        QCOMPARE(QFileInfo(a.value("saved_to").toString()).size(), qint64(a.value("size").toInt()));
    }
    QCOMPARE(names, (QStringList{"existing.txt", "nested/note.txt", "table.csv"}));
    const QJsonArray refused = doc.value("refused_artifacts").toArray();
    QCOMPARE(refused.size(), 2);
    QCOMPARE(refused.at(0).toObject().value("path").toString(), QStringLiteral("etc"));
    QVERIFY(refused.at(1).toObject().value("reason").toString().contains(QLatin1String("symbolic link")));
    QVERIFY(doc.value("artifacts_note").toString().contains(QLatin1String("2 entries")));

    // Without --artifacts nothing is collected (collecting costs an exec per run).
    const Result listed = run({QStringLiteral("run"), file, QStringLiteral("--json")});
    const QJsonObject plain = QJsonDocument::fromJson(listed.out).object();
    QCOMPARE(plain.value("verdict").toString(), QStringLiteral("ok"));
    QVERIFY(plain.value("artifacts").toArray().isEmpty());
    QVERIFY(plain.value("refused_artifacts").toArray().isEmpty());
}

void TestCli::unusableArtifactsFolderExit125()
{
    const QString file = writeFile(QStringLiteral("never.py"), "open('/workspace/out/x', 'w').write('x')\n");
    const QString blocker = writeFile(QStringLiteral("a-file"), "not a folder");
    const Result r = run({QStringLiteral("run"), file, QStringLiteral("--artifacts"), blocker + QStringLiteral("/sub")});
    QCOMPARE(r.status, 125);
    QVERIFY2(r.err.startsWith("codecourier: Could not create the artifacts folder"), r.err.constData());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
