// The run history through the real binary and the real engine: `codecourier run` records,
// `history` lists, `history show` tells everything, `history rerun` runs again and records that
// too, and a run whose process is killed shows up as interrupted.
#include "CliTestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

class TestCliHistory : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void runIsRecordedAndListed();
    void rerunRunsAgainWithGrantsOff();
    void rerunOfAnUnknownRunExits125();
    void killedRunShowsAsInterrupted();
    void unusableHistoryNeverStopsARun();

private:
    using Result = cc::test::CliResult;
    Result run(const QStringList& args, const QProcessEnvironment& env = {});
    QString writeFile(const QString& name, const QByteArray& content);
    QJsonArray list();
    QProcessEnvironment environment() const;

    QString m_binary;
    QTemporaryDir m_dir;
    QString m_history;
};

void TestCliHistory::initTestCase()
{
    m_binary = qEnvironmentVariable("CODECOURIER_BINARY");
    QVERIFY2(QFileInfo(m_binary).isExecutable(), "CODECOURIER_BINARY must name the built codecourier binary");
    QVERIFY(m_dir.isValid());
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());  // default settings only
    qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("data")).toUtf8());
}

void TestCliHistory::init()
{
    // A fresh history per test function.
    m_history = m_dir.filePath(QStringLiteral("%1.sqlite").arg(QString::fromLatin1(QTest::currentTestFunction())));
}

QProcessEnvironment TestCliHistory::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CODECOURIER_HISTORY"), m_history);
    return env;
}

TestCliHistory::Result TestCliHistory::run(const QStringList& args, const QProcessEnvironment& env)
{
    return cc::test::runCli(m_binary, args, {}, env.isEmpty() ? environment() : env);
}

QString TestCliHistory::writeFile(const QString& name, const QByteArray& content)
{
    return cc::test::writeTestFile(m_dir.filePath(name), content);
}

QJsonArray TestCliHistory::list()
{
    const Result r = run({QStringLiteral("history"), QStringLiteral("--json")});
    if (r.status != 0)
        qWarning("history --json: %d %s", r.status, r.err.constData());
    return QJsonDocument::fromJson(r.out).array();
}

