#include "docker/CgroupReport.h"

#include <QTest>

using cc::docker::CgroupReport;

namespace {

// What the report's script prints on a cgroup v1 host (Docker 20.10, kernel 5.10).
const QByteArray kV1 = "== /sys/fs/cgroup/cpuacct/cpuacct.usage\n"
                       "84215486\n"
                       "== /sys/fs/cgroup/memory/memory.max_usage_in_bytes\n"
                       "4071424\n"
                       "== /sys/fs/cgroup/memory/memory.oom_control\n"
                       "oom_kill_disable 0\n"
                       "under_oom 0\n"
                       "oom_kill 2\n"
                       "== /sys/fs/cgroup/pids/pids.events\n"
                       "max 5\n";

// The same on a cgroup v2 host (kernel 6.1, memory.peak present).
const QByteArray kV2 = "== /sys/fs/cgroup/cpu.stat\n"
                       "usage_usec 84215\n"
                       "user_usec 60000\n"
                       "system_usec 24215\n"
                       "nr_periods 12\n"
                       "nr_throttled 3\n"
                       "throttled_usec 4410\n"
                       "== /sys/fs/cgroup/memory.peak\n"
                       "4071424\n"
                       "== /sys/fs/cgroup/memory.events\n"
                       "low 0\n"
                       "high 0\n"
                       "max 41\n"
                       "oom 1\n"
                       "oom_kill 1\n"
                       "oom_group_kill 0\n"
                       "== /sys/fs/cgroup/pids.events\n"
                       "max 3\n";

} // namespace

class TestCgroupReport : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void commandPrintsEveryFileItParses();
};

void TestCgroupReport::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("cpuNs");
    QTest::addColumn<qint64>("peakMemoryBytes");
    QTest::addColumn<qint64>("oomKills");
    QTest::addColumn<qint64>("pidsLimitHits");

    QTest::newRow("v1") << kV1 << qint64(84215486) << qint64(4071424) << qint64(2) << qint64(5);
    QTest::newRow("v2") << kV2 << qint64(84215000) << qint64(4071424) << qint64(1) << qint64(3);
    QTest::newRow("v1 CRLF and padding") << QByteArray(kV1).replace("\n", "  \r\n") << qint64(84215486)
                                         << qint64(4071424) << qint64(2) << qint64(5);
    QTest::newRow("v1 no problems") << QByteArray("== /sys/fs/cgroup/cpuacct/cpuacct.usage\n12\n"
                                                  "== /sys/fs/cgroup/memory/memory.oom_control\n"
                                                  "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"
                                                  "== /sys/fs/cgroup/pids/pids.events\nmax 0\n")
                                    << qint64(12) << qint64(-1) << qint64(0) << qint64(0);
    // Kernels before 4.13 have no oom_kill line in memory.oom_control.
    QTest::newRow("v1 old kernel") << QByteArray("== /sys/fs/cgroup/memory/memory.oom_control\n"
                                                 "oom_kill_disable 0\nunder_oom 0\n")
                                   << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1);
    // Kernels before 5.19 have no memory.peak; the group-kill line must not be taken for oom_kill.
    QTest::newRow("v2 without memory.peak") << QByteArray("== /sys/fs/cgroup/memory.events\n"
                                                          "low 0\nhigh 0\nmax 0\noom 0\noom_group_kill 4\n"
                                                          "== /sys/fs/cgroup/pids.events\nmax 0\n")
                                            << qint64(-1) << qint64(-1) << qint64(-1) << qint64(0);
    QTest::newRow("nothing readable") << QByteArray() << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("only newlines") << QByteArray("\n\n\n") << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("error text") << QByteArray("sh: 1: cannot open /sys/fs/cgroup: Permission denied\n") << qint64(-1)
                                << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("empty files") << QByteArray("== /sys/fs/cgroup/cpuacct/cpuacct.usage\n"
                                               "== /sys/fs/cgroup/memory/memory.max_usage_in_bytes\n"
                                               "== /sys/fs/cgroup/memory/memory.oom_control\n"
                                               "== /sys/fs/cgroup/pids/pids.events\n")
                                 << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("garbage values") << QByteArray("== /sys/fs/cgroup/cpuacct/cpuacct.usage\nlots\n"
                                                  "== /sys/fs/cgroup/memory.peak\n12kB\n"
                                                  "== /sys/fs/cgroup/memory.events\noom_kill many\n"
                                                  "== /sys/fs/cgroup/pids.events\nmax\n")
                                    << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("garbage cpu.stat") << QByteArray("== /sys/fs/cgroup/cpu.stat\nusage_usec\nuser_usec 5\n")
                                      << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("unknown files ignored") << QByteArray("== /sys/fs/cgroup/memory.max\nmax\n"
                                                         "== /sys/fs/cgroup/memory.peak\n777\n"
                                                         "== /sys/fs/cgroup/io.stat\nmax 9\noom_kill 9\n")
                                           << qint64(-1) << qint64(777) << qint64(-1) << qint64(-1);
    // Found by fuzz/fuzz_cgroup_report: the text comes from inside the sandbox, so a figure may be
    // anything. Negative figures are not the kernel's; microseconds that overflow as nanoseconds
    // were undefined behaviour.
    QTest::newRow("negative values") << QByteArray("== /sys/fs/cgroup/cpuacct/cpuacct.usage\n-5\n"
                                                   "== /sys/fs/cgroup/memory.peak\n -1400\n"
                                                   "== /sys/fs/cgroup/memory.events\noom_kill -2\n"
                                                   "== /sys/fs/cgroup/pids.events\nmax -9223372036854775808\n")
                                     << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("negative cpu.stat usage") << QByteArray("== /sys/fs/cgroup/cpu.stat\nusage_usec -3\n")
                                             << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("cpu.stat usage overflows as nanoseconds")
        << QByteArray("== /sys/fs/cgroup/cpu.stat\nusage_usec 9223372036854771425\n") << qint64(-1) << qint64(-1)
        << qint64(-1) << qint64(-1);
    QTest::newRow("cpu.stat usage at the largest exact value")
        << QByteArray("== /sys/fs/cgroup/cpu.stat\nusage_usec 9223372036854775\n") << qint64(9223372036854775000)
        << qint64(-1) << qint64(-1) << qint64(-1);
    QTest::newRow("value lines before any header")
        << QByteArray("max 5\noom_kill 3\n84215486\n") << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1);
}

void TestCgroupReport::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, cpuNs);
    QFETCH(qint64, peakMemoryBytes);
    QFETCH(qint64, oomKills);
    QFETCH(qint64, pidsLimitHits);

    const CgroupReport report = CgroupReport::parse(text);
    QCOMPARE(report.cpuNs, cpuNs);
    QCOMPARE(report.peakMemoryBytes, peakMemoryBytes);
    QCOMPARE(report.oomKills, oomKills);
    QCOMPARE(report.pidsLimitHits, pidsLimitHits);
}

void TestCgroupReport::commandPrintsEveryFileItParses()
{
    const QStringList command = CgroupReport::command();
    QCOMPARE(command.size(), 3);
    QCOMPARE(command[0], QStringLiteral("/bin/sh"));
    QCOMPARE(command[1], QStringLiteral("-c"));
    for (const QByteArray& sample : {kV1, kV2}) {
        for (const QByteArray& line : sample.split('\n')) {
            if (line.startsWith("== "))
                QVERIFY2(command[2].contains(QString::fromLatin1(line.mid(3))), line.constData());
        }
    }
}

QTEST_GUILESS_MAIN(TestCgroupReport)
#include "tst_cgroupreport.moc"
