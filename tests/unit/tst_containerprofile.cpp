#include "docker/ContainerProfile.h"
#include "docker/SeccompProfile.h"

#include <QTest>
#include <optional>

using nlohmann::json;
using namespace cc;
using namespace cc::docker;

namespace {

constexpr qint64 MiB = 1024 * 1024;

RunSpec pythonSpec()
{
    RunSpec spec;
    spec.language = QStringLiteral("python");
    spec.image = QStringLiteral("codecourier/runner:bookworm-1");
    spec.files = {{QStringLiteral("main.py"), QByteArrayLiteral("print(1)\n")}};
    spec.command = {QStringLiteral("python3"), QStringLiteral("-u"), QStringLiteral("main.py")};
    return spec;
}

// The compact JSON text of a value: QCOMPARE prints it when the values differ.
QByteArray dump(const json& value)
{
    return QByteArray::fromStdString(value.dump());
}

// Lookups that tolerate a missing key (a const json's operator[] would be undefined behaviour).
json field(const json& object, const char* key)
{
    return object.is_object() ? object.value(key, json()) : json();
}

QStringList tmpfsOptions(const json& config, const char* path)
{
    const json options = field(field(field(config, "HostConfig"), "Tmpfs"), path);
    if (!options.is_string())
        return {};
    return QString::fromStdString(options.get<std::string>()).split(QLatin1Char(','));
}

qint64 optionValue(const QStringList& options, const QString& key)
{
    for (const QString& option : options) {
        if (option.startsWith(key + QLatin1Char('=')))
            return option.mid(key.size() + 1).toLongLong();
    }
    return -1;
}

std::optional<json> findUlimit(const json& config, const char* name)
{
    for (const json& ulimit : field(field(config, "HostConfig"), "Ulimits")) {
        if (field(ulimit, "Name") == name)
            return ulimit;
    }
    return std::nullopt;
}

} // namespace

class TestContainerProfile : public QObject
{
    Q_OBJECT

private slots:
    void identityAndProcess();
    void networkIsOffByDefault();
    void grantedNetworkUsesTheRunsOwnNetwork();
    void privilegesAreDropped();
    void filesystemIsReadOnlyWithCappedTmpfs();
    void defaultResourceLimits();
    void ulimits();
    void lifecycle();
    void noHostFilesByDefault();
    void hostFolderIsOneReadOnlyBindMount();
    void envIsOnlyTheSpecsEnv();
    void labelsAreCopied();
    void customLimitsAreReflected_data();
    void customLimitsAreReflected();
    void runtimeOnlyWhenChosen();
    void nothingReachesTheDockerSocket();
};

void TestContainerProfile::identityAndProcess()
{
    ContainerPlacement placement;
    placement.idleSeconds = 900;
    json config = hardenedContainerConfig(pythonSpec(), placement);
    QCOMPARE(dump(config["Image"]), dump("codecourier/runner:bookworm-1"));
    QCOMPARE(dump(config["User"]), dump("65534:65534"));
    QCOMPARE(QString::fromLatin1(kSandboxUser), QStringLiteral("65534:65534"));
    QCOMPARE(dump(config["WorkingDir"]), dump("/workspace"));
    QCOMPARE(dump(config["Entrypoint"]), dump(json::array({"sleep"})));
    QCOMPARE(dump(config["Cmd"]), dump(json::array({"900"})));
    QCOMPARE(dump(config["Tty"]), dump(false));
    QCOMPARE(dump(config["OpenStdin"]), dump(false));
    QCOMPARE(dump(config["AttachStdin"]), dump(false));
}

void TestContainerProfile::networkIsOffByDefault()
{
    json config = hardenedContainerConfig(pythonSpec(), {});
    QCOMPARE(dump(config["HostConfig"]["NetworkMode"]), dump("none"));
    QCOMPARE(dump(config["NetworkDisabled"]), dump(true));
}

void TestContainerProfile::grantedNetworkUsesTheRunsOwnNetwork()
{
    ContainerPlacement placement;
    placement.networkName = QStringLiteral("codecourier-run-1234");
    RunSpec spec = pythonSpec();
    spec.grants.network = true;
    json config = hardenedContainerConfig(spec, placement);
    QCOMPARE(dump(config["HostConfig"]["NetworkMode"]), dump("codecourier-run-1234"));
    QCOMPARE(dump(config["NetworkDisabled"]), dump(false));
}

