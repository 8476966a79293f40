#include "CgroupReport.h"

#include <QList>

#include <limits>

namespace cc::docker {

namespace {

// Each readable file is printed after a "== name" line; v1 and v2 paths are both tried, so one
// script serves every host. Only cat and sh are needed in the image.
const char* const kScript = R"SH(for f in \
  /sys/fs/cgroup/cpuacct/cpuacct.usage /sys/fs/cgroup/memory/memory.max_usage_in_bytes \
  /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/pids/pids.events \
  /sys/fs/cgroup/cpu.stat /sys/fs/cgroup/memory.peak /sys/fs/cgroup/memory.events /sys/fs/cgroup/pids.events; do
  [ -r "$f" ] && { echo "== $f"; cat "$f"; }
done
exit 0
)SH";

qint64 keyedValue(const QList<QByteArray>& lines, const QByteArray& key)
{
    for (const QByteArray& line : lines) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() == 2 && parts[0] == key) {
            bool ok = false;
            const qint64 v = parts[1].toLongLong(&ok);
            if (ok && v >= 0) // counters are never negative: anything else is not the kernel's
                return v;
        }
    }
    return -1;
}

qint64 plainValue(const QList<QByteArray>& lines)
{
    if (lines.isEmpty())
        return -1;
    bool ok = false;
    const qint64 v = lines.first().trimmed().toLongLong(&ok);
    return ok && v >= 0 ? v : -1;
}

} // namespace

QStringList CgroupReport::command()
{
    return {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QString::fromLatin1(kScript)};
}

CgroupReport CgroupReport::parse(const QByteArray& text)
{
    CgroupReport report;
    QByteArray file;
    QList<QByteArray> lines;
    auto flush = [&] {
        if (file.endsWith("/cpuacct.usage"))
            report.cpuNs = plainValue(lines);
        else if (file.endsWith("/cpu.stat")) {
            const qint64 usec = keyedValue(lines, "usage_usec");
            if (usec >= 0 && usec <= std::numeric_limits<qint64>::max() / 1000)
                report.cpuNs = usec * 1000;
        } else if (file.endsWith("/memory.max_usage_in_bytes") || file.endsWith("/memory.peak"))
            report.peakMemoryBytes = plainValue(lines);
        else if (file.endsWith("/memory.oom_control") || file.endsWith("/memory.events"))
            report.oomKills = keyedValue(lines, "oom_kill");
        else if (file.endsWith("pids.events"))
            report.pidsLimitHits = keyedValue(lines, "max");
        lines.clear();
    };
    for (const QByteArray& line : text.split('\n')) {
        if (line.startsWith("== ")) {
            flush();
            file = line.mid(3).trimmed();
        } else if (!line.isEmpty()) {
            lines.append(line);
        }
    }
    flush();
    return report;
}

} // namespace cc::docker
