#include "docker/ExecPlan.h"

#include <QMap>
#include <QRandomGenerator>
#include <QTest>

using namespace cc;
using namespace cc::docker;

namespace {

constexpr qsizetype KiB = 1024;
constexpr qsizetype kPrefixSize = 4; // /bin/sh -c SCRIPT $0
const QString kStdinPath = QStringLiteral("/tmp/.codecourier-stdin");

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(generator.bounded(256));
    return bytes;
}

QByteArray allByteValues()
{
    QByteArray bytes;
    for (int i = 0; i < 256; ++i)
        bytes.append(char(i));
    return bytes;
}

qsizetype argvBytes(const QStringList& argv)
{
    qsizetype total = 0;
    for (const QString& arg : argv)
        total += arg.toUtf8().size() + 1; // what execve counts: UTF-8 bytes and the NUL
    return total;
}

// What the in-container script ends up with after every exec of a plan ran in order: a strict model
// of its operations. Each exec is a fresh shell, so nothing but the files carries over between execs.
struct Replay
{
    QMap<QString, QByteArray> files; // stdin under kStdinPath
    QStringList fileOrder;
    bool useStdin = false;
    QStringList command;
    QString error;
    int appendResumes = 0; // execs that began by continuing an earlier file
    bool outDirMade = false; // /workspace/out created before the program starts
};

bool replayExec(const QStringList& argv, bool isRunExec, Replay& replay)
{
    if (argv.size() < kPrefixSize || argv[0] != QLatin1String("/bin/sh") || argv[1] != QLatin1String("-c") ||
        argv[3] != QLatin1String("codecourier")) {
        replay.error = QStringLiteral("the exec does not start with the fixed script");
        return false;
    }
    QString current;
    for (qsizetype i = kPrefixSize; i < argv.size(); ++i) {
        const QString& op = argv[i];
        auto operand = [&]() -> std::optional<QString> {
            if (i + 1 >= argv.size())
                return std::nullopt;
            return argv[++i];
        };
        if (op == QLatin1String("outdir")) {
            replay.outDirMade = true;
        } else if (op == QLatin1String("file")) {
            const auto path = operand();
            if (!path || replay.files.contains(*path)) {
                replay.error = QStringLiteral("bad file operation");
                return false;
            }
            current = *path;
            replay.files.insert(current, {});
            replay.fileOrder << current;
        } else if (op == QLatin1String("append")) {
            const auto path = operand();
            if (!path || !replay.files.contains(*path)) {
                replay.error = QStringLiteral("append of a file never started");
                return false;
            }
            if (i == kPrefixSize + 1)
                ++replay.appendResumes;
            current = *path;
        } else if (op == QLatin1String("data")) {
            const auto data = operand();
            if (!data || current.isEmpty()) {
                replay.error = QStringLiteral("data without a current file in this exec");
                return false;
            }
            const auto decoded =
                QByteArray::fromBase64Encoding(data->toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded) {
                replay.error = QStringLiteral("data that is not base64");
                return false;
            }
            replay.files[current] += *decoded;
        } else if (op == QLatin1String("stdin")) {
            current = kStdinPath;
            replay.files.insert(current, {});
        } else if (op == QLatin1String("use-stdin")) {
            replay.useStdin = true;
        } else if (op == QLatin1String("exec")) {
            if (!isRunExec) {
                replay.error = QStringLiteral("a delivery exec starts the program");
                return false;
            }
            replay.command = argv.mid(i + 1);
            return true;
        } else {
            replay.error = QStringLiteral("unknown operation ") + op;
            return false;
        }
    }
    if (isRunExec) {
        replay.error = QStringLiteral("the run exec never starts the program");
        return false;
    }
    return true;
}

Replay replay(const ExecPlan& plan)
{
    Replay result;
    for (const QStringList& exec : plan.deliveryExecs) {
        if (!replayExec(exec, false, result))
            return result;
    }
    replayExec(plan.runExec, true, result);
    return result;
}

