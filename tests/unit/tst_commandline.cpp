#include "CommandLine.h"

#include <QTest>
#include <limits>

using cc::CommandLine;
using cc::parseByteSize;
using Command = CommandLine::Command;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;
constexpr qint64 GiB = 1024 * MiB;

QStringList words(const char* text)
{
    return QString::fromUtf8(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

} // namespace

class TestCommandLine : public QObject
{
    Q_OBJECT

private slots:
    void runOptions_data();
    void runOptions();
    void artifactsOptions_data();
    void artifactsOptions();
    void runErrors_data();
    void runErrors();
    void commands_data();
    void commands();
    void unsetLimitsStayUnset();
    void e2bBackend_data();
    void e2bBackend();
    void helpTexts();
    void historyCommands_data();
    void historyCommands();
    void parseByteSize_data();
    void parseByteSize();
    void mountModes_data();
    void mountModes();
};

void TestCommandLine::mountModes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mountDir");
    QTest::addColumn<bool>("review");
    QTest::addColumn<bool>("apply");
    QTest::addColumn<bool>("diff");
    QTest::newRow("plain: read-only") << words("run x.py --mount src") << "src" << false << false << false;
    QTest::newRow(":ro: read-only") << words("run x.py --mount src:ro") << "src" << false << false << false;
    QTest::newRow(":review") << words("run x.py --mount=/a/src:review") << "/a/src" << true << false << false;
    QTest::newRow(":review --apply --diff") << words("run x.py --mount src:review --apply --diff") << "src" << true
                                            << true << true;
    QTest::newRow("the last --mount counts") << words("run x.py --mount a:review --mount b") << "b" << false << false
                                             << false;
}

void TestCommandLine::mountModes()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mountDir);
    QFETCH(bool, review);
    QFETCH(bool, apply);
    QFETCH(bool, diff);
    const CommandLine cl = CommandLine::parse(args);
    QVERIFY2(cl.error.isEmpty(), qPrintable(cl.error));
    QCOMPARE(cl.run.mountDir, mountDir);
    QCOMPARE(cl.run.mountReview, review);
    QCOMPARE(cl.run.apply, apply);
    QCOMPARE(cl.run.diff, diff);
}

