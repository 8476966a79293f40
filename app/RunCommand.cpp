#include "RunCommand.h"

#include "Backend.h"
#include "HistoryRecorder.h"
#include "Language.h"
#include "Run.h"
#include "Settings.h"
#include "VerdictDecider.h"

#include <QFile>
#include <QFileInfo>
#include <QTimer>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace cc {

void writeFully(int fd, const QByteArray& bytes)
{
    const char* data = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;  // a closed pipe: nothing more to say there
        }
        data += n;
        left -= n;
    }
}

RunCommand::RunCommand(const RunOptions& options, const Settings& settings, Backend* backend, QObject* parent)
    : QObject(parent), m_options(options), m_settings(settings), m_backend(backend)
{
}

void RunCommand::fail(const QString& sentence)
{
    RunResult result;
    result.verdict = Verdict::BackendError;
    result.message = sentence;
    result.backend = m_backend->name();
    if (m_options.json)
        writeFully(1, jsonDocument(result, m_options.language, {}, {}));
    else
        writeFully(2, (QStringLiteral("codecourier: ") + sentence + QLatin1Char('\n')).toUtf8());
    QTimer::singleShot(0, this, [this] { m_done(125); });
}

void RunCommand::start(std::function<void(int)> done)
{
    m_done = std::move(done);
    const Language* language = LanguageTable::find(m_options.language);
    if (!language) {
        fail(QStringLiteral("Unknown language \"%1\".").arg(m_options.language));
        return;
    }

    QByteArray code;
    if (m_options.file.isEmpty() || m_options.file == QLatin1String("-")) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            fail(QStringLiteral("Could not read the snippet from standard input."));
            return;
        }
        code = in.readAll();
    } else {
        QFile in(m_options.file);
        if (!in.open(QIODevice::ReadOnly)) {
            fail(QStringLiteral("Could not read %1: %2. Check the path.").arg(m_options.file, in.errorString()));
            return;
        }
        code = in.readAll();
    }

    RunSpec spec;
    spec.language = language->name;
    if (m_backend->name() == QLatin1String("e2b"))
        spec.image = m_options.templateName.isEmpty() ? m_settings.e2bTemplate() : m_options.templateName;
    else
        spec.image = m_options.image.isEmpty() ? m_settings.imageForLanguage(language->name) : m_options.image;
    spec.files.append({language->fileName, code});
    spec.command = language->command;
    spec.env = m_options.env;
    spec.runtime = m_options.runtime.isEmpty() ? m_settings.dockerRuntime() : m_options.runtime;
    spec.limits = m_settings.defaultLimits();
    if (m_options.timeoutMs)
        spec.limits.wallTimeoutMs = *m_options.timeoutMs;
    if (m_options.memoryBytes)
        spec.limits.memoryBytes = *m_options.memoryBytes;
    if (m_options.cpus)
        spec.limits.cpus = *m_options.cpus;
    if (m_options.pids)
        spec.limits.pids = *m_options.pids;
    if (m_options.outputBytes)
        spec.limits.outputBytes = *m_options.outputBytes;
    spec.grants.network = m_options.allowNetwork;
    if (!m_options.mountDir.isEmpty())
        spec.grants.hostFolder = QFileInfo(m_options.mountDir).absoluteFilePath();
    if (m_options.mountReview)
        spec.grants.hostFolderMode = Grants::HostFolderMode::Review;
    if (!m_options.stdinFile.isEmpty()) {
        QFile in(m_options.stdinFile);
        if (!in.open(QIODevice::ReadOnly)) {
            fail(QStringLiteral("Could not read the stdin file %1: %2.").arg(m_options.stdinFile, in.errorString()));
            return;
        }
        spec.stdinData = in.readAll();
        spec.hasStdin = true;
    }
    startSpec(spec, std::move(m_done));
}