RunSpec specWith(const QList<SandboxFile>& files)
{
    RunSpec spec;
    spec.language = QStringLiteral("python");
    spec.image = QStringLiteral("codecourier/runner:bookworm-1");
    spec.files = files;
    spec.command = {QStringLiteral("python3"), QStringLiteral("-u"), QStringLiteral("main.py")};
    return spec;
}

QList<QStringList> allExecs(const ExecPlan& plan)
{
    return plan.deliveryExecs + QList<QStringList>{plan.runExec};
}

} // namespace

class TestExecPlan : public QObject
{
    Q_OBJECT

private slots:
    void checkWorkspacePath_data();
    void checkWorkspacePath();
    void smallSpecIsOneExec();
    void contentTravelsOnlyAsBase64();
    void binaryContentRoundTrips();
    void emptyFile();
    void stdinIsDelivered();
    void emptyStdinIsStillUsed();
    void largeContentIsSplitAcrossExecs();
    void severalLargeFilesAndStdin();
    void budgetCountsBytesNotCharacters();
    void commandIsPassedVerbatim();
};

void TestExecPlan::checkWorkspacePath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("main.py") << "main.py" << true;
    QTest::newRow("src/a.py") << "src/a.py" << true;
    QTest::newRow("deep") << "a/b/c/d.txt" << true;
    QTest::newRow("space") << "my file.py" << true;
    QTest::newRow("unicode") << QStringLiteral("donn\u00e9es/\u00e9t\u00e9.py") << true;
    QTest::newRow("hidden file") << ".env" << true;
    QTest::newRow("dots in name") << "..x" << true;
    QTest::newRow("host prefix in name") << "hostname.py" << true;
    QTest::newRow("255-byte segment") << QString(255, QLatin1Char('a')) << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("absolute") << "/etc/passwd" << false;
    QTest::newRow("parent") << "../x" << false;
    QTest::newRow("parent inside") << "a/../b" << false;
    QTest::newRow("trailing parent") << "a/.." << false;
    QTest::newRow("double slash") << "a//b" << false;
    QTest::newRow("trailing slash") << "a/" << false;
    QTest::newRow("dot") << "." << false;
    QTest::newRow("dot segment") << "./x" << false;
    QTest::newRow("newline") << "x\ny.py" << false;
    QTest::newRow("control char") << QStringLiteral("x\x01y.py") << false;
    QTest::newRow("nul") << QString(QStringLiteral("x") + QChar(0) + QStringLiteral(".py")) << false;
    QTest::newRow("escape") << QStringLiteral("\x1b[31m.py") << false;
    QTest::newRow("delete") << QStringLiteral("x\x7f.py") << false;
    QTest::newRow("host/x") << "host/x" << false;
    QTest::newRow("host") << "host" << false;
    QTest::newRow("out (the artifacts folder)") << "out" << false;
    QTest::newRow("out/data.csv") << "out/data.csv" << true;
    QTest::newRow("C1 control") << QStringLiteral("x\u009by.py") << false;
    QTest::newRow("4097 bytes in all") << (QString(200, QLatin1Char('d')) + QLatin1Char('/')).repeated(20) + QString(77, QLatin1Char('f')) << false;
    QTest::newRow("4096 bytes in all") << (QString(200, QLatin1Char('d')) + QLatin1Char('/')).repeated(20) + QString(76, QLatin1Char('f')) << true;
    QTest::newRow("256-byte segment") << QString(256, QLatin1Char('a')) << false;
    QTest::newRow("256-byte segment deeper") << QStringLiteral("src/") + QString(256, QLatin1Char('b')) << false;
    QTest::newRow("128 two-byte chars") << QString(128, QChar(0x00e9)) << false;
}

void TestExecPlan::checkWorkspacePath()
{
    QFETCH(QString, path);
    QFETCH(bool, accepted);
    const QString error = cc::docker::checkWorkspacePath(path);
    QCOMPARE(error.isEmpty(), accepted);
    if (!accepted) {
        QVERIFY(error.at(0).isUpper());
        QVERIFY(error.endsWith(QLatin1Char('.')));
    }
}

