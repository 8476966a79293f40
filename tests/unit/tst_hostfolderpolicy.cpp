#include "HostFolderPolicy.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using cc::checkHostFolder;
using cc::HostFolderCheck;

// The layout built in a temporary folder (ROOT):
//   ROOT/home/                  the fake home folder
//   ROOT/home/.ssh/sub/         a secret store and a folder inside it
//   ROOT/home/.gnupg/           another secret store
//   ROOT/home/.sshkeys/         a name that only starts like a secret store
//   ROOT/home/notes.txt         a file, not a folder
//   ROOT/home/project/src/      the folder a user means to share
//   ROOT/home/project/link  ->  ROOT/home/.ssh
//   ROOT/home/shortcut      ->  ROOT/home/project
//   ROOT/home2/                 a sibling whose name starts like the home folder's
//   ROOT/run/docker.sock        the (fake) Docker socket
//   ROOT/runlink            ->  ROOT/run
//   ROOT/other/                 a folder outside the home folder
//   ROOT/other/engine       ->  ROOT/run
class TestHostFolderPolicy : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void check_data();
    void check();
    void socketGivenThroughASymlink();
    void acceptedFolderIsCanonical();

private:
    QString path(const QString& relative) const { return m_root.path() + QLatin1Char('/') + relative; }
    QString home() const { return path(QStringLiteral("home")); }
    QString socket() const { return path(QStringLiteral("run/docker.sock")); }

    QTemporaryDir m_root;
};

void TestHostFolderPolicy::initTestCase()
{
    QVERIFY(m_root.isValid());
    QDir root(m_root.path());
    for (const char* dir :
         {"home/.ssh/sub", "home/.gnupg", "home/.sshkeys", "home/project/src", "home2", "run", "other"})
        QVERIFY(root.mkpath(QString::fromLatin1(dir)));
    QFile notes(path(QStringLiteral("home/notes.txt")));
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("not a folder\n");
    notes.close();
    QFile sock(socket());
    QVERIFY(sock.open(QIODevice::WriteOnly));
    sock.close();
    QVERIFY(QFile::link(path(QStringLiteral("home/.ssh")), path(QStringLiteral("home/project/link"))));
    QVERIFY(QFile::link(path(QStringLiteral("home/project")), path(QStringLiteral("home/shortcut"))));
    QVERIFY(QFile::link(path(QStringLiteral("run")), path(QStringLiteral("runlink"))));
    QVERIFY(QFile::link(path(QStringLiteral("run")), path(QStringLiteral("other/engine"))));
    QVERIFY(QFileInfo(path(QStringLiteral("home/project/link"))).isSymLink());
}

void TestHostFolderPolicy::check_data()
{
    // "path": absolute, or relative to ROOT. "reason": a word the refusal must contain; empty = accepted.
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("reason");

    QTest::newRow("project") << "home/project"
                             << "";
    QTest::newRow("project, trailing slash") << "home/project/"
                                             << "";
    QTest::newRow("project subfolder") << "home/project/src"
                                       << "";
    QTest::newRow("symlink to project") << "home/shortcut"
                                        << "";
    QTest::newRow("like .ssh but not it") << "home/.sshkeys"
                                          << "";
    QTest::newRow("sibling of home") << "home2"
                                     << "";
    QTest::newRow("outside home") << "other"
                                  << "";

    QTest::newRow("empty") << ""
                           << "No folder";
    QTest::newRow("root") << "/"
                          << "whole file system";
    QTest::newRow("root spelled oddly") << "//"
                                        << "whole file system";
    QTest::newRow("home") << "home"
                          << "home folder";
    QTest::newRow("home via ..") << "home/project/.."
                                 << "home folder";
    QTest::newRow("parent of home") << "."
                                    << "home folder";
    QTest::newRow("/etc") << "/etc"
                          << "system folder";
    QTest::newRow("/etc/ssl") << "/etc/ssl"
                              << "system folder";
    QTest::newRow("/proc") << "/proc"
                           << "system folder";
    QTest::newRow("/proc/self") << "/proc/self"
                                << "system folder";
    QTest::newRow("/sys") << "/sys"
                          << "system folder";
    QTest::newRow("/dev") << "/dev"
                          << "system folder";
    QTest::newRow("docker socket folder") << "run"
                                          << "Docker socket";
    QTest::newRow("symlink to docker socket folder") << "other/engine"
                                                     << "Docker socket";
    QTest::newRow(".ssh") << "home/.ssh"
                          << ".ssh";
    QTest::newRow(".ssh/sub") << "home/.ssh/sub"
                              << ".ssh";
    QTest::newRow(".gnupg") << "home/.gnupg"
                            << ".gnupg";
    QTest::newRow("symlink to .ssh") << "home/project/link"
                                     << ".ssh";
    QTest::newRow("through a symlink to .ssh") << "home/project/link/sub"
                                               << ".ssh";
    QTest::newRow("nonexistent") << "home/project/missing"
                                 << "does not exist";
    QTest::newRow("regular file") << "home/notes.txt"
                                  << "not a folder";
    QTest::newRow("the socket itself") << "run/docker.sock"
                                       << "not a folder";
}

