#include "HostCgroup.h"

#include <QFile>
#include <QList>

namespace cc::docker {

namespace {

QByteArray readSmallFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(64 * 1024);
}

struct CgroupMount
{
    QString root;        // the part of the hierarchy mounted there
    QString mountPoint;
};

/// cgroup mounts from mountinfo: controller → mount ("" for the v2 unified hierarchy).
QMap<QString, CgroupMount> cgroupMounts(const QString& procRoot)
{
    QMap<QString, CgroupMount> mounts;
    for (const QByteArray& line : readSmallFile(procRoot + QStringLiteral("/self/mountinfo")).split('\n')) {
        const qsizetype dash = line.indexOf(" - ");
        if (dash < 0)
            continue;
        const QList<QByteArray> before = line.left(dash).split(' ');
        const QList<QByteArray> after = line.mid(dash + 3).split(' ');
        if (before.size() < 5 || after.size() < 3)
            continue;
        const CgroupMount mount{QString::fromUtf8(before[3]), QString::fromUtf8(before[4])};
        if (after[0] == "cgroup2") {
            mounts.insert(QString(), mount);
        } else if (after[0] == "cgroup") {
            for (const QByteArray& option : after[2].split(','))
                if (option == "memory" || option == "cpuacct" || option == "pids")
                    mounts.insert(QString::fromLatin1(option), mount);
        }
    }
    return mounts;
}

} // namespace

std::optional<HostCgroup> HostCgroup::locate(qint64 pid, const QString& containerId, const QString& procRoot)
{
    if (pid <= 0 || containerId.size() < 12)
        return std::nullopt;
    const QMap<QString, CgroupMount> mounts = cgroupMounts(procRoot);
    HostCgroup cgroup;
    for (const QByteArray& line : readSmallFile(QStringLiteral("%1/%2/cgroup").arg(procRoot).arg(pid)).split('\n')) {
        const QList<QByteArray> parts = line.split(':');
        if (parts.size() < 3)
            continue;
        const QString path = QString::fromUtf8(line.mid(parts[0].size() + parts[1].size() + 2));
        if (!path.contains(containerId))
            return std::nullopt;  // not the container we were told about
        const QStringList controllers = parts[1].isEmpty() ? QStringList{QString()}
                                                           : QString::fromLatin1(parts[1]).split(QLatin1Char(','));
        for (const QString& controller : controllers) {
            if (!mounts.contains(controller))
                continue;
            const CgroupMount mount = mounts.value(controller);
            QString relative = path;
            if (mount.root != QLatin1String("/")) {
                if (!path.startsWith(mount.root))
                    continue;
                relative = path.mid(mount.root.size());
            }
            cgroup.m_directories.insert(controller, mount.mountPoint + relative);
        }
    }
    const bool v1 = cgroup.m_directories.contains(QStringLiteral("memory"))
                    && cgroup.m_directories.contains(QStringLiteral("cpuacct"));
    const bool v2 = cgroup.m_directories.contains(QString());
    if (!v1 && !v2)
        return std::nullopt;
    return cgroup;
}

CgroupReport HostCgroup::read() const
{
    // The files the in-sandbox script reads, in the same "== path" format, so one parser serves both.
    static const QList<QPair<QString, QString>> files{
        {QStringLiteral("cpuacct"), QStringLiteral("cpuacct.usage")},
        {QStringLiteral("memory"), QStringLiteral("memory.max_usage_in_bytes")},
        {QStringLiteral("memory"), QStringLiteral("memory.oom_control")},
        {QStringLiteral("pids"), QStringLiteral("pids.events")},
        {QString(), QStringLiteral("cpu.stat")},
        {QString(), QStringLiteral("memory.peak")},
        {QString(), QStringLiteral("memory.events")},
        {QString(), QStringLiteral("pids.events")},
    };
    // On a hybrid host the v2 tree holds no controllers of ours: the v1 folders are the truth.
    const bool v1 = m_directories.contains(QStringLiteral("memory"));
    QByteArray text;
    for (const auto& [controller, name] : files) {
        if (!m_directories.contains(controller) || (v1 && controller.isEmpty()))
            continue;
        const QString path = m_directories.value(controller) + QLatin1Char('/') + name;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        text += "== " + path.toUtf8() + '\n' + file.read(64 * 1024) + '\n';
    }
    return CgroupReport::parse(text);
}

} // namespace cc::docker
