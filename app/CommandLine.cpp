#include "CommandLine.h"

#include "Language.h"

#include <QRegularExpression>
#include <cmath>

namespace cc {

std::optional<qint64> parseByteSize(const QString& text)
{
    static const QRegularExpression pattern(QStringLiteral("^\\s*(\\d+)\\s*([kKmMgG]?)(i?[bB])?\\s*$"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    bool ok = false;
    qint64 value = match.captured(1).toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    const QString unit = match.captured(2).toLower();
    const int shift = unit == QLatin1String("k") ? 10 : unit == QLatin1String("m") ? 20 : unit == QLatin1String("g") ? 30 : 0;
    if (value > (std::numeric_limits<qint64>::max() >> shift))
        return std::nullopt;
    return value << shift;
}

QString CommandLine::helpText()
{
    return QStringLiteral(
        "CodeCourier runs code an AI wrote in a disposable sandbox, with network and files off.\n"
        "\n"
        "Usage:\n"
        "  codecourier                 open the desktop app\n"
        "  codecourier run [FILE|-]    run a snippet in a sandbox (see codecourier run --help)\n"
        "  codecourier doctor          check the Docker engine, the images, the configuration and E2B\n"
        "  codecourier extract [FILE]  list the code blocks of an AI answer (see codecourier extract --help)\n"
        "  codecourier history         list, show and re-run recorded runs (see codecourier history --help)\n"
        "  codecourier --screenshot FILE [--answer ANSWER.md] [--run] [--tour]\n"
        "                              render the window (after loading an answer and running it) to FILE;\n"
        "                              a run that leaves files in /workspace/out shows its Artifacts tab\n"
        "  codecourier --tour          open the desktop app with the first-run tour, even if it was seen\n"
        "  codecourier --version       print the version\n"
        "  codecourier --help          print this help\n");
}

QString CommandLine::runHelpText()
{
    return QStringLiteral(
               "Usage: codecourier run [FILE|-] [options]\n"
               "\n"
               "Runs FILE (or standard input) in a fresh sandbox that is removed afterwards. Network and\n"
               "host files are off unless granted. Output streams live; a summary goes to stderr.\n"
               "\n"
               "Options:\n"
               "  --lang LANG           language: %1 (default: from FILE's extension)\n"
               "  --backend BACKEND     where to run: docker (this machine, default) or e2b (a remote E2B\n"
               "                        microVM; needs E2B_API_KEY, honours E2B_DOMAIN, E2B_API_URL and\n"
               "                        E2B_SANDBOX_URL)\n"
               "  --image IMAGE         container image (docker; default: the language's image setting)\n"
               "  --template NAME       sandbox template (e2b; default: the E2B template setting, \"base\").\n"
               "                        On E2B, memory and CPUs are the template's; --memory, --cpus and\n"
               "                        --pids do not apply there\n"
               "  --timeout SECONDS     wall-clock limit (default 10)\n"
               "  --memory MIB          memory limit in MiB, no swap (default 256)\n"
               "  --cpus N              CPU limit, e.g. 0.5 or 2 (default 1)\n"
               "  --pids N              process and thread limit (default 128)\n"
               "  --output-limit BYTES  stdout+stderr cap, e.g. 1048576 or 1M (default 1M)\n"
               "  --allow-network       grant network access for this run (a network of its own)\n"
               "  --mount DIR[:ro]      share DIR read-only at /workspace/host (e2b: a copy of its files,\n"
               "                        at most 50 MiB; nothing comes back)\n"
               "  --mount DIR:review    copy DIR's regular files (at most 50 MiB, 2000 files; on docker, with\n"
               "                        the snippet at most half the 64 MiB workspace) to a writable\n"
               "                        /workspace/host; after the run the files the program added,\n"
               "                        modified or deleted are listed on stderr (and in --json). Nothing\n"
               "                        is written to DIR without --apply\n"
               "  --apply               with DIR:review: write the changes to DIR. Each is refused (and\n"
               "                        reported) when the file changed in DIR during the run, when a link\n"
               "                        or special file stands in the way, or when the sandbox made it a link\n"
               "  --diff                with DIR:review: print the text diff of each changed text file\n"
               "  --stdin FILE          feed FILE to the program's standard input (default: empty)\n"
               "  --env KEY=VALUE       set an environment variable (repeatable); the host's are never passed\n"
               "  --runtime RUNTIME     Docker runtime, e.g. runsc for gVisor (default: the engine's)\n"
               "  --artifacts DIR       save the files the program wrote to /workspace/out under DIR (made if\n"
               "                        missing); links, special files, names that would leave DIR and\n"
               "                        files past the caps (16 MiB, 100 files) are refused, each with a reason\n"
               "  --force               with --artifacts: replace plain files already in DIR (by default an\n"
               "                        existing name is left alone and reported; links are never followed);\n"
               "                        with --apply: also replace files changed in DIR during the run\n"
               "  --json                print one JSON object with the result instead of streaming\n"
               "  --raw                 on a terminal, pass the output's escape sequences through untouched\n"
               "                        (by default only colours survive: no titles, clipboard writes,\n"
               "                        links, cursor movement or screen clearing)\n"
               "  --history-file PATH   record the run in PATH (default: $CODECOURIER_HISTORY, else\n"
               "                        $XDG_DATA_HOME/codecourier/history.sqlite)\n"
               "\n"
               "Exit status: the program's own; 124 time limit; 137 memory limit; 141 output limit;\n"
               "130 interrupted; 125 the sandbox could not run (engine down, image or template missing, API key\n"
               "rejected, bad arguments, an --artifacts folder that cannot be made). An artifact that is\n"
               "refused or not saved does not change it: it is reported on stderr (and in --json).\n")
        .arg(LanguageTable::namesForHelp());
}

QString CommandLine::extractHelpText()
{
    return QStringLiteral(
        "Usage: codecourier extract [FILE|-] [--json]\n"
        "\n"
        "Reads an AI answer (Markdown) from FILE or standard input and lists its code blocks: index,\n"
        "language, lines, whether CodeCourier can run it, and the block the app would offer first (*).\n"
        "Needs no Docker engine.\n"
        "\n"
        "Options:\n"
        "  --json                print {\"blocks\": [{\"language\", \"code\", \"runnable\", \"start_line\", \"info\"}],\n"
        "                        \"preselected\": INDEX} instead; INDEX is -1 when no block can run\n"
        "\n"
        "Exit status: 0; 125 when the answer cannot be read or the arguments are wrong.\n");
}

QString CommandLine::historyHelpText()
{
    return QStringLiteral(
        "Usage: codecourier history [--json] [--limit N]\n"
        "       codecourier history show ID [--json]\n"
        "       codecourier history rerun ID [--allow-network] [--mount DIR] [--env KEY=VALUE] [--json] [--raw]\n"
        "\n"
        "Every run, from the app or from `codecourier run`, is recorded when it starts and completed when\n"
        "it ends; a run whose process died shows as interrupted. The list is newest first: id, start time,\n"
        "language, backend, verdict (or running / interrupted), wall time, first line of the code.\n"
        "`show` prints everything about one run: limits, grants, the code and its output (the first\n"
        "256 KiB, marked when cut). `rerun` runs the same code, language, limits, backend and image again\n"
        "and records it as a new run; grants are off unless given again on this command line, and the\n"
        "values of --env variables are never stored, so give those again too.\n"
        "\n"
        "Options:\n"
        "  --json                list: a JSON array; show: one JSON object; rerun: as `run --json`.\n"
        "                        Bytes that are not UTF-8 appear as U+FFFD in the text field, and the\n"
        "                        exact bytes in a NAME_base64 field beside it\n"
        "  --limit N             list at most N runs (default 20)\n"
        "  --history-file PATH   the history file (default: $CODECOURIER_HISTORY, else\n"
        "                        $XDG_DATA_HOME/codecourier/history.sqlite)\n"
        "\n"
        "Exit status: 0; for rerun, as for run; 125 when the history cannot be read, the ID is unknown or\n"
        "the arguments are wrong.\n");
}

namespace {

/// Splits "--key=value" and "--key value" forms; returns false on a missing value.
bool takeValue(const QStringList& args, int& i, const QString& name, QString& value, QString& error)
{
    const QString& arg = args.at(i);
    if (arg.startsWith(name + QLatin1Char('='))) {
        value = arg.mid(name.size() + 1);
        return true;
    }
    if (i + 1 >= args.size()) {
        error = QStringLiteral("%1 needs a value.").arg(name);
        return false;
    }
    value = args.at(++i);
    return true;
}

bool matchesOption(const QString& arg, const QString& name)
{
    return arg == name || arg.startsWith(name + QLatin1Char('='));
}

/// --history-file PATH, which `run` and every `history` command take.
bool parseHistoryFile(const QStringList& args, int& i, CommandLine& cl)
{
    if (!matchesOption(args.at(i), QStringLiteral("--history-file")))
        return false;
    QString value;
    if (takeValue(args, i, QStringLiteral("--history-file"), value, cl.error) && value.isEmpty())
        cl.error = QStringLiteral("--history-file needs a path.");
    cl.historyFile = value;
    return true;
}

/// The options `run` and `history rerun` share: output form, grants, environment and the history
/// file. Returns false when args[i] is none of them (i unchanged then).
bool parseSharedRunOption(const QStringList& args, int& i, CommandLine& cl, RunOptions& o)
{
    static const QRegularExpression envKey(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    const QString& arg = args.at(i);
    QString value;
    auto need = [&](const char* name) { return takeValue(args, i, QLatin1String(name), value, cl.error); };
    if (arg == QLatin1String("--json")) {
        o.json = true;
    } else if (arg == QLatin1String("--raw")) {
        o.raw = true;
    } else if (arg == QLatin1String("--allow-network")) {
        o.allowNetwork = true;
    } else if (matchesOption(arg, QStringLiteral("--mount"))) {
        if (!need("--mount"))
            return true;
        // DIR:review copies the folder in and brings the changes back; DIR:ro (or plain DIR) mounts it read-only.
        o.mountReview = false;
        if (value.endsWith(QLatin1String(":review"))) {
            o.mountReview = true;
            value.chop(7);
        } else if (value.endsWith(QLatin1String(":ro"))) {
            value.chop(3);
        }
        if (value.isEmpty())
            cl.error = QStringLiteral("--mount needs a folder (DIR, DIR:ro or DIR:review).");
        o.mountDir = value;
    } else if (matchesOption(arg, QStringLiteral("--env"))) {
        if (!need("--env"))
            return true;
        const qsizetype eq = value.indexOf(QLatin1Char('='));
        const QString key = eq < 0 ? value : value.left(eq);
        if (eq < 0 || !envKey.match(key).hasMatch())
            cl.error = QStringLiteral("--env takes KEY=VALUE with a name of letters, digits and _, not \"%1\".").arg(value);
        else
            o.env.append({key, value.mid(eq + 1)});
    } else {
        return parseHistoryFile(args, i, cl);
    }
    return true;
}

void parseRun(const QStringList& args, CommandLine& cl)
{
    RunOptions& o = cl.run;
    bool fileSeen = false;
    for (int i = 0; i < args.size() && cl.error.isEmpty(); ++i) {
        const QString& arg = args.at(i);
        QString value;
        auto need = [&](const char* name) { return takeValue(args, i, QLatin1String(name), value, cl.error); };
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            cl.command = CommandLine::Command::Help;
            cl.helpForRun = true;
            return;
        } else if (parseSharedRunOption(args, i, cl, o)) {
            continue;
        } else if (arg == QLatin1String("--force")) {
            o.force = true;
        } else if (arg == QLatin1String("--apply")) {
            o.apply = true;
        } else if (arg == QLatin1String("--diff")) {
            o.diff = true;
        } else if (matchesOption(arg, QStringLiteral("--artifacts"))) {
            if (need("--artifacts") && value.isEmpty())
                cl.error = QStringLiteral("--artifacts needs a folder.");
            o.artifactsDir = value;
        } else if (matchesOption(arg, QStringLiteral("--lang"))) {
            if (!need("--lang"))
                break;
            const Language* lang = LanguageTable::find(value);
            if (!lang)
                cl.error = QStringLiteral("Unknown language \"%1\": use one of %2.").arg(value, LanguageTable::namesForHelp());
            else
                o.language = lang->name;
        } else if (matchesOption(arg, QStringLiteral("--backend"))) {
            if (!need("--backend"))
                break;
            if (value != QLatin1String("docker") && value != QLatin1String("e2b"))
                cl.error = QStringLiteral("Unknown backend \"%1\": use docker or e2b.").arg(value);
            o.backend = value;
        } else if (matchesOption(arg, QStringLiteral("--template"))) {
            if (need("--template") && value.trimmed().isEmpty())
                cl.error = QStringLiteral("--template needs a template name.");
            o.templateName = value.trimmed();
        } else if (matchesOption(arg, QStringLiteral("--image"))) {
            if (need("--image") && value.trimmed().isEmpty())
                cl.error = QStringLiteral("--image needs an image name.");
            o.image = value.trimmed();
        } else if (matchesOption(arg, QStringLiteral("--timeout"))) {
            if (!need("--timeout"))
                break;
            bool ok = false;
            const double seconds = value.toDouble(&ok);
            if (!ok || !std::isfinite(seconds) || seconds < 0.1 || seconds > 86400)
                cl.error = QStringLiteral("--timeout takes seconds between 0.1 and 86400, not \"%1\".").arg(value);
            else
                o.timeoutMs = int(std::lround(seconds * 1000));
        } else if (matchesOption(arg, QStringLiteral("--memory"))) {
            if (!need("--memory"))
                break;
            bool ok = false;
            const qint64 mib = value.toLongLong(&ok);
            if (!ok || mib < 6 || mib > 65536)
                cl.error = QStringLiteral("--memory takes MiB between 6 and 65536, not \"%1\".").arg(value);
            else
                o.memoryBytes = mib * 1024 * 1024;
        } else if (matchesOption(arg, QStringLiteral("--cpus"))) {
            if (!need("--cpus"))
                break;
            bool ok = false;
            const double cpus = value.toDouble(&ok);
            if (!ok || !std::isfinite(cpus) || cpus < 0.01 || cpus > 256)
                cl.error = QStringLiteral("--cpus takes a number between 0.01 and 256, not \"%1\".").arg(value);
            else
                o.cpus = cpus;
        } else if (matchesOption(arg, QStringLiteral("--pids"))) {
            if (!need("--pids"))
                break;
            bool ok = false;
            const int pids = value.toInt(&ok);
            if (!ok || pids < 8 || pids > 100000)
                cl.error = QStringLiteral("--pids takes a number between 8 and 100000, not \"%1\".").arg(value);
            else
                o.pids = pids;
        } else if (matchesOption(arg, QStringLiteral("--output-limit"))) {
            if (!need("--output-limit"))
                break;
            const auto bytes = parseByteSize(value);
            if (!bytes || *bytes < 1 || *bytes > 1024LL * 1024 * 1024)
                cl.error = QStringLiteral("--output-limit takes bytes between 1 and 1G (e.g. 1048576 or 1M), not \"%1\".").arg(value);
            else
                o.outputBytes = *bytes;
        } else if (matchesOption(arg, QStringLiteral("--stdin"))) {
            if (need("--stdin") && value.isEmpty())
                cl.error = QStringLiteral("--stdin needs a file.");
            o.stdinFile = value;
        } else if (matchesOption(arg, QStringLiteral("--runtime"))) {
            if (!need("--runtime"))
                break;
            static const QRegularExpression runtimeName(QStringLiteral("^[A-Za-z0-9_.-]+$"));
            if (!runtimeName.match(value).hasMatch())
                cl.error = QStringLiteral("--runtime takes a runtime name such as runsc, not \"%1\".").arg(value);
            o.runtime = value;
        } else if (arg.startsWith(QLatin1String("--")) && arg != QLatin1String("--")) {
            cl.error = QStringLiteral("Unknown option %1 for run: see codecourier run --help.").arg(arg);
        } else {
            if (fileSeen) {
                cl.error = QStringLiteral("run takes one FILE, but \"%1\" came after \"%2\".").arg(arg, o.file);
                break;
            }
            fileSeen = true;
            o.file = arg;
        }
    }
    if (cl.error.isEmpty() && (o.apply || o.diff) && !o.mountReview)
        cl.error = QStringLiteral("%1 works on the changes of a review run: share the folder with --mount DIR:review.")
                       .arg(o.apply ? QStringLiteral("--apply") : QStringLiteral("--diff"));
    if (cl.error.isEmpty() && o.force && o.artifactsDir.isEmpty() && !o.apply)
        cl.error = QStringLiteral("--force replaces files in the --artifacts folder, or with --apply files changed in "
                                  "the reviewed folder: give --artifacts DIR or --apply too.");
    // Options of one backend given to the other would be silently ignored: say so instead.
    if (cl.error.isEmpty() && o.backend == QLatin1String("docker") && !o.templateName.isEmpty())
        cl.error = QStringLiteral("--template names an E2B template: use it with --backend e2b (Docker takes --image).");
    if (cl.error.isEmpty() && o.backend == QLatin1String("e2b") && !o.image.isEmpty())
        cl.error = QStringLiteral("--image names a Docker image: with --backend e2b, choose a template with --template.");
    if (cl.error.isEmpty() && o.backend == QLatin1String("e2b") && !o.runtime.isEmpty())
        cl.error = QStringLiteral("--runtime picks a Docker runtime; E2B sandboxes are microVMs, so it does not apply "
                                  "to --backend e2b.");
    if (cl.error.isEmpty() && o.language.isEmpty()) {
        const Language* lang = o.file.isEmpty() || o.file == QLatin1String("-") ? nullptr : LanguageTable::forFileName(o.file);
        if (lang)
            o.language = lang->name;
        else
            cl.error = QStringLiteral("Cannot tell the language of %1: pass --lang (%2).")
                           .arg(o.file.isEmpty() || o.file == QLatin1String("-") ? QStringLiteral("standard input")
                                                                                 : o.file,
                                LanguageTable::namesForHelp());
    }
}

void parseExtract(const QStringList& args, CommandLine& cl)
{
    ExtractOptions& o = cl.extract;
    bool fileSeen = false;
    for (const QString& arg : args) {
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            cl.command = CommandLine::Command::Help;
            cl.helpForExtract = true;
            return;
        } else if (arg == QLatin1String("--json")) {
            o.json = true;
        } else if (arg.startsWith(QLatin1String("--"))) {
            cl.error = QStringLiteral("Unknown option %1 for extract: see codecourier extract --help.").arg(arg);
            return;
        } else if (fileSeen) {
            cl.error = QStringLiteral("extract takes one FILE, but \"%1\" came after \"%2\".").arg(arg, o.file);
            return;
        } else {
            fileSeen = true;
            o.file = arg;
        }
    }
}

void parseHistory(const QStringList& args, CommandLine& cl)
{
    HistoryOptions& o = cl.history;
    int i = 0;
    if (!args.isEmpty() && (args.first() == QLatin1String("show") || args.first() == QLatin1String("rerun"))) {
        o.action = args.first() == QLatin1String("show") ? HistoryOptions::Action::Show : HistoryOptions::Action::Rerun;
        const QString verb = args.first();
        bool ok = false;
        const qint64 id = args.size() > 1 ? args.at(1).toLongLong(&ok) : 0;
        if (!ok || id <= 0) {
            cl.error = args.size() > 1 && !args.at(1).startsWith(QLatin1String("--"))
                           ? QStringLiteral("history %1 takes a run's number, not \"%2\": see codecourier history.")
                                 .arg(verb, args.at(1))
                           : QStringLiteral("history %1 needs the number of a run: see codecourier history.").arg(verb);
            return;
        }
        o.id = id;
        i = 2;
    }
    for (; i < args.size() && cl.error.isEmpty(); ++i) {
        const QString& arg = args.at(i);
        QString value;
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            cl.command = CommandLine::Command::Help;
            cl.helpForHistory = true;
            return;
        }
        if (o.action == HistoryOptions::Action::Rerun) {
            if (parseSharedRunOption(args, i, cl, o.rerun))
                continue;
        } else if (arg == QLatin1String("--json")) {
            o.json = true;
            continue;
        } else if (parseHistoryFile(args, i, cl)) {
            continue;
        } else if (o.action == HistoryOptions::Action::List && matchesOption(arg, QStringLiteral("--limit"))) {
            if (!takeValue(args, i, QStringLiteral("--limit"), value, cl.error))
                break;
            bool ok = false;
            o.limit = value.toInt(&ok);
            if (!ok || o.limit < 1 || o.limit > 100000)
                cl.error = QStringLiteral("--limit takes a number between 1 and 100000, not \"%1\".").arg(value);
            continue;
        }
        cl.error = arg.startsWith(QLatin1String("--"))
                       ? QStringLiteral("Unknown option %1 for history: see codecourier history --help.").arg(arg)
                       : QStringLiteral("Unexpected \"%1\" after history: see codecourier history --help.").arg(arg);
    }
}

} // namespace

CommandLine CommandLine::parse(const QStringList& arguments)
{
    CommandLine cl;
    if (arguments.isEmpty())
        return cl;
    const QString first = arguments.first();
    if (first == QLatin1String("--version") || first == QLatin1String("-v")) {
        cl.command = Command::Version;
    } else if (first == QLatin1String("--help") || first == QLatin1String("-h") || first == QLatin1String("help")) {
        cl.command = Command::Help;
    } else if (first == QLatin1String("run")) {
        cl.command = Command::Run;
        parseRun(arguments.mid(1), cl);
    } else if (first == QLatin1String("extract")) {
        cl.command = Command::Extract;
        parseExtract(arguments.mid(1), cl);
    } else if (first == QLatin1String("history")) {
        cl.command = Command::History;
        parseHistory(arguments.mid(1), cl);
    } else if (first == QLatin1String("doctor")) {
        cl.command = Command::Doctor;
        if (arguments.size() > 1)
            cl.error = QStringLiteral("doctor takes no arguments.");
    } else if (first.startsWith(QLatin1Char('-'))) {
        cl.command = Command::Gui;
        for (int i = 0; i < arguments.size() && cl.error.isEmpty(); ++i) {
            const QString& arg = arguments.at(i);
            QString value;
            if (matchesOption(arg, QStringLiteral("--screenshot"))) {
                if (takeValue(arguments, i, QStringLiteral("--screenshot"), value, cl.error))
                    cl.screenshotPath = value;
            } else if (matchesOption(arg, QStringLiteral("--answer"))) {
                if (takeValue(arguments, i, QStringLiteral("--answer"), value, cl.error))
                    cl.answerFile = value;
            } else if (arg == QLatin1String("--run")) {
                cl.runOnStart = true;
            } else if (arg == QLatin1String("--tour")) {
                cl.showTour = true;
            } else {
                // Qt's own GUI options (-platform, -style ...) pass through to the app.
                cl.guiArguments << arg;
            }
        }
    } else {
        cl.command = Command::Help;
        cl.error = QStringLiteral("Unknown command \"%1\": see codecourier --help.").arg(first);
    }
    return cl;
}

} // namespace cc
