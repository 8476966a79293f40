#include "VerdictDecider.h"

namespace cc {

QString humanDuration(qint64 ms)
{
    if (ms < 10'000) {
        const double s = ms / 1000.0;
        // 10 s limits read "10 s", not "10.0 s"; short runs keep one decimal.
        if (ms % 1000 == 0)
            return QStringLiteral("%1 s").arg(ms / 1000);
        // Trailing zeros dropped: 300 ms reads "0.3 s", not "0.30 s"; 9999 ms reads "10 s", not "10.0 s".
        QString number = QString::number(s, 'f', s < 1 ? 2 : 1);
        while (number.endsWith(QLatin1Char('0')))
            number.chop(1);
        if (number.endsWith(QLatin1Char('.')))
            number.chop(1);
        return QStringLiteral("%1 s").arg(number);
    }
    const qint64 totalSeconds = (ms + 500) / 1000;
    if (totalSeconds < 120)
        return QStringLiteral("%1 s").arg(totalSeconds);
    const qint64 minutes = totalSeconds / 60;
    const qint64 seconds = totalSeconds % 60;
    if (seconds == 0)
        return QStringLiteral("%1 min").arg(minutes);
    return QStringLiteral("%1 min %2 s").arg(minutes).arg(seconds);
}

QString humanBytes(qint64 bytes)
{
    constexpr qint64 KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024;
    auto fmt = [](double v, const char* unit) {
        const bool whole = v == static_cast<qint64>(v);
        return QStringLiteral("%1 %2").arg(v, 0, 'f', whole ? 0 : 1).arg(QLatin1String(unit));
    };
    if (bytes >= GiB)
        return fmt(bytes / double(GiB), "GiB");
    if (bytes >= MiB)
        return fmt(bytes / double(MiB), "MiB");
    if (bytes >= KiB)
        return fmt(bytes / double(KiB), "KiB");
    return bytes == 1 ? QStringLiteral("1 byte") : QStringLiteral("%1 bytes").arg(bytes);
}

QString signalName(int signal)
{
    static const char* const names[] = {nullptr,  "SIGHUP",  "SIGINT",  "SIGQUIT", "SIGILL",  "SIGTRAP", "SIGABRT",
                                        "SIGBUS", "SIGFPE",  "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE",
                                        "SIGALRM", "SIGTERM"};
    if (signal > 0 && signal < int(std::size(names)))
        return QString::fromLatin1(names[signal]);
    return QStringLiteral("signal %1").arg(signal);
}

VerdictDecision decideVerdict(const RunFacts& facts)
{
    VerdictDecision d;
    const QString after = humanDuration(facts.wallMs);

    if (facts.cancelled) {
        d.verdict = Verdict::Cancelled;
        d.signal = 9;
        d.message = QStringLiteral("Stopped by you after %1; the sandbox was removed.").arg(after);
        return d;
    }
    if (!facts.backendError.isEmpty()) {
        d.verdict = Verdict::BackendError;
        d.message = facts.backendError;
        return d;
    }
    if (facts.timedOut) {
        d.verdict = Verdict::Timeout;
        d.signal = 9;
        d.message = QStringLiteral("Killed after %1: the time limit.").arg(humanDuration(facts.limits.wallTimeoutMs));
        if (facts.pidsLimitHits > 0)
            d.message += QStringLiteral(" It had also hit the process limit of %1.").arg(facts.limits.pids);
        return d;
    }
    if (facts.outputLimitReached) {
        d.verdict = Verdict::OutputLimit;
        d.signal = 9;
        d.message = QStringLiteral("Stopped after %1 of output: the output limit. The output up to there is kept.")
                        .arg(humanBytes(facts.limits.outputBytes));
        return d;
    }
    if (!facts.exitStatus) {
        d.verdict = Verdict::BackendError;
        d.message = QStringLiteral("The sandbox ended without reporting how the program exited.");
        return d;
    }

    const int status = *facts.exitStatus;
    d.exitCode = status;
    d.signal = status > 128 && status < 160 ? status - 128 : 0;
    const bool failed = status != 0;
    const qint64 memoryLimit = facts.limits.memoryBytes;
    const bool oomByKernel = facts.oomKills > 0;
    // Without the kernel's OOM count, a SIGKILL with the peak at the limit is the OOM killer's mark.
    const bool oomByFigures = facts.oomKills < 0 && status == 137 && facts.peakMemoryBytes >= memoryLimit * 95 / 100;
    if (failed && (oomByKernel || oomByFigures)) {
        d.verdict = Verdict::MemoryLimit;
        d.message = QStringLiteral("Killed by the out-of-memory killer after %1: the memory limit of %2 was reached.")
                        .arg(after, humanBytes(memoryLimit));
        return d;
    }
    if (failed && facts.pidsLimitHits > 0) {
        d.verdict = Verdict::PidsLimit;
        d.message = QStringLiteral("Exited with code %1 after %2 once it hit the process limit of %3: "
                                   "the sandbox refused to start more processes or threads.")
                        .arg(status)
                        .arg(after)
                        .arg(facts.limits.pids);
        return d;
    }
    if (!failed) {
        d.verdict = Verdict::Ok;
        d.message = QStringLiteral("Exited normally (code 0) after %1.").arg(after);
        return d;
    }
    d.verdict = Verdict::ExitNonzero;
    if (d.signal)
        d.message = QStringLiteral("Killed by %1 after %2 (exit status %3).").arg(signalName(d.signal), after).arg(status);
    else
        d.message = QStringLiteral("Exited with code %1 after %2.").arg(status).arg(after);
    return d;
}

} // namespace cc