void TestCliHistory::runIsRecordedAndListed()
{
    const QByteArray code = "import sys\nprint('recorded')\nsys.stdout.flush()\nsys.stdout.buffer.write(b'\\xff\\x00!')\n"
                            "print('oops', file=sys.stderr)\nsys.exit(3)\n";
    const QString file = writeFile(QStringLiteral("rec.py"), code);
    const Result first = run({QStringLiteral("run"), file});
    QCOMPARE(first.status, 3);
    QVERIFY2(!first.err.contains("history:"), first.err.constData());

    const QJsonArray runs = list();
    QCOMPARE(runs.size(), 1);
    const QJsonObject entry = runs.first().toObject();
    QCOMPARE(entry.value("state").toString(), QStringLiteral("finished"));
    QCOMPARE(entry.value("verdict").toString(), QStringLiteral("exit_nonzero"));
    QCOMPARE(entry.value("language").toString(), QStringLiteral("python"));
    QCOMPARE(entry.value("backend").toString(), QStringLiteral("docker"));
    QCOMPARE(entry.value("first_line").toString(), QStringLiteral("import sys"));
    QVERIFY(entry.value("wall_ms").toInteger() > 0);
    const qint64 id = entry.value("id").toInteger();
    QVERIFY(id > 0);

    const Result text = run({QStringLiteral("history")});
    QCOMPARE(text.status, 0);
    QVERIFY2(text.out.contains("exit_nonzero") && text.out.contains("import sys"), text.out.constData());

    const Result show = run({QStringLiteral("history"), QStringLiteral("show"), QString::number(id), QStringLiteral("--json")});
    QCOMPARE(show.status, 0);
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(show.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.value("code").toString().toUtf8(), code);
    QCOMPARE(doc.value("verdict").toString(), QStringLiteral("exit_nonzero"));
    QCOMPARE(doc.value("exit_code").toInt(), 3);
    QCOMPARE(QByteArray::fromBase64(doc.value("stdout_base64").toString().toLatin1()), QByteArray("recorded\n\xff\x00!", 12));
    QCOMPARE(doc.value("stderr").toString(), QStringLiteral("oops\n"));
    QCOMPARE(doc.value("image").toString(), QStringLiteral("codecourier/runner:bookworm-1"));
    QCOMPARE(doc.value("limits").toObject().value("wall_timeout_ms").toInt(), 10'000);
    QVERIFY(doc.value("cpu_ms").toInteger() > 0);
    QVERIFY(!doc.value("ended_at").isNull());

    const Result human = run({QStringLiteral("history"), QStringLiteral("show"), QString::number(id)});
    QCOMPARE(human.status, 0);
    QVERIFY(human.out.contains("--- code ---\nimport sys\n"));
    QVERIFY(human.out.contains("Result:    exit_nonzero"));
}

void TestCliHistory::rerunRunsAgainWithGrantsOff()
{
    const QString file = writeFile(QStringLiteral("again.sh"), "echo \"again $WHO\"; cat");
    const QString input = writeFile(QStringLiteral("again.txt"), "from stdin\n");
    // --history-file wins over the environment.
    QProcessEnvironment elsewhere = environment();
    elsewhere.insert(QStringLiteral("CODECOURIER_HISTORY"), m_dir.filePath(QStringLiteral("not-this.sqlite")));
    const Result first = run({QStringLiteral("run"), file, QStringLiteral("--allow-network"), QStringLiteral("--timeout"),
                              QStringLiteral("7"), QStringLiteral("--stdin"), input, QStringLiteral("--env"),
                              QStringLiteral("WHO=first"), QStringLiteral("--env"), QStringLiteral("SECRET=tok-3e7a"),
                              QStringLiteral("--history-file"), m_history},
                             elsewhere);
    QCOMPARE(first.status, 0);
    QCOMPARE(first.out, QByteArray("again first\nfrom stdin\n"));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("not-this.sqlite"))));
    const qint64 id = list().first().toObject().value("id").toInteger();

    const Result again = run({QStringLiteral("history"), QStringLiteral("rerun"), QString::number(id)});
    QCOMPARE(again.status, 0);
    QCOMPARE(again.out, QByteArray("again \nfrom stdin\n"));  // same code and stdin; the env value was not kept
    QVERIFY2(again.err.contains("codecourier: ok:"), again.err.constData());

    const QJsonArray runs = list();
    QCOMPARE(runs.size(), 2);
    const qint64 secondId = runs.first().toObject().value("id").toInteger();
    QVERIFY(secondId > id);
    auto show = [&](qint64 which) {
        return QJsonDocument::fromJson(
                   run({QStringLiteral("history"), QStringLiteral("show"), QString::number(which), QStringLiteral("--json")}).out)
            .object();
    };
    const QJsonObject original = show(id);
    const QJsonObject rerun = show(secondId);
    QCOMPARE(original.value("grants").toObject().value("network").toBool(), true);
    QCOMPARE(rerun.value("grants").toObject().value("network").toBool(), false);
    QCOMPARE(rerun.value("code").toString(), original.value("code").toString());
    QCOMPARE(rerun.value("limits").toObject().value("wall_timeout_ms").toInt(), 7000);
    QCOMPARE(original.value("env_names").toArray(), (QJsonArray{QStringLiteral("WHO"), QStringLiteral("SECRET")}));
    // A typed value the program never printed is nowhere in the history's files.
    for (const QString& part : {m_history, m_history + QStringLiteral("-wal")}) {
        QFile stored(part);
        if (stored.open(QIODevice::ReadOnly))
            QVERIFY2(!stored.readAll().contains("tok-3e7a"), qPrintable(part));
    }

    // The same grant flags as run's, given again, grant again; --json prints run's document.
    const Result granted = run({QStringLiteral("history"), QStringLiteral("rerun"), QString::number(id),
                                QStringLiteral("--allow-network"), QStringLiteral("--env"), QStringLiteral("WHO=second"),
                                QStringLiteral("--json")});
    QCOMPARE(granted.status, 0);
    const QJsonObject doc = QJsonDocument::fromJson(granted.out).object();
    QCOMPARE(doc.value("network").toBool(), true);
    QCOMPARE(doc.value("stdout").toString(), QStringLiteral("again second\nfrom stdin\n"));
    QCOMPARE(list().size(), 3);
    QCOMPARE(show(list().first().toObject().value("id").toInteger()).value("grants").toObject().value("network").toBool(), true);
}