void TestCommandLine::runOptions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("language");
    QTest::addColumn<int>("timeoutMs");      // -1: not given
    QTest::addColumn<qint64>("memoryBytes"); // -1: not given
    QTest::addColumn<double>("cpus");        // -1: not given
    QTest::addColumn<int>("pids");           // -1: not given
    QTest::addColumn<qint64>("outputBytes"); // -1: not given
    QTest::addColumn<QStringList>("env");    // KEY=VALUE, in order
    QTest::addColumn<bool>("allowNetwork");
    QTest::addColumn<QString>("mountDir");
    QTest::addColumn<QString>("stdinFile");
    QTest::addColumn<bool>("json");
    QTest::addColumn<QString>("runtime");
    QTest::addColumn<QString>("image");

    const QStringList none;
    const qint64 unset = -1;
    // clang-format off
    QTest::newRow("run x.py") << words("run x.py") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("run path/x.PY") << words("run src/tool.PY") << "src/tool.PY" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("run script.sh") << words("run script.sh") << "script.sh" << "bash"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("run - --lang node") << words("run - --lang node") << "-" << "node"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("run --lang=bash") << words("run --lang=bash") << "" << "bash"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("alias resolved") << words("run - --lang PY") << "-" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--lang beats the extension") << words("run x.js --lang python") << "x.js" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--lang for a file without extension") << words("run script --lang=sh") << "script" << "bash"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("options before the file") << words("run --json --timeout 3 x.py") << "x.py" << "python"
        << 3000 << unset << -1.0 << -1 << unset << none << false << "" << "" << true << "" << "";
    QTest::newRow("--timeout 5") << words("run x.py --timeout 5") << "x.py" << "python"
        << 5000 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--timeout=2.5") << words("run x.py --timeout=2.5") << "x.py" << "python"
        << 2500 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--timeout 0.1") << words("run x.py --timeout 0.1") << "x.py" << "python"
        << 100 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--timeout 86400") << words("run x.py --timeout 86400") << "x.py" << "python"
        << 86'400'000 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--memory 512") << words("run x.py --memory 512") << "x.py" << "python"
        << -1 << 512 * MiB << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--memory=6") << words("run x.py --memory=6") << "x.py" << "python"
        << -1 << 6 * MiB << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--memory 65536") << words("run x.py --memory 65536") << "x.py" << "python"
        << -1 << 64 * GiB << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--cpus 0.5") << words("run x.py --cpus 0.5") << "x.py" << "python"
        << -1 << unset << 0.5 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--cpus=2") << words("run x.py --cpus=2") << "x.py" << "python"
        << -1 << unset << 2.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--pids 64") << words("run x.py --pids 64") << "x.py" << "python"
        << -1 << unset << -1.0 << 64 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--pids=8") << words("run x.py --pids=8") << "x.py" << "python"
        << -1 << unset << -1.0 << 8 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("--output-limit 1M") << words("run x.py --output-limit 1M") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << MiB << none << false << "" << "" << false << "" << "";
    QTest::newRow("--output-limit=512K") << words("run x.py --output-limit=512K") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << 512 * KiB << none << false << "" << "" << false << "" << "";
    QTest::newRow("--output-limit 1048576") << words("run x.py --output-limit 1048576") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << MiB << none << false << "" << "" << false << "" << "";
    QTest::newRow("--output-limit=1G") << words("run x.py --output-limit=1G") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << GiB << none << false << "" << "" << false << "" << "";
    QTest::newRow("--output-limit 1") << words("run x.py --output-limit 1") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << qint64(1) << none << false << "" << "" << false << "" << "";
    QTest::newRow("repeated --env in order") << words("run x.py --env B=2 --env=A=one=1 --env C= --env _x=y")
        << "x.py" << "python" << -1 << unset << -1.0 << -1 << unset
        << QStringList{"B=2", "A=one=1", "C=", "_x=y"} << false << "" << "" << false << "" << "";
    QTest::newRow("--allow-network") << words("run x.py --allow-network") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << true << "" << "" << false << "" << "";
    QTest::newRow("--mount DIR") << words("run x.py --mount /home/dev/project") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "/home/dev/project" << "" << false << "" << "";
    QTest::newRow("--mount=DIR") << words("run x.py --mount=data") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "data" << "" << false << "" << "";
    QTest::newRow("--stdin FILE") << words("run x.py --stdin input.txt") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "input.txt" << false << "" << "";
    QTest::newRow("--stdin=FILE") << words("run x.py --stdin=in.txt") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "in.txt" << false << "" << "";
    QTest::newRow("--json") << words("run x.py --json") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << true << "" << "";
    QTest::newRow("--runtime runsc") << words("run x.py --runtime runsc") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "runsc" << "";
    QTest::newRow("--runtime=runsc") << words("run x.py --runtime=runsc") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "runsc" << "";
    QTest::newRow("--image") << words("run x.py --image python:3.12-slim") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "python:3.12-slim";
    QTest::newRow("--backend docker") << words("run x.py --backend docker") << "x.py" << "python"
        << -1 << unset << -1.0 << -1 << unset << none << false << "" << "" << false << "" << "";
    QTest::newRow("everything") << words("run - --lang=node --timeout=1.5 --memory 128 --cpus=0.25 --pids 32 "
                                        "--output-limit=64K --env K=V --allow-network --mount /src "
                                        "--stdin=in.txt --json --runtime runsc --image img:1")
        << "-" << "node" << 1500 << 128 * MiB << 0.25 << 32 << 64 * KiB << QStringList{"K=V"} << true << "/src"
        << "in.txt" << true << "runsc" << "img:1";
    // clang-format on
}