void RunCommand::startSpec(const RunSpec& spec, std::function<void(int)> done)
{
    m_done = std::move(done);
    // Collecting costs an exec after every run: only when the files are wanted.
    RunSpec toRun = spec;
    if (m_options.artifactsDir.isEmpty())
        toRun.limits.artifactFiles = 0;
    if (!m_options.artifactsDir.isEmpty()) {
        // Checked before the run: a folder that cannot be used should not cost a run first.
        m_writer = std::make_unique<ArtifactWriter>(QFileInfo(m_options.artifactsDir).absoluteFilePath(), m_options.force);
        if (const QString problem = m_writer->open(); !problem.isEmpty()) {
            fail(problem);
            return;
        }
    }

    m_run = m_backend->start(toRun, this);
    // First, so that the record is complete before the exit status is handed on.
    if (m_history) {
        const QMetaObject::Connection started =
            connect(m_history, &HistoryRecorder::recordStarted, this, [this](qint64 id) { m_recordId = id; });
        m_history->record(m_run, m_backend->name());
        disconnect(started);
    }
    // A snippet's escape sequences could retitle the terminal, write the clipboard or redraw the
    // screen to fake a result: on a terminal only colours pass, unless the user asked for --raw.
    for (int fd : {1, 2})
        if (!m_options.json && !m_options.raw && ::isatty(fd))
            m_sanitizers[fd - 1].emplace();
    connect(m_run, &Run::output, this, [this](Run::Stream stream, const QByteArray& bytes) {
        const int fd = stream == Run::Stream::Stdout ? 1 : 2;
        if (m_options.json)
            (fd == 1 ? m_stdout : m_stderr).append(bytes);
        else if (m_sanitizers[fd - 1])
            writeFully(fd, m_sanitizers[fd - 1]->feed(bytes));
        else
            writeFully(fd, bytes);
    });
    connect(m_run, &Run::finished, this, [this](const RunResult& result) {
        for (int fd : {1, 2})
            if (m_sanitizers[fd - 1])
                writeFully(fd, m_sanitizers[fd - 1]->finish());
        const QList<Saved> saved = saveArtifacts(result);
        // Only with --apply, and only what the engine collected and compared: never anything else.
        ChangeDecision decision;
        if (m_options.apply && !result.hostChanges.folder.isEmpty()) {
            ChangeApplier applier(result.hostChanges.folder, m_options.force);
            decision.decided = true;
            decision.outcomes = applier.applyAll(result.hostChanges.changes, result.hostChanges.removedFolders);
            decision.removedFolders = applier.removedFolders();
            if (m_history && m_recordId)
                m_history->recordChanges(*m_recordId, result.hostChanges, decision);
        }
        if (m_options.json) {
            writeFully(1, jsonDocument(result, m_run->spec().language, m_stdout, m_stderr, saved, decision));
        } else {
            writeFully(2, (summaryLine(result) + QLatin1Char('\n')).toUtf8());
            writeFully(2, artifactLines(result, saved, m_writer != nullptr).toUtf8());
            writeFully(2, changeLines(result.hostChanges, decision, m_options.diff).toUtf8());
        }
        m_done(exitStatusFor(result));
    });
}

void RunCommand::interrupt()
{
    if (m_run)
        m_run->cancel();
}

int RunCommand::exitStatusFor(const RunResult& result)
{
    switch (result.verdict) {
    case Verdict::Ok:
        return 0;
    case Verdict::ExitNonzero:
    case Verdict::PidsLimit:
        return result.exitCode >= 0 && result.exitCode <= 255 ? result.exitCode : 1;
    case Verdict::Timeout:
        return 124;
    case Verdict::MemoryLimit:
        return 137;
    case Verdict::OutputLimit:
        return 141;
    case Verdict::Cancelled:
        return 130;
    case Verdict::BackendError:
        return 125;
    }
    return 125;
}

QString RunCommand::summaryLine(const RunResult& result)
{
    QStringList figures;
    if (result.exitCode >= 0)
        figures << QStringLiteral("exit %1").arg(result.exitCode);
    figures << QStringLiteral("wall %1").arg(humanDuration(result.wallMs));
    if (result.cpuMs >= 0)
        figures << QStringLiteral("cpu %1").arg(humanDuration(result.cpuMs));
    if (result.peakMemoryBytes >= 0)
        figures << QStringLiteral("peak memory %1%2 of %3")
                       .arg(result.peakMemoryIsSample ? QStringLiteral("~") : QString(), humanBytes(result.peakMemoryBytes),
                            humanBytes(result.memoryLimitBytes));
    if (result.outputTruncated)
        figures << QStringLiteral("output truncated at %1").arg(humanBytes(result.outputBytes));
    return QStringLiteral("codecourier: %1: %2 [%3]")
        .arg(verdictName(result.verdict), result.message, figures.join(QStringLiteral(", ")));
}