void TestHostFolderPolicy::check()
{
    QFETCH(QString, path);
    QFETCH(QString, reason);
    const QString full = path.isEmpty() || path.startsWith(QLatin1Char('/')) ? path : this->path(path);
    const HostFolderCheck check = checkHostFolder(full, home(), socket());
    if (reason.isEmpty()) {
        QVERIFY2(check.ok(), qPrintable(check.error));
        QCOMPARE(check.canonicalPath, QFileInfo(full).canonicalFilePath());
        QVERIFY(!check.canonicalPath.isEmpty());
        return;
    }
    QVERIFY2(!check.ok(), qPrintable(full));
    QVERIFY(check.canonicalPath.isEmpty());
    QVERIFY2(check.error.contains(reason), qPrintable(check.error));
    // A full sentence a person can act on.
    QVERIFY2(check.error.at(0).isUpper(), qPrintable(check.error));
    QVERIFY2(check.error.endsWith(QLatin1Char('.')), qPrintable(check.error));
}

void TestHostFolderPolicy::socketGivenThroughASymlink()
{
    // The engine may name its socket through a link; the folder really holding it is still refused.
    const QString linkedSocket = path(QStringLiteral("runlink/docker.sock"));
    const HostFolderCheck check = checkHostFolder(path(QStringLiteral("run")), home(), linkedSocket);
    QVERIFY(!check.ok());
    QVERIFY2(check.error.contains(QLatin1String("Docker socket")), qPrintable(check.error));
    // Without a socket to protect, the same folder is fine.
    QVERIFY(checkHostFolder(path(QStringLiteral("run")), home(), QString()).ok());
}

void TestHostFolderPolicy::acceptedFolderIsCanonical()
{
    const QString expected = QFileInfo(path(QStringLiteral("home/project"))).canonicalFilePath();
    const HostFolderCheck check = checkHostFolder(path(QStringLiteral("home/./shortcut/src/..")), home(), socket());
    QVERIFY2(check.ok(), qPrintable(check.error));
    QCOMPARE(check.canonicalPath, expected);
    QVERIFY(!QFileInfo(check.canonicalPath).isSymLink());
    // The home folder given through a link is still the home folder.
    QVERIFY(QFile::link(home(), path(QStringLiteral("homelink"))));
    const HostFolderCheck viaLink =
        checkHostFolder(path(QStringLiteral("other")), path(QStringLiteral("homelink")), socket());
    QVERIFY(viaLink.ok());
    QVERIFY(!checkHostFolder(home(), path(QStringLiteral("homelink")), socket()).ok());
    QVERIFY(!checkHostFolder(path(QStringLiteral("home/.ssh")), path(QStringLiteral("homelink")), socket()).ok());
}

QTEST_GUILESS_MAIN(TestHostFolderPolicy)
#include "tst_hostfolderpolicy.moc"