void TestCommandLine::runOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QString, file);
    QFETCH(QString, language);
    QFETCH(int, timeoutMs);
    QFETCH(qint64, memoryBytes);
    QFETCH(double, cpus);
    QFETCH(int, pids);
    QFETCH(qint64, outputBytes);
    QFETCH(QStringList, env);
    QFETCH(bool, allowNetwork);
    QFETCH(QString, mountDir);
    QFETCH(QString, stdinFile);
    QFETCH(bool, json);
    QFETCH(QString, runtime);
    QFETCH(QString, image);

    const CommandLine cl = CommandLine::parse(args);
    QVERIFY2(cl.error.isEmpty(), qPrintable(cl.error));
    QCOMPARE(cl.command, Command::Run);
    QVERIFY(!cl.helpForRun);
    const cc::RunOptions& o = cl.run;
    QCOMPARE(o.file, file);
    QCOMPARE(o.language, language);
    QCOMPARE(o.backend, QStringLiteral("docker"));

    QCOMPARE(o.timeoutMs.has_value(), timeoutMs != -1);
    if (o.timeoutMs)
        QCOMPARE(*o.timeoutMs, timeoutMs);
    QCOMPARE(o.memoryBytes.has_value(), memoryBytes != -1);
    if (o.memoryBytes)
        QCOMPARE(*o.memoryBytes, memoryBytes);
    QCOMPARE(o.cpus.has_value(), cpus != -1.0);
    if (o.cpus)
        QCOMPARE(*o.cpus, cpus);
    QCOMPARE(o.pids.has_value(), pids != -1);
    if (o.pids)
        QCOMPARE(*o.pids, pids);
    QCOMPARE(o.outputBytes.has_value(), outputBytes != -1);
    if (o.outputBytes)
        QCOMPARE(*o.outputBytes, outputBytes);

    QStringList gotEnv;
    for (const auto& [key, value] : o.env)
        gotEnv << key + QLatin1Char('=') + value;
    QCOMPARE(gotEnv, env);
    QCOMPARE(o.allowNetwork, allowNetwork);
    QCOMPARE(o.mountDir, mountDir);
    QCOMPARE(o.stdinFile, stdinFile);
    QCOMPARE(o.json, json);
    QCOMPARE(o.runtime, runtime);
    QCOMPARE(o.image, image);
}

void TestCommandLine::artifactsOptions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("dir");
    QTest::addColumn<bool>("force");
    QTest::newRow("not given") << words("run x.py") << "" << false;
    QTest::newRow("--artifacts DIR") << words("run x.py --artifacts out") << "out" << false;
    QTest::newRow("--artifacts=DIR --force") << words("run --artifacts=a/b --force x.py") << "a/b" << true;
    QTest::newRow("--force first") << words("run --force x.py --artifacts /tmp/o") << "/tmp/o" << true;
}

void TestCommandLine::artifactsOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QString, dir);
    QFETCH(bool, force);
    const CommandLine cl = CommandLine::parse(args);
    QCOMPARE(cl.error, QString());
    QCOMPARE(cl.run.artifactsDir, dir);
    QCOMPARE(cl.run.force, force);
}

