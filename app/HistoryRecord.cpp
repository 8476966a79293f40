#include "HistoryRecord.h"

#include "VerdictDecider.h"

#include <QStringDecoder>
#include <nlohmann/json.hpp>

namespace cc {

namespace {

using nlohmann::json;

QString isoTime(const QDateTime& time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

json timeOrNull(const QDateTime& time)
{
    return time.isValid() ? json(isoTime(time).toStdString()) : json(nullptr);
}

json orNull(qint64 value)
{
    return value < 0 ? json(nullptr) : json(value);
}

/// Bytes as JSON: `name` holds the text, invalid UTF-8 replaced by U+FFFD so the document is
/// always valid; only when a replacement happened, `name_base64` holds the exact bytes.
void putBytes(json& doc, const char* name, const QByteArray& bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder(bytes);
    doc[name] = text.toStdString();
    if (decoder.hasError())
        doc[std::string(name) + "_base64"] = bytes.toBase64().toStdString();
}

} // namespace

QString historyStateName(HistoryState state)
{
    switch (state) {
    case HistoryState::Running:
        return QStringLiteral("running");
    case HistoryState::Finished:
        return QStringLiteral("finished");
    case HistoryState::Interrupted:
        return QStringLiteral("interrupted");
    }
    return QStringLiteral("interrupted");
}

std::optional<HistoryState> historyStateFromName(const QString& name)
{
    for (HistoryState state : {HistoryState::Running, HistoryState::Finished, HistoryState::Interrupted})
        if (historyStateName(state) == name)
            return state;
    return std::nullopt;
}

void HistoryOutput::append(bool isStderr, const QByteArray& bytes, qint64 cap)
{
    totalBytes += bytes.size();
    const qint64 room = cap - stdoutBytes.size() - stderrBytes.size();
    if (room > 0)
        (isStderr ? stderrBytes : stdoutBytes).append(bytes.left(room));
}

QString HistoryOutput::truncationMark() const
{
    if (!clipped())
        return {};
    return QStringLiteral("[history kept the first %1 of %2 of output]")
        .arg(humanBytes(stdoutBytes.size() + stderrBytes.size()), humanBytes(totalBytes));
}

QString HistoryRecord::outcome() const
{
    return state == HistoryState::Finished && !verdict.isEmpty() ? verdict : historyStateName(state);
}

QString HistoryRecord::firstLine(int maxChars) const
{
    QString line;
    for (const QByteArray& raw : code.split('\n')) {
        line = QString::fromUtf8(raw).trimmed();
        if (!line.isEmpty())
            break;
    }
    // Code is hostile: an escape sequence in a listing could rewrite the person's terminal.
    for (QChar& c : line)
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            c = QChar::ReplacementCharacter;
    if (line.size() > maxChars)
        line = line.left(maxChars - 1) + QChar(0x2026);
    return line;
}

QByteArray HistoryRecord::toJson() const
{
    json doc = {
        {"id", id},
        {"state", historyStateName(state).toStdString()},
        {"verdict", verdict.isEmpty() ? json(nullptr) : json(verdict.toStdString())},
        {"message", message.toStdString()},
        {"started_at", timeOrNull(startedAt)},
        {"ended_at", timeOrNull(endedAt)},
        {"language", language.toStdString()},
        {"backend", backend.toStdString()},
        {"image", image.toStdString()},
        {"runtime", runtime.toStdString()},
        {"limits",
         {{"wall_timeout_ms", limits.wallTimeoutMs},
          {"memory_bytes", limits.memoryBytes},
          {"cpus", limits.cpus},
          {"pids", limits.pids},
          {"output_bytes", limits.outputBytes},
          {"file_size_bytes", limits.fileSizeBytes},
          {"tmpfs_bytes", limits.tmpfsBytes}}},
        {"grants",
         {{"network", grants.network},
          {"host_folder", grants.hostFolder.toStdString()},
          {"host_folder_mode", grants.hostFolder.isEmpty()                               ? json(nullptr)
                               : grants.hostFolderMode == Grants::HostFolderMode::Review ? json("review")
                                                                                         : json("read-only")}}},
        {"env_names", json::array()},
        {"exit_code", orNull(exitCode)},
        {"signal", signal > 0 ? json(signal) : json(nullptr)},
        {"wall_ms", orNull(wallMs)},
        {"cpu_ms", orNull(cpuMs)},
        {"peak_memory_bytes", orNull(peakMemoryBytes)},
        {"peak_memory_is_sample", peakMemoryIsSample},
        {"sandbox_id", sandboxId.toStdString()},
        {"output_total_bytes", output.totalBytes},
        {"output_truncated", output.clipped()},
        {"has_stdin", hasStdin},
    };
    for (const QString& name : envNames)
        doc["env_names"].push_back(name.toStdString());
    putBytes(doc, "code", code);
    putBytes(doc, "answer", answer);
    putBytes(doc, "stdin", stdinData);
    putBytes(doc, "stdout", output.stdoutBytes);
    putBytes(doc, "stderr", output.stderrBytes);
    // A malformed artifacts column (another version's bug, a hand edit) must not break the export.
    json artifacts = json::parse(artifactsJson.toStdString(), nullptr, false);
    doc["artifacts"] = artifacts.is_array() ? artifacts : json::array();
    json changes =
        hostChangesJson.isEmpty() ? json(nullptr) : json::parse(hostChangesJson.toStdString(), nullptr, false);
    doc["host_changes"] = changes.is_object() ? changes : json(nullptr);
    return QByteArray::fromStdString(doc.dump(2)) + '\n';
}

QByteArray HistoryRecord::listJson(const QList<HistoryRecord>& records)
{
    json list = json::array();
    for (const HistoryRecord& r : records)
        list.push_back({{"id", r.id},
                        {"started_at", timeOrNull(r.startedAt)},
                        {"language", r.language.toStdString()},
                        {"backend", r.backend.toStdString()},
                        {"state", historyStateName(r.state).toStdString()},
                        {"verdict", r.verdict.isEmpty() ? json(nullptr) : json(r.verdict.toStdString())},
                        {"wall_ms", orNull(r.wallMs)},
                        {"first_line", r.firstLine().toStdString()}});
    return QByteArray::fromStdString(list.dump(2)) + '\n';
}

} // namespace cc