void TestExecPlan::smallSpecIsOneExec()
{
    const RunSpec spec = specWith({{QStringLiteral("main.py"), QByteArrayLiteral("print('hi')\n")}});
    const ExecPlan plan = planExecs(spec);
    QVERIFY(plan.deliveryExecs.isEmpty());
    const QStringList& run = plan.runExec;
    QVERIFY(run.size() > kPrefixSize + 4);
    QCOMPARE(run[0], QStringLiteral("/bin/sh"));
    QCOMPARE(run[1], QStringLiteral("-c"));
    QVERIFY(run[2].contains(QLatin1String("exec \"$@\"")));
    QCOMPARE(run[3], QStringLiteral("codecourier"));
    QCOMPARE(run.mid(run.size() - spec.command.size() - 1), QStringList{QStringLiteral("exec")} + spec.command);
    QVERIFY(!run.contains(QStringLiteral("use-stdin")));

    const Replay result = replay(plan);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.fileOrder, QStringList{QStringLiteral("main.py")});
    QCOMPARE(result.files.value(QStringLiteral("main.py")), QByteArray("print('hi')\n"));
    QCOMPARE(result.command, spec.command);
    QVERIFY(!result.useStdin);
    QVERIFY(result.outDirMade);
}

void TestExecPlan::contentTravelsOnlyAsBase64()
{
    const QByteArray marker = "CANARY_4c1d";
    const QByteArray code = "import os\nos.system('echo " + marker + "; rm -rf / $(id) `id` \"$HOME\"')\n";
    const RunSpec spec = specWith({{QStringLiteral("main.py"), code}});
    const ExecPlan plan = planExecs(spec);
    QVERIFY(plan.deliveryExecs.isEmpty());
    // Neither the fixed script nor any other argument carries the raw code: only base64 does.
    for (const QString& arg : plan.runExec)
        QVERIFY2(!arg.contains(QLatin1String(marker)), qPrintable(arg.left(80)));
    for (qsizetype i = 0; i < kPrefixSize; ++i)
        QVERIFY(!plan.runExec[i].contains(QLatin1String("rm -rf")));
    const qsizetype dataAt = plan.runExec.indexOf(QStringLiteral("data"));
    QVERIFY(dataAt >= kPrefixSize);
    QCOMPARE(QByteArray::fromBase64(plan.runExec.at(dataAt + 1).toLatin1()), code);
    // The script is fixed: the same for every snippet.
    const ExecPlan other = planExecs(specWith({{QStringLiteral("main.py"), QByteArrayLiteral("print(2)\n")}}));
    QCOMPARE(other.runExec.mid(0, kPrefixSize), plan.runExec.mid(0, kPrefixSize));
}

void TestExecPlan::binaryContentRoundTrips()
{
    const QByteArray binary = allByteValues() + QByteArray("\0\0tail\0", 7) + allByteValues();
    const QByteArray textWithNul("before\0after", 12);
    const RunSpec spec =
        specWith({{QStringLiteral("main.py"), QByteArrayLiteral("print(open('data.bin','rb').read())\n")},
                  {QStringLiteral("data/data.bin"), binary},
                  {QStringLiteral("nul.txt"), textWithNul}});
    const ExecPlan plan = planExecs(spec);
    QVERIFY(plan.deliveryExecs.isEmpty());
    const Replay result = replay(plan);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.fileOrder,
             (QStringList{QStringLiteral("main.py"), QStringLiteral("data/data.bin"), QStringLiteral("nul.txt")}));
    QCOMPARE(result.files.value(QStringLiteral("data/data.bin")), binary);
    QCOMPARE(result.files.value(QStringLiteral("nul.txt")), textWithNul);
    QCOMPARE(result.files.value(QStringLiteral("nul.txt")).size(), 12);
    // Every argument is plain text that a JSON body and execve can carry: no NUL, no raw bytes.
    for (const QString& arg : plan.runExec)
        QVERIFY(!arg.contains(QChar(0)));
}