void TestCommandLine::runErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions"); // a word the error must contain

    QTest::newRow("unknown option") << words("run x.py --bogus") << "--bogus";
    QTest::newRow("unknown option with value") << words("run x.py --network=on") << "--network";
    QTest::newRow("misspelled option") << words("run x.py --language python") << "--language";

    for (const char* option : {"--timeout", "--memory", "--cpus", "--pids", "--output-limit", "--env", "--lang",
                               "--backend", "--image", "--mount", "--stdin", "--runtime", "--template", "--artifacts"}) {
        QTest::addRow("missing value for %s", option)
            << (words("run x.py") << QString::fromLatin1(option)) << QString::fromLatin1(option);
    }
    for (const char* value : {"0", "-1", "abc", "1e9", "", "0.05", "nan", "inf", "5s"})
        QTest::addRow("--timeout %s", value)
            << (words("run x.py --timeout") << QString::fromLatin1(value)) << "--timeout";
    for (const char* value : {"0", "-1", "abc", "1e9", "", "5", "65537", "1.5", "256M"})
        QTest::addRow("--memory %s", value) << (words("run x.py --memory") << QString::fromLatin1(value)) << "--memory";
    for (const char* value : {"0", "-1", "abc", "1e9", "", "0.001", "257", "nan", "inf"})
        QTest::addRow("--cpus %s", value) << (words("run x.py --cpus") << QString::fromLatin1(value)) << "--cpus";
    for (const char* value : {"0", "-1", "abc", "1e9", "", "7", "100001", "8.5"})
        QTest::addRow("--pids %s", value) << (words("run x.py --pids") << QString::fromLatin1(value)) << "--pids";
    for (const char* value : {"0", "-1", "abc", "1e9", "", "2G", "1.5M", "1T", "1025M"})
        QTest::addRow("--output-limit %s", value)
            << (words("run x.py --output-limit") << QString::fromLatin1(value)) << "--output-limit";
    QTest::newRow("--timeout= empty") << words("run x.py --timeout=") << "--timeout";
    QTest::newRow("--artifacts= empty") << words("run x.py --artifacts=") << "--artifacts";
    QTest::newRow("--force without --artifacts") << words("run x.py --force") << "--artifacts";

    QTest::newRow("unknown language") << words("run x.py --lang cobol") << "cobol";
    QTest::newRow("unknown backend") << words("run x.py --backend podman") << "podman";
    QTest::newRow("--template without --backend e2b") << words("run x.py --template base") << "--backend e2b";
    QTest::newRow("--template with --backend docker") << words("run x.py --backend docker --template base")
                                                      << "--template";
    QTest::newRow("--image with --backend e2b") << words("run x.py --backend e2b --image python:3") << "--template";
    QTest::newRow("--runtime with --backend e2b") << words("run x.py --backend=e2b --runtime runsc") << "--runtime";
    QTest::newRow("--template empty") << (words("run x.py --backend e2b --template") << QString()) << "--template";
    QTest::newRow("stdin without --lang") << words("run -") << "--lang";
    QTest::newRow("nothing without --lang") << words("run") << "--lang";
    QTest::newRow("only options, no --lang") << words("run --json --timeout 3") << "--lang";
    QTest::newRow("no extension, no --lang") << words("run script") << "--lang";
    QTest::newRow("unknown extension, no --lang") << words("run x.rb") << "--lang";
    QTest::newRow("two files") << words("run a.py b.py") << "b.py";
    QTest::newRow("two files around options") << words("run a.py --json b.py") << "b.py";
    QTest::newRow("--env without =") << words("run x.py --env NOVALUE") << "NOVALUE";
    QTest::newRow("--env empty key") << words("run x.py --env =value") << "--env";
    QTest::newRow("--env key with dash") << words("run x.py --env A-B=1") << "A-B";
    QTest::newRow("--env key starting with a digit") << words("run x.py --env 1A=1") << "1A";
    QTest::newRow("--env key with space") << (words("run x.py --env") << QStringLiteral("A B=1")) << "--env";
    QTest::newRow("--runtime with a space") << (words("run x.py --runtime") << QStringLiteral("run sc")) << "--runtime";
    QTest::newRow("--runtime with a slash") << words("run x.py --runtime=../runc") << "--runtime";
    QTest::newRow("--mount= empty") << words("run x.py --mount=") << "--mount";
    QTest::newRow("--mount :review without a folder") << words("run x.py --mount :review") << "DIR:review";
    QTest::newRow("--apply without review") << words("run x.py --mount src --apply") << "--mount DIR:review";
    QTest::newRow("--apply with :ro") << words("run x.py --mount src:ro --apply") << "--apply";
    QTest::newRow("--diff without a folder") << words("run x.py --diff") << "--diff";
    QTest::newRow("--image blank") << (words("run x.py --image") << QStringLiteral("  ")) << "--image";
    // history: its own arguments
    QTest::newRow("show without id") << words("history show") << "needs the number";
    QTest::newRow("show with a word") << words("history show last") << "\"last\"";
    QTest::newRow("rerun with zero") << words("history rerun 0") << "\"0\"";
    QTest::newRow("rerun negative") << words("history rerun -3") << "\"-3\"";
    QTest::newRow("history: unknown option") << words("history --verbose") << "--verbose";
    QTest::newRow("limit on show") << words("history show 3 --limit 2") << "--limit";
    QTest::newRow("bad limit") << words("history --limit many") << "\"many\"";
    QTest::newRow("limit zero") << words("history --limit 0") << "\"0\"";
    QTest::newRow("stray word") << words("history list") << "\"list\"";
    QTest::newRow("limits are the record's") << words("history rerun 3 --timeout 5") << "--timeout";
    QTest::newRow("empty history file") << words("history --history-file=") << "--history-file";
}

