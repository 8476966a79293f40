// Fuzzes CgroupReport::parse (sandbox/docker/CgroupReport.h). Its input is printed inside the
// sandbox, next to the code under suspicion: any text must give figures that are either unknown
// (-1) or real quantities, and text around the report must not change what it says.

#include "FuzzCheck.h"

#include "docker/CgroupReport.h"

#include <QByteArray>

using cc::docker::CgroupReport;

namespace {

bool sameReport(const CgroupReport& a, const CgroupReport& b)
{
    return a.cpuNs == b.cpuNs && a.peakMemoryBytes == b.peakMemoryBytes && a.oomKills == b.oomKills
           && a.pidsLimitHits == b.pidsLimitHits;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char*>(data), qsizetype(size));
    const CgroupReport report = CgroupReport::parse(text);

    // A figure is unknown or a count/amount: never negative otherwise.
    FUZZ_CHECK(report.cpuNs >= -1);
    FUZZ_CHECK(report.peakMemoryBytes >= -1);
    FUZZ_CHECK(report.oomKills >= -1);
    FUZZ_CHECK(report.pidsLimitHits >= -1);

    // Lines before the first "== file" header and a section for a file we do not read are ignored.
    FUZZ_CHECK(sameReport(CgroupReport::parse("noise before the report\n" + text), report));
    FUZZ_CHECK(sameReport(CgroupReport::parse(text + "\n== /sys/fs/cgroup/unknown.file\n12345\n"), report));
    return 0;
}
