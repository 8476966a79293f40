#include "ProcessOwner.h"

#include <QCoreApplication>
#include <QFile>
#include <QList>
#include <QSysInfo>

namespace cc {

namespace {

/// Field 22 of /proc/PID/stat: the process's start time in clock ticks since boot; empty when
/// there is no such process or it has ended and only waits to be reaped (a zombie).
QString processStartTime(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');  // the command name may contain spaces and parentheses
    if (close < 0)
        return {};
    const QList<QByteArray> fields = text.mid(close + 2).split(' ');
    if (fields.size() <= 19 || fields.at(0) == "Z" || fields.at(0) == "X")
        return {};
    return QString::fromLatin1(fields.at(19));
}

} // namespace

QString ProcessOwner::tag()
{
    const qint64 pid = QCoreApplication::applicationPid();
    return QStringLiteral("%1/%2/%3").arg(QSysInfo::machineHostName()).arg(pid).arg(processStartTime(pid));
}

bool ProcessOwner::alive(const QString& tag)
{
    const QStringList parts = tag.split(QLatin1Char('/'));
    if (parts.size() != 3)
        return false;  // not a tag we wrote: treat as abandoned
    if (parts[0] != QSysInfo::machineHostName())
        return true;   // another machine's process: not ours to judge
    bool ok = false;
    const qint64 pid = parts[1].toLongLong(&ok);
    if (!ok || pid <= 0)
        return false;
    const QString start = processStartTime(pid);
    return !start.isEmpty() && start == parts[2];
}

} // namespace cc