void TestExecPlan::emptyFile()
{
    const RunSpec spec = specWith({{QStringLiteral("main.py"), QByteArray()}});
    const ExecPlan plan = planExecs(spec);
    QVERIFY(!plan.runExec.contains(QStringLiteral("data")));
    const Replay result = replay(plan);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QVERIFY(result.files.contains(QStringLiteral("main.py")));
    QVERIFY(result.files.value(QStringLiteral("main.py")).isEmpty());
}

void TestExecPlan::stdinIsDelivered()
{
    RunSpec spec = specWith({{QStringLiteral("main.py"), QByteArrayLiteral("print(input())\n")}});
    spec.stdinData = QByteArray("line one\nline two\0\n", 19);
    spec.hasStdin = true;
    const ExecPlan plan = planExecs(spec);
    QVERIFY(plan.deliveryExecs.isEmpty());
    const QStringList& run = plan.runExec;
    const qsizetype stdinAt = run.indexOf(QStringLiteral("stdin"));
    QVERIFY(stdinAt > kPrefixSize);
    QCOMPARE(run.at(stdinAt + 1), QStringLiteral("data"));
    QCOMPARE(QByteArray::fromBase64(run.at(stdinAt + 2).toLatin1()), spec.stdinData);
    const qsizetype useAt = run.indexOf(QStringLiteral("use-stdin"));
    QVERIFY(useAt > stdinAt);
    QCOMPARE(run.at(useAt + 1), QStringLiteral("exec"));

    const Replay result = replay(plan);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QVERIFY(result.useStdin);
    QCOMPARE(result.files.value(kStdinPath), spec.stdinData);
    QCOMPARE(result.files.value(QStringLiteral("main.py")), QByteArray("print(input())\n"));
}

void TestExecPlan::emptyStdinIsStillUsed()
{
    RunSpec spec = specWith({{QStringLiteral("main.py"), QByteArrayLiteral("print(1)\n")}});
    spec.hasStdin = true;
    const ExecPlan plan = planExecs(spec);
    QVERIFY(plan.runExec.contains(QStringLiteral("stdin")));
    QVERIFY(plan.runExec.contains(QStringLiteral("use-stdin")));
    const Replay result = replay(plan);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QVERIFY(result.useStdin);
    QVERIFY(result.files.contains(kStdinPath));
    QVERIFY(result.files.value(kStdinPath).isEmpty());
}

void TestExecPlan::largeContentIsSplitAcrossExecs()
{
    const qsizetype argBudget = 256 * KiB;
    const qsizetype chunkSize = 32 * KiB;
    const QByteArray content = randomBytes(3 * 1024 * KiB, 42);
    const RunSpec spec = specWith({{QStringLiteral("main.py"), content}});
    const ExecPlan plan = planExecs(spec, argBudget, chunkSize);

    // 3 MiB is 4 MiB of base64: at least 16 execs of 256 KiB.
    QVERIFY(plan.deliveryExecs.size() >= 15);
    for (const QStringList& exec : allExecs(plan)) {
        QVERIFY2(argvBytes(exec) <= argBudget, qPrintable(QString::number(argvBytes(exec))));
        for (qsizetype i = kPrefixSize; i < exec.size(); ++i)
            QVERIFY(exec[i].toUtf8().size() <= chunkSize);
        QCOMPARE(exec.mid(0, kPrefixSize), plan.runExec.mid(0, kPrefixSize));
    }
    // The first exec makes the artifacts folder and starts the file; each later one resumes it.
    QCOMPARE(plan.deliveryExecs.first().mid(kPrefixSize, 3),
             (QStringList{QStringLiteral("outdir"), QStringLiteral("file"), QStringLiteral("main.py")}));
    QVERIFY(replay(plan).outDirMade);
    for (qsizetype i = 1; i < plan.deliveryExecs.size(); ++i)
        QCOMPARE(plan.deliveryExecs[i].mid(kPrefixSize, 2),
                 (QStringList{QStringLiteral("append"), QStringLiteral("main.py")}));
    QCOMPARE(plan.runExec.mid(kPrefixSize, 2), (QStringList{QStringLiteral("append"), QStringLiteral("main.py")}));
    QVERIFY(!plan.deliveryExecs.first().contains(QStringLiteral("exec")));

    const Replay result = replay(plan);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.appendResumes, int(plan.deliveryExecs.size()));
    QCOMPARE(result.files.value(QStringLiteral("main.py")).size(), content.size());
    QVERIFY(result.files.value(QStringLiteral("main.py")) == content);
    QCOMPARE(result.command, spec.command);
}