QList<RunCommand::Saved> RunCommand::saveArtifacts(const RunResult& result)
{
    QList<Saved> saved;
    if (!m_writer)
        return saved;
    for (const Artifact& artifact : result.artifacts) {
        Saved s;
        s.error = m_writer->write(artifact, &s.savedTo);
        saved.append(s);
    }
    return saved;
}

QString RunCommand::artifactLines(const RunResult& result, const QList<Saved>& saved, bool saving)
{
    // Names were checked (no control characters) or made printable by the engine: safe on a terminal.
    QString lines;
    const auto line = [&lines](const QString& text) { lines += QStringLiteral("codecourier: ") + text + QLatin1Char('\n'); };
    for (qsizetype i = 0; saving && i < result.artifacts.size() && i < saved.size(); ++i) {
        const Artifact& a = result.artifacts.at(i);
        const QString what = QStringLiteral("%1 (%2, %3)").arg(a.path, humanBytes(a.size), artifactTypeName(a.type));
        line(saved.at(i).error.isEmpty() ? QStringLiteral("saved %1 as %2").arg(what, saved.at(i).savedTo)
                                         : QStringLiteral("not saved: %1: %2").arg(what, saved.at(i).error));
    }
    for (const RefusedArtifact& r : result.refusedArtifacts)
        line(QStringLiteral("refused %1: %2").arg(r.path, r.reason));
    if (!result.artifactsNote.isEmpty())
        line(result.artifactsNote);
    return lines;
}

QString RunCommand::changeLines(const ChangeSet& changes, const ChangeDecision& decision, bool withDiff)
{
    if (changes.folder.isEmpty())
        return {};
    // Paths passed checkArtifactPath() (no control characters) or were made printable by the engine.
    QString lines;
    const auto line = [&lines](const QString& text) { lines += QStringLiteral("codecourier: ") + text + QLatin1Char('\n'); };
    line(QStringLiteral("review of %1: %2 %3 changed in the sandbox's copy")
             .arg(changes.folder)
             .arg(changes.changes.size())
             .arg(changes.changes.size() == 1 ? QStringLiteral("file") : QStringLiteral("files")));
    for (qsizetype i = 0; i < changes.changes.size(); ++i) {
        const FileChange& c = changes.changes.at(i);
        QString what;
        switch (c.kind) {
        case ChangeKind::Added:
            what = QStringLiteral("added    %1 (%2").arg(c.path, humanBytes(c.newSize));
            break;
        case ChangeKind::Modified:
            what = QStringLiteral("modified %1 (%2 -> %3").arg(c.path, humanBytes(c.oldSize), humanBytes(c.newSize));
            break;
        case ChangeKind::Deleted:
            what = QStringLiteral("deleted  %1 (%2").arg(c.path, humanBytes(c.oldSize));
            break;
        }
        what += c.text ? QStringLiteral(", +%1 -%2 lines)").arg(c.linesAdded).arg(c.linesRemoved) : QStringLiteral(", binary)");
        if (i < decision.outcomes.size()) {
            const ChangeApplier::Outcome& outcome = decision.outcomes.at(i);
            what += outcome.applied() ? QStringLiteral(": applied") : QStringLiteral(": not applied: ") + outcome.error;
            if (outcome.conflict)
                what += QStringLiteral(" (--force replaces it)");
        }
        line(QStringLiteral("  ") + what);
        if (withDiff && c.text && !c.diff.isEmpty()) {
            // Text holds no control characters but tab, newline, CR and form feed: the last two could
            // still move the cursor over earlier lines, so they are shown escaped.
            QString diff = c.diff;
            diff.replace(QLatin1Char('\r'), QLatin1String("\\r")).replace(QLatin1Char('\f'), QLatin1String("\\f"));
            if (!diff.endsWith(QLatin1Char('\n')))
                diff += QLatin1Char('\n');
            lines += diff;
            if (c.diffTruncated)
                line(QStringLiteral("  (diff cut short)"));
        }
    }
    for (const RefusedArtifact& r : changes.refused)
        line(QStringLiteral("  refused  %1: %2").arg(r.path, r.reason));
    for (const QString& folder : decision.removedFolders)
        line(QStringLiteral("  removed  %1/ (the program removed it, and the accepted deletions left it empty)")
                 .arg(folder));
    if (!changes.note.isEmpty())
        line(changes.note);
    if (changes.changes.isEmpty())
        line(QStringLiteral("nothing to write to %1.").arg(changes.folder));
    else if (!decision.decided)
        line(QStringLiteral("nothing was written to %1; run again with --apply to write these changes (--diff shows them).")
                 .arg(changes.folder));
    return lines;
}