void TestCommandLine::runErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const CommandLine cl = CommandLine::parse(args);
    QVERIFY2(!cl.error.isEmpty(), qPrintable(args.join(QLatin1Char(' '))));
    QVERIFY2(cl.error.contains(mentions), qPrintable(cl.error));
    QVERIFY2(cl.error.endsWith(QLatin1Char('.')), qPrintable(cl.error));
    QVERIFY(!cl.helpForRun);
}

void TestCommandLine::commands_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("command");
    QTest::addColumn<bool>("error");
    QTest::addColumn<bool>("helpForRun");

    QTest::newRow("no arguments") << QStringList() << int(Command::Gui) << false << false;
    QTest::newRow("Qt options go to the GUI") << words("-platform offscreen") << int(Command::Gui) << false << false;
    QTest::newRow("--version") << words("--version") << int(Command::Version) << false << false;
    QTest::newRow("-v") << words("-v") << int(Command::Version) << false << false;
    QTest::newRow("--help") << words("--help") << int(Command::Help) << false << false;
    QTest::newRow("-h") << words("-h") << int(Command::Help) << false << false;
    QTest::newRow("help") << words("help") << int(Command::Help) << false << false;
    QTest::newRow("run --help") << words("run --help") << int(Command::Help) << false << true;
    QTest::newRow("run -h") << words("run -h") << int(Command::Help) << false << true;
    QTest::newRow("run x.rb --help") << words("run x.rb --help") << int(Command::Help) << false << true;
    QTest::newRow("doctor") << words("doctor") << int(Command::Doctor) << false << false;
    QTest::newRow("doctor extra") << words("doctor extra") << int(Command::Doctor) << true << false;
    QTest::newRow("unknown command") << words("frobnicate") << int(Command::Help) << true << false;
    QTest::newRow("RUN is not run") << words("RUN x.py") << int(Command::Help) << true << false;
    QTest::newRow("history") << words("history") << int(Command::History) << false << false;
    QTest::newRow("history --help") << words("history --help") << int(Command::Help) << false << false;
}

void TestCommandLine::commands()
{
    QFETCH(QStringList, args);
    QFETCH(int, command);
    QFETCH(bool, error);
    QFETCH(bool, helpForRun);
    const CommandLine cl = CommandLine::parse(args);
    QCOMPARE(int(cl.command), command);
    QCOMPARE(!cl.error.isEmpty(), error);
    if (error)
        QVERIFY2(cl.error.endsWith(QLatin1Char('.')), qPrintable(cl.error));
    QCOMPARE(cl.helpForRun, helpForRun);
    if (cl.command == Command::Gui)
        QCOMPARE(cl.guiArguments, args);
}

