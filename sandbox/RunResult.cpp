#include "RunResult.h"

#include <array>
#include <utility>

namespace cc {

namespace {
constexpr std::array<std::pair<Verdict, const char*>, 8> kVerdictNames{{
    {Verdict::Ok, "ok"},
    {Verdict::ExitNonzero, "exit_nonzero"},
    {Verdict::Timeout, "timeout"},
    {Verdict::MemoryLimit, "memory_limit"},
    {Verdict::OutputLimit, "output_limit"},
    {Verdict::PidsLimit, "pids_limit"},
    {Verdict::Cancelled, "cancelled"},
    {Verdict::BackendError, "backend_error"},
}};
} // namespace

QString verdictName(Verdict verdict)
{
    for (const auto& [v, name] : kVerdictNames)
        if (v == verdict)
            return QString::fromLatin1(name);
    return QStringLiteral("backend_error");
}

std::optional<Verdict> verdictFromName(const QString& name)
{
    for (const auto& [v, n] : kVerdictNames)
        if (name == QLatin1String(n))
            return v;
    return std::nullopt;
}

} // namespace cc