void TestExecPlan::severalLargeFilesAndStdin()
{
    const qsizetype argBudget = 200 * KiB;
    const qsizetype chunkSize = 30 * KiB; // not a multiple of 4: base64 still fits
    RunSpec spec = specWith({{QStringLiteral("main.py"), randomBytes(700 * KiB + 13, 1)},
                             {QStringLiteral("lib/util.py"), randomBytes(5, 2)},
                             {QStringLiteral("lib/empty.py"), QByteArray()},
                             {QStringLiteral("data/big.bin"), randomBytes(1100 * KiB + 1, 3)}});
    spec.stdinData = randomBytes(450 * KiB + 7, 4);
    spec.hasStdin = true;
    const ExecPlan plan = planExecs(spec, argBudget, chunkSize);
    QVERIFY(plan.deliveryExecs.size() >= 5);
    for (const QStringList& exec : allExecs(plan)) {
        QVERIFY(argvBytes(exec) <= argBudget);
        for (qsizetype i = kPrefixSize; i < exec.size(); ++i)
            QVERIFY(exec[i].toUtf8().size() <= chunkSize);
    }
    const Replay result = replay(plan);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.fileOrder, (QStringList{QStringLiteral("main.py"), QStringLiteral("lib/util.py"),
                                            QStringLiteral("lib/empty.py"), QStringLiteral("data/big.bin")}));
    for (const SandboxFile& file : spec.files)
        QVERIFY2(result.files.value(file.relativePath) == file.content, qPrintable(file.relativePath));
    QVERIFY(result.files.value(kStdinPath) == spec.stdinData);
    QVERIFY(result.useStdin);
    QCOMPARE(result.command, spec.command);
}

void TestExecPlan::budgetCountsBytesNotCharacters()
{
    // execve's limits are in bytes; a non-ASCII path takes two or three bytes a character.
    const QString path =
        QString(60, QChar(0x20ac)) + QLatin1Char('/') + QString(60, QChar(0x4e2d)) + QStringLiteral(".py");
    QVERIFY(cc::docker::checkWorkspacePath(path).isEmpty());
    RunSpec spec = specWith({{path, randomBytes(400 * KiB, 9)}});
    spec.command = {QStringLiteral("python3"), path};
    const qsizetype chunkSize = 8 * KiB;
    for (qsizetype argBudget = 40 * KiB; argBudget < 40 * KiB + chunkSize + 64; argBudget += 61) {
        const ExecPlan plan = planExecs(spec, argBudget, chunkSize);
        for (const QStringList& exec : allExecs(plan))
            QVERIFY2(argvBytes(exec) <= argBudget,
                     qPrintable(QStringLiteral("%1 bytes for a budget of %2").arg(argvBytes(exec)).arg(argBudget)));
        const Replay result = replay(plan);
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QVERIFY(result.files.value(path) == spec.files.first().content);
    }
}

void TestExecPlan::commandIsPassedVerbatim()
{
    RunSpec spec = specWith({{QStringLiteral("main.sh"), QByteArrayLiteral("echo hi\n")}});
    spec.command = {QStringLiteral("bash"),  QStringLiteral("main.sh"), QStringLiteral("$(id)"),
                    QStringLiteral("a b;c"), QStringLiteral("data"),    QStringLiteral("exec")};
    const ExecPlan plan = planExecs(spec);
    QCOMPARE(plan.runExec.mid(plan.runExec.size() - spec.command.size()), spec.command);
    const Replay result = replay(plan);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.command, spec.command);
}

QTEST_GUILESS_MAIN(TestExecPlan)
#include "tst_execplan.moc"