void TestCommandLine::unsetLimitsStayUnset()
{
    const CommandLine cl = CommandLine::parse(words("run x.py --json"));
    QVERIFY(cl.error.isEmpty());
    QVERIFY(!cl.run.timeoutMs);
    QVERIFY(!cl.run.memoryBytes);
    QVERIFY(!cl.run.cpus);
    QVERIFY(!cl.run.pids);
    QVERIFY(!cl.run.outputBytes);
    QVERIFY(!cl.run.allowNetwork);
    QVERIFY(cl.run.mountDir.isEmpty());
    QVERIFY(cl.run.env.isEmpty());
}

void TestCommandLine::e2bBackend_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("templateName");
    QTest::newRow("default template") << words("run x.py --backend e2b") << "";
    QTest::newRow("--template NAME") << words("run x.py --backend e2b --template code-interpreter-v1")
                                     << "code-interpreter-v1";
    QTest::newRow("--template=NAME before --backend") << words("run --template=team/tpl:1 x.py --backend=e2b")
                                                      << "team/tpl:1";
    QTest::newRow("the same limits and grants") << words("run x.py --backend e2b --timeout 3 --memory 512 --cpus 2 "
                                                         "--allow-network --mount /src --stdin in.txt --json")
                                                << "";
}

void TestCommandLine::e2bBackend()
{
    QFETCH(QStringList, args);
    QFETCH(QString, templateName);
    const CommandLine cl = CommandLine::parse(args);
    QVERIFY2(cl.error.isEmpty(), qPrintable(cl.error));
    QCOMPARE(cl.command, Command::Run);
    QCOMPARE(cl.run.backend, QStringLiteral("e2b"));
    QCOMPARE(cl.run.templateName, templateName);
    QVERIFY(cl.run.image.isEmpty());
}

void TestCommandLine::helpTexts()
{
    const QString help = CommandLine::helpText();
    for (const char* word : {"run", "doctor", "--version", "--help"})
        QVERIFY2(help.contains(QLatin1String(word)), word);
    const QString runHelp = CommandLine::runHelpText();
    for (const char* option :
         {"--lang", "--backend", "--image", "--timeout", "--memory", "--cpus", "--pids", "--output-limit",
          "--allow-network", "--mount", "--stdin", "--env", "--runtime", "--json", "python", "node", "bash",
          "--template", "e2b", "E2B_API_KEY"})
        QVERIFY2(runHelp.contains(QLatin1String(option)), option);
    QVERIFY(!runHelp.contains(QLatin1String("%1")));
    QVERIFY(runHelp.contains(QLatin1String("--history-file")));
    QVERIFY(help.contains(QLatin1String("history")));
    const QString historyHelp = CommandLine::historyHelpText();
    for (const char* word : {"show ID", "rerun ID", "--json", "--limit", "--history-file", "CODECOURIER_HISTORY",
                             "interrupted", "_base64", "--allow-network"})
        QVERIFY2(historyHelp.contains(QLatin1String(word)), word);
}

void TestCommandLine::historyCommands_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("action");
    QTest::addColumn<qint64>("id");
    QTest::addColumn<bool>("json");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QString>("historyFile");
    QTest::addColumn<bool>("network");
    QTest::addColumn<QString>("mount");

    using A = cc::HistoryOptions::Action;
    QTest::newRow("list") << words("history") << int(A::List) << 0LL << false << 20 << "" << false << "";
    QTest::newRow("list --json --limit 5") << words("history --json --limit 5") << int(A::List) << 0LL << true << 5
                                           << "" << false << "";
    QTest::newRow("list --limit=3 --history-file h.db") << words("history --limit=3 --history-file h.db") << int(A::List)
                                                        << 0LL << false << 3 << "h.db" << false << "";
    QTest::newRow("show 12") << words("history show 12") << int(A::Show) << 12LL << false << 20 << "" << false << "";
    QTest::newRow("show 12 --json") << words("history show 12 --json") << int(A::Show) << 12LL << true << 20 << ""
                                    << false << "";
    QTest::newRow("rerun 7") << words("history rerun 7") << int(A::Rerun) << 7LL << false << 20 << "" << false << "";
    QTest::newRow("rerun 7 with grants") << words("history rerun 7 --allow-network --mount /tmp/d --history-file=x")
                                         << int(A::Rerun) << 7LL << false << 20 << "x" << true << "/tmp/d";
}

