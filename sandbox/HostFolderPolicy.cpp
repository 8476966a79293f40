#include "HostFolderPolicy.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>

namespace cc {

namespace {

bool isSameOrInside(const QString& path, const QString& folder)
{
    if (folder.isEmpty())
        return false;
    if (folder == QLatin1String("/"))
        return true;
    return path == folder || path.startsWith(folder + QLatin1Char('/'));
}

QString canonicalOrClean(const QString& path)
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    return canonical.isEmpty() ? QDir::cleanPath(path) : canonical;
}

} // namespace

HostFolderCheck checkHostFolder(const QString& path, const QString& homeDir, const QString& dockerSocketPath)
{
    HostFolderCheck check;
    if (path.trimmed().isEmpty()) {
        check.error = QStringLiteral("No folder was chosen to share.");
        return check;
    }
    const QFileInfo info(path);
    if (!info.exists()) {
        check.error = QStringLiteral("The folder %1 does not exist: choose an existing folder to share.").arg(path);
        return check;
    }
    if (!info.isDir()) {
        check.error = QStringLiteral("The path %1 is not a folder: choose a folder to share "
                                     "(its files appear in /workspace/host).")
                          .arg(path);
        return check;
    }
    const QString canonical = info.canonicalFilePath();
    const QString home = canonicalOrClean(homeDir);
    auto refuse = [&](const QString& why) {
        check.error = QStringLiteral("Refused to share %1: %2 Choose a project folder instead.").arg(canonical, why);
        return check;
    };

    if (canonical == QLatin1String("/"))
        return refuse(QStringLiteral("it is the whole file system."));
    if (!home.isEmpty() && home != QLatin1String("/") && isSameOrInside(home, canonical))
        return refuse(canonical == home ? QStringLiteral("it is your home folder, with your keys and settings in it.")
                                        : QStringLiteral("it contains your home folder, with your keys and settings in it."));

    static const QStringList systemFolders{QStringLiteral("/etc"),  QStringLiteral("/proc"), QStringLiteral("/sys"),
                                           QStringLiteral("/dev"),  QStringLiteral("/boot"), QStringLiteral("/root"),
                                           QStringLiteral("/run"),  QStringLiteral("/var/run")};
    for (const QString& system : systemFolders) {
        if (isSameOrInside(canonical, canonicalOrClean(system)) || isSameOrInside(canonical, system))
            return refuse(QStringLiteral("it is a system folder (%1).").arg(system));
    }

    if (!dockerSocketPath.isEmpty()) {
        const QString socket = canonicalOrClean(dockerSocketPath);
        if (isSameOrInside(socket, canonical) || isSameOrInside(dockerSocketPath, canonical))
            return refuse(QStringLiteral("it contains the Docker socket, which would give the code control of the host."));
    }

    if (!home.isEmpty()) {
        static const QStringList secretStores{QStringLiteral(".ssh"), QStringLiteral(".gnupg"), QStringLiteral(".aws"),
                                              QStringLiteral(".kube"), QStringLiteral(".docker"),
                                              QStringLiteral(".password-store"), QStringLiteral(".config/gcloud")};
        for (const QString& store : secretStores) {
            const QString storePath = home + QLatin1Char('/') + store;
            if (isSameOrInside(canonical, storePath) || isSameOrInside(canonical, canonicalOrClean(storePath)))
                return refuse(QStringLiteral("it is inside ~/%1, where secrets are kept.").arg(store));
        }
    }
    check.canonicalPath = canonical;
    return check;
}

} // namespace cc
