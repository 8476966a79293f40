#include "DockerBackend.h"

#include "DockerApi.h"
#include "DockerRun.h"

#include <QCoreApplication>
#include <QFile>
#include <QSysInfo>
#include <QUuid>
#include <memory>

namespace cc::docker {

namespace {

/// Field 22 of /proc/PID/stat: the process's start time in clock ticks since boot.
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
    return fields.size() > 19 ? QString::fromLatin1(fields.at(19)) : QString();
}

QString randomSuffix()
{
    return QUuid::createUuid().toString(QUuid::Id128).left(16);
}

} // namespace

DockerBackend::DockerBackend(http::HttpClient* http, DockerEndpoint endpoint, QObject* parent)
    : Backend(parent), m_api(new DockerApi(http, std::move(endpoint), this))
{
}

QString DockerBackend::ownerTag()
{
    const qint64 pid = QCoreApplication::applicationPid();
    return QStringLiteral("%1/%2/%3").arg(QSysInfo::machineHostName()).arg(pid).arg(processStartTime(pid));
}

bool DockerBackend::ownerAlive(const QString& tag)
{
    const QStringList parts = tag.split(QLatin1Char('/'));
    if (parts.size() != 3)
        return false;  // not a tag we wrote: treat as abandoned
    if (parts[0] != QSysInfo::machineHostName())
        return true;   // another machine's process: not ours to judge
    bool ok = false;
    const qint64 pid = parts[1].toLongLong(&ok);
    if (!ok)
        return false;
    const QString start = processStartTime(pid);
    return !start.isEmpty() && start == parts[2];
}

Run* DockerBackend::start(const RunSpec& spec, QObject* parent)
{
    DockerRun::Setup setup;
    setup.labels.insert(QString::fromLatin1(kLabel), QStringLiteral("1"));
    setup.labels.insert(QString::fromLatin1(kOwnerLabel), ownerTag());
    setup.labels.insert(QStringLiteral("org.codecourier.language"), spec.language);
    const QString suffix = randomSuffix();
    setup.containerName = QStringLiteral("codecourier-%1").arg(suffix);
    if (spec.grants.network)
        setup.networkName = QStringLiteral("codecourier-net-%1").arg(suffix);
    auto* run = new DockerRun(m_api, spec, setup, parent ? parent : this);
    run->begin();
    return run;
}

void DockerBackend::sweepOrphans(std::function<void(int removed, const QString& error)> done)
{
    struct Sweep
    {
        int pending = 0;
        int removed = 0;
        QString error;
        std::function<void(int, const QString&)> done;
    };
    auto sweep = std::make_shared<Sweep>();
    sweep->done = std::move(done);
    auto settle = [sweep] {
        if (--sweep->pending == 0 && sweep->done)
            sweep->done(sweep->removed, sweep->error);
    };
    const QByteArray filter = DockerApi::query(QStringLiteral("{\"label\":[\"%1\"]}").arg(QLatin1String(kLabel)));

    auto sweepList = [this, sweep, settle](const QByteArray& listPath, const QByteArray& idKey,
                                           const QByteArray& deletePrefix, const QByteArray& deleteSuffix) {
        ++sweep->pending;
        m_api->call("GET", listPath, nullptr, this,
                    [this, sweep, settle, idKey, deletePrefix, deleteSuffix](const DockerResponse& r) {
                        if (!r.ok()) {
                            sweep->error = r.error;
                            settle();
                            return;
                        }
                        const auto list = r.json();
                        for (const auto& item : list.is_array() ? list : nlohmann::json::array()) {
                            const auto labels = item.value("Labels", nlohmann::json::object());
                            if (!labels.is_object())
                                continue;
                            const QString owner = QString::fromStdString(labels.value(kOwnerLabel, std::string()));
                            if (ownerAlive(owner))
                                continue;
                            const QByteArray id = QByteArray::fromStdString(item.value(idKey.toStdString(), std::string()));
                            if (id.isEmpty())
                                continue;
                            ++sweep->pending;
                            m_api->call("DELETE", deletePrefix + id + deleteSuffix, nullptr, this,
                                        [sweep, settle](const DockerResponse& removed) {
                                            if (removed.ok())
                                                ++sweep->removed;
                                            settle();
                                        });
                        }
                        settle();
                    });
    };
    ++sweep->pending;  // held until both lists were asked for, so done() cannot run early
    // Containers first: a network cannot be removed while a container is attached to it.
    sweepList("/containers/json?all=true&filters=" + filter, "Id", "/containers/", "?force=true&v=true");
    sweepList("/networks?filters=" + filter, "Id", "/networks/", "");
    settle();
}

} // namespace cc::docker
