// CodeCourier's own seccomp profile, read rule by rule: an allow-list with EPERM as the default,
// no rule that lets a process reach another (ptrace and friends), namespaces only refused, clone3
// sent back to clone, and a profile the engine can parse (names, actions, operators it knows).
#include "docker/SeccompProfile.h"

#include <QTest>
#include <algorithm>
#include <map>
#include <set>

using nlohmann::json;
using namespace cc::docker;

class TestSeccompProfile : public QObject
{
    Q_OBJECT

private slots:
    void refusesByDefault();
    void refusedCallsAreNeverAllowed_data();
    void refusedCallsAreNeverAllowed();
    void everyNameOnce();
    void cloneOnlyWithoutNamespaceFlags();
    void clone3FallsBackToClone();
    void socketWithoutVsock();
    void personalityOnlyPlainDomains();
    void onlyKnownActionsAndOperators();
    void securityOptCarriesTheProfile();
};

namespace {

// Every name any rule mentions, with the rules that mention it.
std::multimap<std::string, json> rulesByName(const json& profile)
{
    std::multimap<std::string, json> byName;
    for (const json& rule : profile.at("syscalls"))
        for (const json& name : rule.at("names"))
            byName.emplace(name.get<std::string>(), rule);
    return byName;
}

json onlyRuleFor(const json& profile, const std::string& name, int* count)
{
    json found;
    *count = 0;
    for (const auto& [n, rule] : rulesByName(profile))
        if (n == name) {
            found = rule;
            ++*count;
        }
    return found;
}

} // namespace

void TestSeccompProfile::refusesByDefault()
{
    const json p = seccompProfile();
    QCOMPARE(p.at("defaultAction").get<std::string>(), std::string("SCMP_ACT_ERRNO"));
    QCOMPARE(p.at("defaultErrnoRet").get<int>(), 1);  // EPERM
    // Only native architectures, no 32-bit or x32 sub-architectures to slip through.
    for (const json& arch : p.at("archMap"))
        QVERIFY(arch.at("subArchitectures").empty());
}

void TestSeccompProfile::refusedCallsAreNeverAllowed_data()
{
    QTest::addColumn<QString>("name");
    for (const std::string& name : seccompRefusedSyscalls())
        QTest::newRow(name.c_str()) << QString::fromStdString(name);
    // The ones this profile exists for, named again so that a shortened list cannot hide them.
    for (const char* name : {"ptrace", "process_vm_readv", "process_vm_writev", "unshare", "setns", "mount",
                             "bpf", "io_uring_setup", "userfaultfd", "keyctl", "kexec_load"})
        QTest::newRow((std::string("essential ") + name).c_str()) << QString::fromLatin1(name);
}

void TestSeccompProfile::refusedCallsAreNeverAllowed()
{
    QFETCH(QString, name);
    const std::string n = name.toStdString();
    const auto byName = rulesByName(seccompProfile());
    QVERIFY2(byName.count(n) == 0, ("a rule mentions " + n).c_str());
    const auto& allowed = seccompAllowedSyscalls();
    QVERIFY(std::find(allowed.begin(), allowed.end(), n) == allowed.end());
}

void TestSeccompProfile::everyNameOnce()
{
    std::set<std::string> seen;
    for (const std::string& name : seccompAllowedSyscalls())
        QVERIFY2(seen.insert(name).second, ("listed twice: " + name).c_str());
    for (const std::string& name : seccompRefusedSyscalls())
        QVERIFY2(seen.insert(name).second, ("both allowed and refused, or refused twice: " + name).c_str());
    // The conditional ones are not in the unconditional list.
    for (const char* name : {"clone", "clone3", "socket", "personality"})
        QVERIFY2(!seen.count(name), name);
    QVERIFY(seccompAllowedSyscalls().size() > 250);  // a program's everyday calls are all there
}