void TestCommandLine::historyCommands()
{
    QFETCH(QStringList, args);
    QFETCH(int, action);
    QFETCH(qint64, id);
    QFETCH(bool, json);
    QFETCH(int, limit);
    QFETCH(QString, historyFile);
    QFETCH(bool, network);
    QFETCH(QString, mount);
    const CommandLine cl = CommandLine::parse(args);
    QVERIFY2(cl.error.isEmpty(), qPrintable(cl.error));
    QCOMPARE(int(cl.command), int(Command::History));
    QCOMPARE(int(cl.history.action), action);
    QCOMPARE(cl.history.id, id);
    QCOMPARE(cl.history.json, json);
    QCOMPARE(cl.history.limit, limit);
    QCOMPARE(cl.historyFile, historyFile);
    QCOMPARE(cl.history.rerun.allowNetwork, network);
    QCOMPARE(cl.history.rerun.mountDir, mount);
    // run takes the history file too
    QCOMPARE(CommandLine::parse(words("run x.py --history-file /tmp/h.sqlite")).historyFile, QStringLiteral("/tmp/h.sqlite"));
}

void TestCommandLine::parseByteSize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes"); // -1: invalid

    QTest::newRow("plain") << "1048576" << MiB;
    QTest::newRow("zero") << "0" << qint64(0);
    QTest::newRow("512K") << "512K" << 512 * KiB;
    QTest::newRow("512k") << "512k" << 512 * KiB;
    QTest::newRow("10M") << "10M" << 10 * MiB;
    QTest::newRow("1G") << "1G" << GiB;
    QTest::newRow("1g") << "1g" << GiB;
    QTest::newRow("1KiB") << "1KiB" << KiB;
    QTest::newRow("2MB") << "2MB" << 2 * MiB;
    QTest::newRow("spaces") << " 3 M " << 3 * MiB;
    QTest::newRow("largest plain") << "9223372036854775807" << std::numeric_limits<qint64>::max();
    QTest::newRow("empty") << "" << qint64(-1);
    QTest::newRow("blank") << "  " << qint64(-1);
    QTest::newRow("letters") << "abc" << qint64(-1);
    QTest::newRow("negative") << "-1" << qint64(-1);
    QTest::newRow("plus sign") << "+5" << qint64(-1);
    QTest::newRow("fraction") << "1.5M" << qint64(-1);
    QTest::newRow("exponent") << "1e9" << qint64(-1);
    QTest::newRow("terabytes") << "1T" << qint64(-1);
    QTest::newRow("unit only") << "M" << qint64(-1);
    QTest::newRow("two units") << "1MK" << qint64(-1);
    QTest::newRow("hex") << "0x10" << qint64(-1);
    QTest::newRow("too large for qint64") << "9223372036854775808" << qint64(-1);
    QTest::newRow("overflow after unit") << "9223372036854775807K" << qint64(-1);
    QTest::newRow("overflow after G") << "8589934592G" << qint64(-1);
}

void TestCommandLine::parseByteSize()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    const std::optional<qint64> parsed = cc::parseByteSize(text);
    QCOMPARE(parsed.has_value(), bytes >= 0);
    if (parsed)
        QCOMPARE(*parsed, bytes);
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
