#pragma once

#include "RunSpec.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <optional>

namespace cc {

/// Options of `codecourier run`, as typed. Limits the user did not give stay unset so that the
/// settings' defaults apply.
struct RunOptions
{
    QString file;                   ///< path, "-" for stdin, empty = stdin
    QString language;               ///< --lang, canonical name once resolved
    QString backend = QStringLiteral("docker");
    QString image;                  ///< --image, Docker only
    QString templateName;           ///< --template, E2B only
    std::optional<int> timeoutMs;
    std::optional<qint64> memoryBytes;
    std::optional<double> cpus;
    std::optional<int> pids;
    std::optional<qint64> outputBytes;
    bool allowNetwork = false;
    QString mountDir;
    bool mountReview = false;       ///< --mount DIR:review: a copy comes back as a change set
    bool apply = false;             ///< --apply: write the review run's changes to the folder
    bool diff = false;              ///< --diff: print the text diffs of a review run
    QString stdinFile;
    QList<QPair<QString, QString>> env;
    bool json = false;
    bool raw = false;               ///< --raw: pass escape sequences to a terminal untouched
    QString runtime;                ///< --runtime runsc (gVisor)
    QString artifactsDir;           ///< --artifacts DIR: save what the program left in /workspace/out there
    bool force = false;             ///< --force: replace plain files already in the --artifacts folder
};

/// Options of `codecourier extract`.
struct ExtractOptions
{
    QString file;                   ///< path, "-" for stdin, empty = stdin
    bool json = false;
};

/// Options of `codecourier history`.
struct HistoryOptions
{
    enum class Action { List, Show, Rerun };
    Action action = Action::List;
    qint64 id = 0;                  ///< show and rerun: the run's id
    bool json = false;              ///< list and show
    int limit = 20;                 ///< list: newest N
    /// rerun: only the grants (--allow-network, --mount), --env, --json and --raw are read; a
    /// re-run gets its code, language, limits, backend and image from the record.
    RunOptions rerun;
};

/// What the command line asked for.
struct CommandLine
{
    enum class Command { Gui, Run, Doctor, Extract, History, Version, Help };
    Command command = Command::Gui;
    RunOptions run;
    ExtractOptions extract;
    HistoryOptions history;
    QString historyFile;            ///< --history-file PATH (run, history); empty = environment or default
    QString error;                  ///< non-empty: the arguments are wrong; say this and exit 125
    QStringList guiArguments;       ///< passed on to the GUI
    QString screenshotPath;         ///< --screenshot FILE: render the window to FILE and quit
    QString answerFile;             ///< --answer FILE: paste FILE into the AI answer panel at start
    bool runOnStart = false;        ///< --run: run the loaded code at start
    bool showTour = false;          ///< --tour: show the first-run tour even if it was seen
    bool helpForRun = false;        ///< `run --help`
    bool helpForExtract = false;    ///< `extract --help`
    bool helpForHistory = false;    ///< `history --help`

    /// Parses argv without the program name. Pure: no I/O, no exit().
    static CommandLine parse(const QStringList& arguments);
    static QString helpText();
    static QString runHelpText();
    static QString extractHelpText();
    static QString historyHelpText();
};

/// Parses "1048576", "512K", "10M", "1G" (binary units) into bytes; std::nullopt when invalid.
std::optional<qint64> parseByteSize(const QString& text);

} // namespace cc