QByteArray RunCommand::jsonDocument(const RunResult& result, const QString& language, const QByteArray& out,
                                    const QByteArray& err, const QList<Saved>& saved, const ChangeDecision& decision)
{
    using nlohmann::json;
    auto orNull = [](qint64 v) { return v < 0 ? json(nullptr) : json(v); };
    json mounts = json::array();
    if (!result.mountedFolder.isEmpty())
        mounts.push_back({{"host", result.mountedFolder.toStdString()},
                          {"target", kHostFolderMountPoint},
                          {"read_only", true},
                          // E2B cannot mount this machine's folder: it gets a copy, and nothing comes back.
                          {"copy", result.backend == QLatin1String("e2b")}});
    // Names, sizes and types; never the bytes (they are in the files saved with --artifacts).
    json artifacts = json::array();
    for (qsizetype i = 0; i < result.artifacts.size(); ++i) {
        const Artifact& a = result.artifacts.at(i);
        json entry = {{"path", a.path.toStdString()}, {"size", a.size}, {"type", artifactTypeName(a.type).toStdString()}};
        if (i < saved.size()) {
            entry["saved_to"] = saved.at(i).error.isEmpty() ? json(saved.at(i).savedTo.toStdString()) : json(nullptr);
            entry["save_error"] = saved.at(i).error.isEmpty() ? json(nullptr) : json(saved.at(i).error.toStdString());
        }
        artifacts.push_back(entry);
    }
    json refused = json::array();
    for (const RefusedArtifact& r : result.refusedArtifacts)
        refused.push_back({{"path", r.path.toStdString()}, {"reason", r.reason.toStdString()}});
    json hostChanges = nullptr;
    if (!result.hostChanges.folder.isEmpty())
        hostChanges = json::parse(changeSetJson(result.hostChanges, decision).toStdString());
    // Output bytes are not guaranteed UTF-8: invalid sequences become U+FFFD, never an error.
    const json doc = {
        {"verdict", verdictName(result.verdict).toStdString()},
        {"message", result.message.toStdString()},
        {"exit_code", orNull(result.exitCode)},
        {"signal", result.signal > 0 ? json(result.signal) : json(nullptr)},
        {"stdout", QString::fromUtf8(out).toStdString()},
        {"stderr", QString::fromUtf8(err).toStdString()},
        {"wall_ms", result.wallMs},
        {"cpu_ms", orNull(result.cpuMs)},
        {"peak_memory_bytes", orNull(result.peakMemoryBytes)},
        {"peak_memory_is_sample", result.peakMemoryIsSample},
        {"memory_limit_bytes", result.memoryLimitBytes},
        {"output_bytes", result.outputBytes},
        {"output_truncated", result.outputTruncated},
        {"backend", result.backend.toStdString()},
        {"image", result.image.toStdString()},
        {"sandbox_id", result.sandboxId.toStdString()},
        {"language", language.toStdString()},
        {"network", result.network},
        {"mounts", mounts},
        {"artifacts", artifacts},
        {"refused_artifacts", refused},
        {"artifacts_note", result.artifactsNote.isEmpty() ? json(nullptr) : json(result.artifactsNote.toStdString())},
        {"host_changes", hostChanges},
    };
    return QByteArray::fromStdString(doc.dump(2)) + '\n';
}

} // namespace cc
