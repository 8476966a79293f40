#pragma once

#include "CommandLine.h"
#include "HistoryRecord.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace cc {

class HistoryStore;

/// `codecourier history` and `codecourier history show ID`: reads the run history and prints it,
/// as text for people or JSON for scripts. Synchronous; needs no engine. `history rerun ID` is
/// a RunCommand started with rerunSpec().
class HistoryCommand
{
public:
    HistoryCommand(const HistoryOptions& options, HistoryStore* store);

    /// Lists or shows; returns the exit status: 0, or 125 with a sentence on stderr.
    int run();

    /// The record of id, or std::nullopt with a sentence in error (history off, unknown id).
    static std::optional<HistoryRecord> load(HistoryStore* store, qint64 id, QString* error);
    /// The spec that runs record again: same code, language, limits, image and runtime; grants
    /// and environment only as given in options (never from the record).
    static std::optional<RunSpec> rerunSpec(const HistoryRecord& record, const RunOptions& options, QString* error);

    /// The table of `codecourier history`, one run per line, newest first.
    static QString listing(const QList<HistoryRecord>& records);
    /// Everything about one run, as text. With sanitize, the code's and output's escape sequences
    /// are made harmless for a terminal (as `run` does).
    static QByteArray details(const HistoryRecord& record, bool sanitize);

private:
    HistoryOptions m_options;
    HistoryStore* m_store;
};

} // namespace cc