void TestContainerProfile::privilegesAreDropped()
{
    json host = hardenedContainerConfig(pythonSpec(), {})["HostConfig"];
    QCOMPARE(dump(host["Privileged"]), dump(false));
    QCOMPARE(dump(host["CapDrop"]), dump(json::array({"ALL"})));
    QVERIFY(host["CapAdd"].is_array());
    QVERIFY(host["CapAdd"].empty());
    QCOMPARE(dump(host["SecurityOpt"]), dump(json::array({"no-new-privileges", seccompSecurityOpt()})));
    QVERIFY(!host.contains("Devices") || host["Devices"].empty());
    QVERIFY(!host.contains("PidMode"));
    QVERIFY(!host.contains("UsernsMode"));
    QCOMPARE(dump(host["IpcMode"]), dump("private"));
}

void TestContainerProfile::filesystemIsReadOnlyWithCappedTmpfs()
{
    json config = hardenedContainerConfig(pythonSpec(), {});
    const Limits limits;
    QCOMPARE(dump(config["HostConfig"]["ReadonlyRootfs"]), dump(true));
    QCOMPARE(config["HostConfig"]["Tmpfs"].size(), std::size_t(2));

    const QStringList tmp = tmpfsOptions(config, "/tmp");
    QCOMPARE(optionValue(tmp, QStringLiteral("size")), limits.tmpfsBytes);
    QVERIFY(optionValue(tmp, QStringLiteral("nr_inodes")) > 0);
    QVERIFY(tmp.contains(QStringLiteral("nosuid")));
    QVERIFY(tmp.contains(QStringLiteral("nodev")));

    const QStringList workspace = tmpfsOptions(config, "/workspace");
    QCOMPARE(optionValue(workspace, QStringLiteral("size")), limits.tmpfsBytes);
    QVERIFY(optionValue(workspace, QStringLiteral("nr_inodes")) > 0);
    QCOMPARE(optionValue(workspace, QStringLiteral("uid")), 65534);
    QCOMPARE(optionValue(workspace, QStringLiteral("gid")), 65534);
    QVERIFY(workspace.contains(QStringLiteral("nosuid")));
    QVERIFY(workspace.contains(QStringLiteral("nodev")));
}