void TestCliHistory::rerunOfAnUnknownRunExits125()
{
    for (const QStringList& args : {QStringList{QStringLiteral("history"), QStringLiteral("rerun"), QStringLiteral("4242")},
                                    QStringList{QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("4242")}}) {
        const Result r = run(args);
        QCOMPARE(r.status, 125);
        QVERIFY2(r.err.startsWith("codecourier: There is no run #4242") && r.err.trimmed().endsWith('.'), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }
    const Result empty = run({QStringLiteral("history")});
    QCOMPARE(empty.status, 0);
    QCOMPARE(empty.out, QByteArray("No runs recorded yet.\n"));
}

void TestCliHistory::killedRunShowsAsInterrupted()
{
    const QString file = writeFile(QStringLiteral("sleepy.py"), "import time\nprint('started', flush=True)\ntime.sleep(30)\n");
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(m_binary, {QStringLiteral("run"), file, QStringLiteral("--timeout"), QStringLiteral("60")});
    QVERIFY(process.waitForStarted());
    // Until the program runs: its first line has arrived.
    QByteArray seen;
    QTRY_VERIFY2_WITH_TIMEOUT((seen += process.readAllStandardOutput()).contains("started"),
                              (seen + process.readAllStandardError()).constData(), 30'000);
    const QJsonArray whileRunning = list();
    QCOMPARE(whileRunning.size(), 1);
    QCOMPARE(whileRunning.first().toObject().value("state").toString(), QStringLiteral("running"));  // its owner is alive

    ::kill(pid_t(process.processId()), SIGKILL);
    QVERIFY(process.waitForFinished(10'000));
    QCOMPARE(process.exitStatus(), QProcess::CrashExit);

    const QJsonArray after = list();
    QCOMPARE(after.size(), 1);
    const QJsonObject entry = after.first().toObject();
    QCOMPARE(entry.value("state").toString(), QStringLiteral("interrupted"));
    QVERIFY(entry.value("verdict").isNull());
    const Result text = run({QStringLiteral("history")});
    QVERIFY2(text.out.contains("interrupted"), text.out.constData());
    const Result show = run({QStringLiteral("history"), QStringLiteral("show"), QString::number(entry.value("id").toInteger())});
    QVERIFY2(show.out.contains("Run #1: interrupted") && show.out.contains("time.sleep(30)"), show.out.constData());

    // The next run sweeps the container the killed process left behind (and is recorded itself).
    const QString quick = writeFile(QStringLiteral("quick.sh"), "echo swept");
    QCOMPARE(run({QStringLiteral("run"), quick}).status, 0);
    QCOMPARE(list().size(), 2);
}

void TestCliHistory::unusableHistoryNeverStopsARun()
{
    const QByteArray junk = "these are a person's notes, not a database\n";
    QFile notes(m_history);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write(junk);
    notes.close();
    const QString file = writeFile(QStringLiteral("still.sh"), "echo still runs");
    const Result r = run({QStringLiteral("run"), file, QStringLiteral("--json")});
    QCOMPARE(r.status, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("stdout").toString(), QStringLiteral("still runs\n"));
    QCOMPARE(r.err.count("codecourier: history: "), 1);
    QVERIFY2(r.err.contains("damaged or not an SQLite database") && r.err.contains("History is off"), r.err.constData());

    const Result listing = run({QStringLiteral("history")});
    QCOMPARE(listing.status, 125);
    QVERIFY2(listing.err.contains("damaged"), listing.err.constData());
    QVERIFY(notes.open(QIODevice::ReadOnly));
    QCOMPARE(notes.readAll(), junk);
}

QTEST_GUILESS_MAIN(TestCliHistory)
#include "tst_cli_history.moc"
