// `codecourier extract`: its arguments, and the built binary as a script would use it — the --json
// document's exact shape, the readable list, exit statuses. Needs no Docker engine: every run
// points DOCKER_HOST at a socket that does not exist.
#include "CommandLine.h"
#include "ExtractCommand.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

class TestExtractCommand : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void parse_data();
    void parse();
    void jsonFromStdin();
    void dashReadsStdinToo();
    void jsonFromFileWithoutBlocks();
    void readableList();
    void readableListWithoutBlocks();
    void missingFileExits125();
    void badArgumentsExit125();
    void helpMentionsExtract();

private:
    struct Result
    {
        int status = -1;
        QByteArray out;
        QByteArray err;
    };
    Result run(const QStringList& args, const QByteArray& input = {});

    QString m_binary;
    QTemporaryDir m_dir;
};

namespace {

const QByteArray kAnswer = "Install the client first:\n"
                           "\n"
                           "```bash\n"
                           "pip install httpx\n"
                           "```\n"
                           "\n"
                           "Then:\n"
                           "\n"
                           "```python title=\"get.py\"\n"
                           "import httpx\n"
                           "\n"
                           "print(httpx.get(\"https://example.org\").status_code)\n"
                           "```\n"
                           "\n"
                           "Output:\n"
                           "\n"
                           "```\n"
                           "200\n"
                           "```\n"
                           "\n"
                           "~~~rust\n"
                           "fn main() {}\n"
                           "~~~\n";

} // namespace

void TestExtractCommand::initTestCase()
{
    m_binary = qEnvironmentVariable("CODECOURIER_BINARY");
    QVERIFY2(QFileInfo(m_binary).isExecutable(), "CODECOURIER_BINARY must name the built codecourier binary");
    QVERIFY(m_dir.isValid());
}

TestExtractCommand::Result TestExtractCommand::run(const QStringList& args, const QByteArray& input)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"),
               QStringLiteral("unix://") + m_dir.filePath(QStringLiteral("no-engine.sock")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    process.setProcessEnvironment(env);
    process.start(m_binary, args);
    if (!process.waitForStarted())
        return {};
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30'000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            process.readAllStandardError()};
}

void TestExtractCommand::parse_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("command");
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("json");
    QTest::addColumn<bool>("failed");

    using C = cc::CommandLine::Command;
    QTest::newRow("stdin") << QStringList{QStringLiteral("extract")} << int(C::Extract) << QString() << false << false;
    QTest::newRow("dash") << QStringList{QStringLiteral("extract"), QStringLiteral("-")} << int(C::Extract)
                          << QStringLiteral("-") << false << false;
    QTest::newRow("file and json") << QStringList{QStringLiteral("extract"), QStringLiteral("answer.md"),
                                                  QStringLiteral("--json")}
                                   << int(C::Extract) << QStringLiteral("answer.md") << true << false;
    QTest::newRow("json first") << QStringList{QStringLiteral("extract"), QStringLiteral("--json"),
                                               QStringLiteral("a.md")}
                                << int(C::Extract) << QStringLiteral("a.md") << true << false;
    QTest::newRow("help") << QStringList{QStringLiteral("extract"), QStringLiteral("--help")} << int(C::Help)
                          << QString() << false << false;
    QTest::newRow("two files") << QStringList{QStringLiteral("extract"), QStringLiteral("a.md"), QStringLiteral("b.md")}
                               << int(C::Extract) << QStringLiteral("a.md") << false << true;
    QTest::newRow("unknown option") << QStringList{QStringLiteral("extract"), QStringLiteral("--lang=py")}
                                    << int(C::Extract) << QString() << false << true;
}

void TestExtractCommand::parse()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, command);
    QFETCH(QString, file);
    QFETCH(bool, json);
    QFETCH(bool, failed);

    const cc::CommandLine cl = cc::CommandLine::parse(arguments);
    QCOMPARE(int(cl.command), command);
    QCOMPARE(cl.extract.file, file);
    QCOMPARE(cl.extract.json, json);
    QCOMPARE(!cl.error.isEmpty(), failed);
    if (cl.command == cc::CommandLine::Command::Help)
        QVERIFY(cl.helpForExtract);
}

