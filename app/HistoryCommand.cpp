#include "HistoryCommand.h"

#include "HistoryStore.h"
#include "Language.h"
#include "RunCommand.h"
#include "TerminalSanitizer.h"
#include "VerdictDecider.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <unistd.h>

namespace cc {

namespace {

QString localTime(const QDateTime& time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QStringLiteral("-");
}

QByteArray safeBytes(const QByteArray& bytes, bool sanitize)
{
    if (!sanitize)
        return bytes;
    TerminalSanitizer sanitizer;
    return sanitizer.feed(bytes) + sanitizer.finish();
}

QString limitsText(const Limits& limits)
{
    return QStringLiteral("wall %1, memory %2, %3 CPU, %4 pids, output %5, file size %6")
        .arg(humanDuration(limits.wallTimeoutMs), humanBytes(limits.memoryBytes), QString::number(limits.cpus),
             QString::number(limits.pids), humanBytes(limits.outputBytes), humanBytes(limits.fileSizeBytes));
}

QString grantsText(const Grants& grants)
{
    QStringList parts;
    if (grants.network)
        parts << QStringLiteral("network");
    if (!grants.hostFolder.isEmpty())
        parts << (grants.hostFolderMode == Grants::HostFolderMode::Review
                      ? QStringLiteral("folder %1 (copied for review)").arg(grants.hostFolder)
                      : QStringLiteral("folder %1 (read-only)").arg(grants.hostFolder));
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

QString jsonText(const QJsonValue& value)
{
    return value.isString() ? value.toString() : QString();
}

/// The artifacts column: one line per file.
QString artifactsText(const QByteArray& artifactsJson)
{
    QString lines;
    for (const QJsonValue& v : QJsonDocument::fromJson(artifactsJson).array()) {
        const QJsonObject a = v.toObject();
        lines += QStringLiteral("  %1 (%2, %3)\n")
                     .arg(jsonText(a.value(QLatin1String("path"))),
                          humanBytes(qint64(a.value(QLatin1String("size")).toDouble())),
                          jsonText(a.value(QLatin1String("type"))));
    }
    return lines;
}

/// A review run's changes as the history keeps them (ChangeSetJson): one line per change with
/// what became of it, then the refusals and the note. The diffs come as sections of their own.
QString changesText(const QJsonObject& set)
{
    const QJsonArray changes = set.value(QLatin1String("changes")).toArray();
    QString lines =
        QStringLiteral("%1 %2 changed in the sandbox's copy of %3%4\n")
            .arg(changes.size())
            .arg(changes.size() == 1 ? QStringLiteral("file") : QStringLiteral("files"),
                 jsonText(set.value(QLatin1String("folder"))),
                 set.value(QLatin1String("decided")).toBool() ? QString() : QStringLiteral(" (nothing decided)"));
    for (const QJsonValue& v : changes) {
        const QJsonObject c = v.toObject();
        const QString decision = jsonText(c.value(QLatin1String("decision")));
        QString line = QStringLiteral("  %1 %2: %3")
                           .arg(jsonText(c.value(QLatin1String("kind"))).leftJustified(8),
                                jsonText(c.value(QLatin1String("path"))), decision);
        if (decision == QLatin1String("refused"))
            line += QStringLiteral(" (%1)").arg(jsonText(c.value(QLatin1String("apply_error"))));
        lines += line + QLatin1Char('\n');
    }
    for (const QJsonValue& v : set.value(QLatin1String("folders_removed_on_host")).toArray())
        lines += QStringLiteral("  removed  %1/ (left empty by the applied deletions)\n").arg(jsonText(v));
    for (const QJsonValue& v : set.value(QLatin1String("refused")).toArray())
        lines += QStringLiteral("  refused  %1: %2\n")
                     .arg(jsonText(v.toObject().value(QLatin1String("path"))),
                          jsonText(v.toObject().value(QLatin1String("reason"))));
    if (const QString note = jsonText(set.value(QLatin1String("note"))); !note.isEmpty())
        lines += QStringLiteral("  %1\n").arg(note);
    return lines;
}

} // namespace

HistoryCommand::HistoryCommand(const HistoryOptions& options, HistoryStore* store) : m_options(options), m_store(store)
{
}

std::optional<HistoryRecord> HistoryCommand::load(HistoryStore* store, qint64 id, QString* error)
{
    if (!store->isEnabled()) {
        *error = store->disabledReason();
        return std::nullopt;
    }
    std::optional<HistoryRecord> record = store->get(id);
    if (!record)
        *error = !store->error().isEmpty()
                     ? store->error()
                     : QStringLiteral("There is no run #%1 in the history %2: `codecourier history` lists the runs.")
                           .arg(id)
                           .arg(store->path());
    return record;
}

std::optional<RunSpec> HistoryCommand::rerunSpec(const HistoryRecord& record, const RunOptions& options, QString* error)
{
    const Language* language = LanguageTable::find(record.language);
    if (!language) {
        *error = QStringLiteral("Run #%1 is in \"%2\", a language this CodeCourier cannot run.").arg(record.id).arg(record.language);
        return std::nullopt;
    }
    if (record.backend != QLatin1String("docker") && record.backend != QLatin1String("e2b")) {
        *error = QStringLiteral("Run #%1 ran on \"%2\", a backend this CodeCourier does not have.").arg(record.id).arg(record.backend);
        return std::nullopt;
    }
    // The file may have been edited by hand: limits pass the same check as typed ones.
    if (const QString wrong = validateLimits(record.limits); !wrong.isEmpty()) {
        *error = QStringLiteral("Run #%1's recorded limits cannot be used: %2").arg(record.id).arg(wrong);
        return std::nullopt;
    }
    RunSpec spec;
    spec.language = language->name;
    spec.image = record.image;
    spec.runtime = record.runtime;
    spec.files.append({language->fileName, record.code});
    spec.command = language->command;
    spec.stdinData = record.stdinData;
    spec.hasStdin = record.hasStdin;
    spec.limits = record.limits;
    spec.env = options.env;
    // Grants were given for that run, on purpose, once: a re-run asks again.
    spec.grants.network = options.allowNetwork;
    if (!options.mountDir.isEmpty())
        spec.grants.hostFolder = QFileInfo(options.mountDir).absoluteFilePath();
    if (options.mountReview)
        spec.grants.hostFolderMode = Grants::HostFolderMode::Review;
    return spec;
}

QString HistoryCommand::listing(const QList<HistoryRecord>& records)
{
    if (records.isEmpty())
        return QStringLiteral("No runs recorded yet.\n");
    QString out = QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
                      .arg(QStringLiteral("ID"), 5)
                      .arg(QStringLiteral("STARTED"), -19)
                      .arg(QStringLiteral("LANGUAGE"), -8)
                      .arg(QStringLiteral("BACKEND"), -7)
                      .arg(QStringLiteral("RESULT"), -12)
                      .arg(QStringLiteral("WALL"), 8)
                      .arg(QStringLiteral("CODE"));
    for (const HistoryRecord& r : records)
        out += QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
                   .arg(r.id, 5)
                   .arg(localTime(r.startedAt), -19)
                   .arg(r.language, -8)
                   .arg(r.backend, -7)
                   .arg(r.outcome(), -12)
                   .arg(r.wallMs >= 0 ? humanDuration(r.wallMs) : QStringLiteral("-"), 8)
                   .arg(r.firstLine());
    return out;
}

QByteArray HistoryCommand::details(const HistoryRecord& r, bool sanitize)
{
    QString head = QStringLiteral("Run #%1: %2\n").arg(r.id).arg(r.outcome());
    head += QStringLiteral("Started:   %1\nEnded:     %2\n").arg(localTime(r.startedAt), localTime(r.endedAt));
    head += QStringLiteral("Language:  %1\nBackend:   %2\nImage:     %3\n").arg(r.language, r.backend, r.image);
    if (!r.runtime.isEmpty())
        head += QStringLiteral("Runtime:   %1\n").arg(r.runtime);
    head += QStringLiteral("Limits:    %1\nGrants:    %2\n").arg(limitsText(r.limits), grantsText(r.grants));
    if (!r.envNames.isEmpty())
        head += QStringLiteral("Env:       %1 (values are not kept)\n").arg(r.envNames.join(QStringLiteral(", ")));
    if (r.state == HistoryState::Finished) {
        RunResult result;
        result.verdict = verdictFromName(r.verdict).value_or(Verdict::BackendError);
        result.message = r.message;
        result.exitCode = r.exitCode;
        result.wallMs = r.wallMs;
        result.cpuMs = r.cpuMs;
        result.peakMemoryBytes = r.peakMemoryBytes;
        result.peakMemoryIsSample = r.peakMemoryIsSample;
        result.memoryLimitBytes = r.limits.memoryBytes;
        result.outputBytes = r.output.totalBytes;
        head += QStringLiteral("Result:    %1\n").arg(RunCommand::summaryLine(result).section(QStringLiteral(": "), 1));
    } else if (r.state == HistoryState::Interrupted) {
        head += QStringLiteral("Result:    interrupted: the process running it ended before the run did\n");
    }
    QByteArray out = head.toUtf8();
    auto section = [&](const char* title, const QByteArray& bytes) {
        out += QByteArray("--- ") + title + " ---\n" + safeBytes(bytes, sanitize);
        if (!bytes.isEmpty() && !bytes.endsWith('\n'))
            out += '\n';
    };
    section("code", r.code);
    if (!r.answer.isEmpty())
        section("answer", r.answer);
    if (r.hasStdin)
        section("stdin", r.stdinData);
    section("stdout", r.output.stdoutBytes);
    section("stderr", r.output.stderrBytes);
    if (r.output.clipped())
        out += r.output.truncationMark().toUtf8() + '\n';
    if (const QString artifacts = artifactsText(r.artifactsJson); !artifacts.isEmpty())
        section("artifacts (files left in /workspace/out)", artifacts.toUtf8());
    const QJsonObject changes = QJsonDocument::fromJson(r.hostChangesJson).object();
    if (!changes.isEmpty()) {
        section("changes to the folder", changesText(changes).toUtf8());
        for (const QJsonValue& v : changes.value(QLatin1String("changes")).toArray()) {
            const QJsonObject c = v.toObject();
            if (const QString diff = jsonText(c.value(QLatin1String("diff"))); !diff.isEmpty())
                section(QStringLiteral("diff %1").arg(jsonText(c.value(QLatin1String("path")))).toUtf8().constData(),
                        diff.toUtf8());
        }
    }
    return out;
}

int HistoryCommand::run()
{
    auto failWith = [](const QString& sentence) {
        writeFully(2, (QStringLiteral("codecourier: ") + sentence + QLatin1Char('\n')).toUtf8());
        return 125;
    };
    if (!m_store->isEnabled())
        return failWith(m_store->disabledReason());
    if (m_options.action == HistoryOptions::Action::List) {
        HistoryFilter filter;
        filter.limit = m_options.limit;
        const QList<HistoryRecord> records = m_store->list(filter);
        if (!m_store->error().isEmpty())
            return failWith(m_store->error());
        writeFully(1, m_options.json ? HistoryRecord::listJson(records) : listing(records).toUtf8());
        return 0;
    }
    QString error;
    const std::optional<HistoryRecord> record = load(m_store, m_options.id, &error);
    if (!record)
        return failWith(error);
    writeFully(1, m_options.json ? record->toJson() : details(*record, ::isatty(1)));
    return 0;
}

} // namespace cc