void TestContainerProfile::defaultResourceLimits()
{
    json host = hardenedContainerConfig(pythonSpec(), {})["HostConfig"];
    QCOMPARE(host["Memory"].get<qint64>(), 256 * MiB);
    QCOMPARE(host["MemorySwap"].get<qint64>(), 256 * MiB);
    QCOMPARE(host["NanoCpus"].get<qint64>(), qint64(1'000'000'000));
    QCOMPARE(host["PidsLimit"].get<qint64>(), qint64(128));
}

void TestContainerProfile::ulimits()
{
    json config = hardenedContainerConfig(pythonSpec(), {});
    const std::optional<json> nofile = findUlimit(config, "nofile");
    QVERIFY(nofile);
    QCOMPARE((*nofile)["Soft"].get<qint64>(), qint64(256));
    QCOMPARE((*nofile)["Hard"].get<qint64>(), qint64(256));
    const std::optional<json> fsize = findUlimit(config, "fsize");
    QVERIFY(fsize);
    QCOMPARE((*fsize)["Soft"].get<qint64>(), 64 * MiB);
    QCOMPARE((*fsize)["Hard"].get<qint64>(), 64 * MiB);
}

void TestContainerProfile::lifecycle()
{
    json host = hardenedContainerConfig(pythonSpec(), {})["HostConfig"];
    QCOMPARE(dump(host["Init"]), dump(true));
    QCOMPARE(dump(host["AutoRemove"]), dump(true));
}

void TestContainerProfile::noHostFilesByDefault()
{
    json config = hardenedContainerConfig(pythonSpec(), {});
    QVERIFY(!config["HostConfig"].contains("Binds"));
    QVERIFY(!config["HostConfig"].contains("VolumesFrom"));
    QVERIFY(!config.contains("Volumes") || config["Volumes"].empty());
    QVERIFY(config["HostConfig"]["Mounts"].is_array());
    QVERIFY(config["HostConfig"]["Mounts"].empty());
}

void TestContainerProfile::hostFolderIsOneReadOnlyBindMount()
{
    ContainerPlacement placement;
    placement.hostFolder = QStringLiteral("/home/dev/project");
    RunSpec spec = pythonSpec();
    spec.grants.hostFolder = placement.hostFolder;
    json config = hardenedContainerConfig(spec, placement);
    QVERIFY(!config["HostConfig"].contains("Binds"));
    json mounts = config["HostConfig"]["Mounts"];
    QCOMPARE(mounts.size(), std::size_t(1));
    QCOMPARE(dump(mounts[0]["Type"]), dump("bind"));
    QCOMPARE(dump(mounts[0]["Source"]), dump("/home/dev/project"));
    QCOMPARE(dump(mounts[0]["Target"]), dump("/workspace/host"));
    QCOMPARE(dump(mounts[0]["Target"]), dump(kHostFolderMountPoint));
    QCOMPARE(dump(mounts[0]["ReadOnly"]), dump(true));
    // The read-only root stays in force with a grant.
    QCOMPARE(dump(config["HostConfig"]["ReadonlyRootfs"]), dump(true));
}

void TestContainerProfile::envIsOnlyTheSpecsEnv()
{
    const QByteArray secretName = "CODECOURIER_TEST_SECRET";
    const QByteArray secretValue = "hunter2-must-not-leak-7f3a";
    QVERIFY(qputenv(secretName, secretValue));

    RunSpec spec = pythonSpec();
    spec.env = {{QStringLiteral("GREETING"), QStringLiteral("hello world")}, {QStringLiteral("EMPTY"), QString()}};
    json config = hardenedContainerConfig(spec, {});
    qunsetenv(secretName);

    // The container carries no environment at all; the user's variables go with the exec.
    QCOMPARE(dump(config["Env"]), dump(json::array()));
    const json exec = execConfig({QStringLiteral("python3"), QStringLiteral("main.py")}, spec.env);
    QCOMPARE(dump(exec["Env"]), dump(json::array({"GREETING=hello world", "EMPTY="})));
    QCOMPARE(dump(exec["User"]), dump("65534:65534"));
    QCOMPARE(dump(exec["WorkingDir"]), dump("/workspace"));
    QCOMPARE(dump(exec["Privileged"]), dump(false));
    QVERIFY(!dump(exec).contains(secretName) && !dump(exec).contains(secretValue));
    const QByteArray text = dump(config);
    QVERIFY(!text.contains(secretName));
    QVERIFY(!text.contains(secretValue));
    // Nothing else from the host's environment either.
    QVERIFY(!text.contains("HOME="));
    QVERIFY(!text.contains("PATH="));

    json noEnv = hardenedContainerConfig(pythonSpec(), {});
    QVERIFY(noEnv["Env"].is_array());
    QVERIFY(noEnv["Env"].empty());
}

void TestContainerProfile::labelsAreCopied()
{
    ContainerPlacement placement;
    placement.labels = {{QStringLiteral("io.codecourier.run"), QStringLiteral("abc123")},
                        {QStringLiteral("io.codecourier.owner"), QStringLiteral("4242")}};
    json labels = hardenedContainerConfig(pythonSpec(), placement)["Labels"];
    QCOMPARE(labels.size(), std::size_t(2));
    QCOMPARE(dump(labels["io.codecourier.run"]), dump("abc123"));
    QCOMPARE(dump(labels["io.codecourier.owner"]), dump("4242"));
}

void TestContainerProfile::customLimitsAreReflected_data()
{
    QTest::addColumn<qint64>("memoryBytes");
    QTest::addColumn<double>("cpus");
    QTest::addColumn<int>("pids");
    QTest::addColumn<qint64>("fileSizeBytes");
    QTest::addColumn<qint64>("tmpfsBytes");
    QTest::addColumn<qint64>("nanoCpus");

    QTest::newRow("small") << 64 * MiB << 0.5 << 16 << 1 * MiB << 8 * MiB << qint64(500'000'000);
    QTest::newRow("large") << 4096 * MiB << 4.0 << 4096 << 1024 * MiB << 512 * MiB << qint64(4'000'000'000);
    QTest::newRow("fraction 1.5") << 512 * MiB << 1.5 << 64 << 64 * MiB << 64 * MiB << qint64(1'500'000'000);
    // Values whose product with 1e9 is not exact in binary floating point.
    QTest::newRow("fraction 2.01") << 256 * MiB << 2.01 << 128 << 64 * MiB << 64 * MiB << qint64(2'010'000'000);
    QTest::newRow("fraction 4.1") << 256 * MiB << 4.1 << 128 << 64 * MiB << 64 * MiB << qint64(4'100'000'000);
    QTest::newRow("minimum cpus") << 6 * MiB << 0.01 << 8 << 1 * MiB << 1 * MiB << qint64(10'000'000);
}

void TestContainerProfile::customLimitsAreReflected()
{
    QFETCH(qint64, memoryBytes);
    QFETCH(double, cpus);
    QFETCH(int, pids);
    QFETCH(qint64, fileSizeBytes);
    QFETCH(qint64, tmpfsBytes);
    QFETCH(qint64, nanoCpus);

    RunSpec spec = pythonSpec();
    spec.limits.memoryBytes = memoryBytes;
    spec.limits.cpus = cpus;
    spec.limits.pids = pids;
    spec.limits.fileSizeBytes = fileSizeBytes;
    spec.limits.tmpfsBytes = tmpfsBytes;
    json config = hardenedContainerConfig(spec, {});
    json& host = config["HostConfig"];
    QCOMPARE(host["Memory"].get<qint64>(), memoryBytes);
    QCOMPARE(host["MemorySwap"].get<qint64>(), memoryBytes);
    QCOMPARE(host["NanoCpus"].get<qint64>(), nanoCpus);
    QCOMPARE(host["PidsLimit"].get<qint64>(), qint64(pids));
    const std::optional<json> fsize = findUlimit(config, "fsize");
    QVERIFY(fsize);
    QCOMPARE((*fsize)["Soft"].get<qint64>(), fileSizeBytes);
    QCOMPARE((*fsize)["Hard"].get<qint64>(), fileSizeBytes);
    QCOMPARE(optionValue(tmpfsOptions(config, "/tmp"), QStringLiteral("size")), tmpfsBytes);
    QCOMPARE(optionValue(tmpfsOptions(config, "/workspace"), QStringLiteral("size")), tmpfsBytes);
    // nofile does not follow the other limits.
    const std::optional<json> nofile = findUlimit(config, "nofile");
    QVERIFY(nofile);
    QCOMPARE((*nofile)["Hard"].get<qint64>(), qint64(256));
}

void TestContainerProfile::runtimeOnlyWhenChosen()
{
    QVERIFY(!hardenedContainerConfig(pythonSpec(), {})["HostConfig"].contains("Runtime"));
    RunSpec spec = pythonSpec();
    spec.runtime = QStringLiteral("runsc");
    QCOMPARE(dump(hardenedContainerConfig(spec, {})["HostConfig"]["Runtime"]), dump("runsc"));
}

void TestContainerProfile::nothingReachesTheDockerSocket()
{
    ContainerPlacement placement;
    placement.hostFolder = QStringLiteral("/home/dev/project");
    placement.networkName = QStringLiteral("codecourier-run-1");
    placement.labels = {{QStringLiteral("io.codecourier.run"), QStringLiteral("1")}};
    RunSpec spec = pythonSpec();
    spec.env = {{QStringLiteral("A"), QStringLiteral("b")}};
    spec.runtime = QStringLiteral("runsc");
    const QList<json> configs{hardenedContainerConfig(pythonSpec(), {}), hardenedContainerConfig(spec, placement)};
    for (json config : configs) {
        const QByteArray text = dump(config);
        QVERIFY(!config["HostConfig"].contains("Binds"));
        QVERIFY(!text.contains("\"Binds\""));
        QVERIFY(!text.contains("docker.sock"));
        QVERIFY(!text.contains("/var/run/docker"));
        QVERIFY(!text.contains("/run/docker"));
        QCOMPARE(dump(config["HostConfig"]["Privileged"]), dump(false));
    }
}

QTEST_GUILESS_MAIN(TestContainerProfile)
#include "tst_containerprofile.moc"