void TestExtractCommand::jsonFromStdin()
{
    const Result r = run({QStringLiteral("extract"), QStringLiteral("--json")}, kAnswer);
    QVERIFY2(r.status == 0, r.err.constData());
    QVERIFY(r.err.isEmpty());

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(r.out, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(document.isObject());
    const QJsonObject doc = document.object();
    QCOMPARE(doc.keys(), (QStringList{QStringLiteral("blocks"), QStringLiteral("preselected")}));
    QVERIFY2(r.out.indexOf("\"blocks\"") < r.out.indexOf("\"preselected\""), "keys in the documented order");
    QVERIFY(doc.value("preselected").isDouble());
    QCOMPARE(doc.value("preselected").toInt(), 1);
    QVERIFY(doc.value("blocks").isArray());

    const QJsonArray blocks = doc.value("blocks").toArray();
    QCOMPARE(blocks.size(), 4);
    const QStringList allowed{QStringLiteral("code"), QStringLiteral("info"), QStringLiteral("language"),
                              QStringLiteral("runnable"), QStringLiteral("start_line")};
    for (const QJsonValue& value : blocks) {
        QVERIFY(value.isObject());
        const QJsonObject block = value.toObject();
        QCOMPARE(block.keys(), allowed); // keys() is sorted
        QVERIFY(block.value("language").isString() || block.value("language").isNull());
        QVERIFY(block.value("code").isString());
        QVERIFY(block.value("runnable").isBool());
        QVERIFY(block.value("start_line").isDouble());
        QVERIFY(block.value("info").isString() || block.value("info").isNull());
    }

    const QJsonObject install = blocks[0].toObject();
    QCOMPARE(install.value("language").toString(), QStringLiteral("bash"));
    QCOMPARE(install.value("code").toString(), QStringLiteral("pip install httpx\n"));
    QCOMPARE(install.value("runnable").toBool(), true);
    QCOMPARE(install.value("start_line").toInt(), 4);
    QCOMPARE(install.value("info").toString(), QStringLiteral("bash"));

    const QJsonObject program = blocks[1].toObject();
    QCOMPARE(program.value("language").toString(), QStringLiteral("python"));
    QCOMPARE(program.value("code").toString(),
             QStringLiteral("import httpx\n\nprint(httpx.get(\"https://example.org\").status_code)\n"));
    QCOMPARE(program.value("runnable").toBool(), true);
    QCOMPARE(program.value("start_line").toInt(), 10);
    QCOMPARE(program.value("info").toString(), QStringLiteral("python"));

    const QJsonObject output = blocks[2].toObject();
    QVERIFY(output.value("language").isNull());
    QCOMPARE(output.value("code").toString(), QStringLiteral("200\n"));
    QCOMPARE(output.value("runnable").toBool(), false);
    QVERIFY(output.value("info").isNull());

    const QJsonObject rust = blocks[3].toObject();
    QCOMPARE(rust.value("language").toString(), QStringLiteral("rust"));
    QCOMPARE(rust.value("runnable").toBool(), false);

    // The same document as the in-process function gives.
    QCOMPARE(r.out, cc::ExtractCommand::jsonDocument(cc::parseAnswer(QString::fromUtf8(kAnswer))));
}

void TestExtractCommand::dashReadsStdinToo()
{
    const Result withDash = run({QStringLiteral("extract"), QStringLiteral("-"), QStringLiteral("--json")}, kAnswer);
    const Result without = run({QStringLiteral("extract"), QStringLiteral("--json")}, kAnswer);
    QCOMPARE(withDash.status, 0);
    QCOMPARE(withDash.out, without.out);
}

void TestExtractCommand::jsonFromFileWithoutBlocks()
{
    QFile file(m_dir.filePath(QStringLiteral("prose.md")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("No code here, only `inline` spans.\n");
    file.close();

    const Result r = run({QStringLiteral("extract"), file.fileName(), QStringLiteral("--json")});
    QCOMPARE(r.status, 0);
    const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(doc.keys(), (QStringList{QStringLiteral("blocks"), QStringLiteral("preselected")}));
    QVERIFY(doc.value("blocks").isArray());
    QCOMPARE(doc.value("blocks").toArray().size(), 0);
    QCOMPARE(doc.value("preselected").toInt(2), -1);
}

void TestExtractCommand::readableList()
{
    const Result r = run({QStringLiteral("extract")}, kAnswer);
    QVERIFY2(r.status == 0, r.err.constData());
    const QStringList lines = QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5);
    QVERIFY2(lines[0].startsWith(QStringLiteral("4 code blocks")), qPrintable(lines[0]));

    auto columns = [](const QString& line) { return line.simplified(); };
    QCOMPARE(columns(lines[1]), QStringLiteral("[0] bash 1 line runnable pip install httpx"));
    QCOMPARE(columns(lines[2]), QStringLiteral("* [1] python 3 lines runnable import httpx"));
    QCOMPARE(columns(lines[3]), QStringLiteral("[2] unknown 1 line not runnable 200"));
    QCOMPARE(columns(lines[4]), QStringLiteral("[3] rust 1 line not runnable fn main() {}"));
    QVERIFY(lines[2].startsWith(QLatin1Char('*')));
    QVERIFY(!lines[1].startsWith(QLatin1Char('*')));
}

void TestExtractCommand::readableListWithoutBlocks()
{
    const Result r = run({QStringLiteral("extract"), QStringLiteral("-")}, "Nothing to run.\n");
    QCOMPARE(r.status, 0);
    QCOMPARE(r.out, QByteArray("No code blocks in this answer.\n"));
}

void TestExtractCommand::missingFileExits125()
{
    const QString missing = m_dir.filePath(QStringLiteral("no-such-answer.md"));
    const Result r = run({QStringLiteral("extract"), missing, QStringLiteral("--json")});
    QCOMPARE(r.status, 125);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.startsWith("codecourier: Could not read " + missing.toUtf8()), r.err.constData());
    QVERIFY2(r.err.endsWith(".\n"), r.err.constData());
}

void TestExtractCommand::badArgumentsExit125()
{
    const Result r = run({QStringLiteral("extract"), QStringLiteral("--bogus")});
    QCOMPARE(r.status, 125);
    QVERIFY2(r.err.contains("Unknown option --bogus"), r.err.constData());
}

void TestExtractCommand::helpMentionsExtract()
{
    const Result general = run({QStringLiteral("--help")});
    QCOMPARE(general.status, 0);
    QVERIFY(general.out.contains("codecourier extract"));
    const Result own = run({QStringLiteral("extract"), QStringLiteral("--help")});
    QCOMPARE(own.status, 0);
    QVERIFY(own.out.startsWith("Usage: codecourier extract"));
    QVERIFY(own.out.contains("--json"));
}

QTEST_GUILESS_MAIN(TestExtractCommand)
#include "tst_extractcommand.moc"