void TestSeccompProfile::cloneOnlyWithoutNamespaceFlags()
{
    int count = 0;
    const json rule = onlyRuleFor(seccompProfile(), "clone", &count);
    QCOMPARE(count, 1);
    QCOMPARE(rule.at("action").get<std::string>(), std::string("SCMP_ACT_ALLOW"));
    QCOMPARE(rule.at("args").size(), size_t(1));
    const json& arg = rule.at("args").at(0);
    QCOMPARE(arg.at("index").get<int>(), 0);
    QCOMPARE(arg.at("op").get<std::string>(), std::string("SCMP_CMP_MASKED_EQ"));
    QCOMPARE(arg.at("valueTwo").get<unsigned long long>(), 0ULL);
    // CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET all in the mask.
    const unsigned long long mask = arg.at("value").get<unsigned long long>();
    for (unsigned long long flag : {0x00020000ULL, 0x02000000ULL, 0x04000000ULL, 0x08000000ULL, 0x10000000ULL,
                                    0x20000000ULL, 0x40000000ULL})
        QVERIFY((mask & flag) == flag);
    // Threads (CLONE_VM | CLONE_THREAD ...) are not in it.
    QVERIFY((mask & 0x00010f00ULL) == 0);
}

void TestSeccompProfile::clone3FallsBackToClone()
{
    int count = 0;
    const json rule = onlyRuleFor(seccompProfile(), "clone3", &count);
    QCOMPARE(count, 1);
    QCOMPARE(rule.at("action").get<std::string>(), std::string("SCMP_ACT_ERRNO"));
    QCOMPARE(rule.at("errnoRet").get<int>(), 38);  // ENOSYS
}

void TestSeccompProfile::socketWithoutVsock()
{
    int count = 0;
    const json rule = onlyRuleFor(seccompProfile(), "socket", &count);
    QCOMPARE(count, 1);
    const json& arg = rule.at("args").at(0);
    QCOMPARE(arg.at("op").get<std::string>(), std::string("SCMP_CMP_NE"));
    QCOMPARE(arg.at("value").get<int>(), 40);  // AF_VSOCK
}

void TestSeccompProfile::personalityOnlyPlainDomains()
{
    std::set<unsigned long long> values;
    const auto byName = rulesByName(seccompProfile());
    for (const auto& [name, rule] : byName) {
        if (name != "personality")
            continue;
        QCOMPARE(rule.at("args").size(), size_t(1));
        QCOMPARE(rule.at("args").at(0).at("op").get<std::string>(), std::string("SCMP_CMP_EQ"));
        values.insert(rule.at("args").at(0).at("value").get<unsigned long long>());
    }
    // READ_IMPLIES_EXEC (0x0400000) and ADDR_NO_RANDOMIZE (0x0040000) are not among them.
    QVERIFY(values == (std::set<unsigned long long>{0x0, 0x8, 0x20000, 0x20008, 0xffffffff}));
}

void TestSeccompProfile::onlyKnownActionsAndOperators()
{
    const std::set<std::string> actions{"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"};
    const std::set<std::string> ops{"SCMP_CMP_MASKED_EQ", "SCMP_CMP_EQ", "SCMP_CMP_NE"};
    // A named copy: a range over seccompProfile().at(...) would outlive the temporary it points into.
    const json profile = seccompProfile();
    for (const json& rule : profile.at("syscalls")) {
        QVERIFY(actions.count(rule.at("action").get<std::string>()));
        QVERIFY(!rule.at("names").empty());
        if (rule.contains("args"))
            for (const json& arg : rule.at("args"))
                QVERIFY(ops.count(arg.at("op").get<std::string>()));
    }
}

void TestSeccompProfile::securityOptCarriesTheProfile()
{
    const std::string opt = seccompSecurityOpt();
    QVERIFY(opt.rfind("seccomp=", 0) == 0);
    QVERIFY(json::parse(opt.substr(8)) == seccompProfile());
}

QTEST_APPLESS_MAIN(TestSeccompProfile)
#include "tst_seccompprofile.moc"
