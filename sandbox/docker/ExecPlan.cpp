#include "ExecPlan.h"

#include "RelativePath.h"

namespace cc::docker {

namespace {

// The fixed script. Its arguments are a list of operations:
//   outdir       create /workspace/out, where the program leaves its artifacts
//   dir PATH     create the folder PATH (relative to /workspace), for a review copy's empty folders
//   file PATH    start PATH (relative to /workspace) empty
//   append PATH  continue PATH (a file begun by an earlier exec)
//   data B64     append the decoded bytes to the current file
//   stdin        start the stdin file empty (then data ops fill it)
//   use-stdin    the program's stdin is the stdin file (which is unlinked once open)
//   exec ARGV…   replace this shell with the program
// The script never interprets an argument as code: every value is a quoted positional.
const char* const kScript = R"SH(fail() { echo "codecourier: the sandbox could not receive the file $1" >&2; exit 125; }
s=
while [ $# -gt 0 ]; do
  op=$1; shift
  case $op in
    outdir) mkdir -p out || fail out;;
    dir) mkdir -p -- "$1" || fail "$1"; shift;;
    file) p=$1; shift
          case $p in */*) mkdir -p -- "${p%/*}" || fail "$p";; esac
          : > "$p" || fail "$p";;
    append) p=$1; shift;;
    data) printf %s "$1" | base64 -d >> "$p" || fail "$p"; shift;;
    stdin) p=/tmp/.codecourier-stdin; : > "$p" || fail stdin;;
    use-stdin) s=1;;
    exec) break;;
    *) fail "(unknown operation)";;
  esac
done
[ $# -gt 0 ] || exit 0
if [ -n "$s" ]; then exec < /tmp/.codecourier-stdin; rm -f /tmp/.codecourier-stdin; fi
exec "$@"
)SH";

QStringList scriptPrefix()
{
    return {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QString::fromLatin1(kScript), QStringLiteral("codecourier")};
}

// What execve counts against its limits: the UTF-8 bytes of each element and its NUL, not QChars.
qsizetype argBytes(const QStringList& args)
{
    qsizetype total = 0;
    for (const QString& a : args)
        total += a.toUtf8().size() + 1;
    return total;
}

} // namespace

QString checkWorkspacePath(const QString& relativePath)
{
    if (QString problem = checkRelativePath(relativePath); !problem.isEmpty())
        return problem;
    const QStringList parts = relativePath.split(QLatin1Char('/'));
    // The host folder's mount point is read-only; writing there would fail in a confusing way.
    if (parts.first() == QLatin1String("host"))
        return QStringLiteral("The file name \"%1\" is inside host/, which is reserved for the granted folder.").arg(relativePath);
    if (relativePath == QLatin1String("out"))
        return QStringLiteral("The file name \"out\" is reserved: /workspace/out is the folder for the program's "
                              "artifacts (files inside it, such as out/data.csv, are fine).");
    return {};
}

ExecPlan planExecs(const RunSpec& spec, qsizetype argBudget, qsizetype chunkSize, const FolderSnapshot* hostCopy)
{
    // Operations in order; each is one or two argv elements, and knows how to resume its file.
    struct Op
    {
        QStringList args;
        QStringList resume;  // what a new exec must say first to keep writing the same file
    };
    QList<Op> ops;
    // The artifacts folder exists, owned by the sandbox user, before the program starts.
    ops.append({{QStringLiteral("outdir")}, {}});
    auto addContent = [&](const QStringList& start, const QString& path, const QByteArray& content) {
        const QStringList resume{QStringLiteral("append"), path};
        ops.append({start, resume});
        const qsizetype rawChunk = (chunkSize / 4) * 3;  // base64 grows by 4/3
        for (qsizetype pos = 0; pos < content.size(); pos += rawChunk)
            ops.append({{QStringLiteral("data"), QString::fromLatin1(content.mid(pos, rawChunk).toBase64())}, resume});
    };
    if (hostCopy) {
        // The review copy, under host/ (which checkWorkspacePath keeps the snippet's own files out of).
        const QString root = QStringLiteral("host");
        ops.append({{QStringLiteral("dir"), root}, {}});
        for (const QString& folder : hostCopy->folders)
            ops.append({{QStringLiteral("dir"), root + QLatin1Char('/') + folder}, {}});
        for (const FolderSnapshot::File& file : hostCopy->files) {
            const QString path = root + QLatin1Char('/') + file.path;
            addContent({QStringLiteral("file"), path}, path, file.bytes);
        }
    }
    for (const SandboxFile& file : spec.files)
        addContent({QStringLiteral("file"), file.relativePath}, file.relativePath, file.content);
    if (spec.hasStdin)
        addContent({QStringLiteral("stdin")}, QStringLiteral("/tmp/.codecourier-stdin"), spec.stdinData);

    QStringList tail;
    if (spec.hasStdin)
        tail << QStringLiteral("use-stdin");
    tail << QStringLiteral("exec") << spec.command;

    ExecPlan plan;
    QStringList current = scriptPrefix();
    const qsizetype fixed = argBytes(current);
    const qsizetype tailBytes = argBytes(tail);
    qsizetype currentBytes = fixed;  // kept as a running sum: each element is measured once
    for (const Op& op : ops) {
        const qsizetype opBytes = argBytes(op.args);
        if (currentBytes > fixed && currentBytes + opBytes + tailBytes > argBudget) {
            plan.deliveryExecs.append(current);
            current = scriptPrefix();
            currentBytes = fixed;
            if (op.args.first() == QLatin1String("data")) {
                current << op.resume;
                currentBytes += argBytes(op.resume);
            }
        }
        current << op.args;
        currentBytes += opBytes;
    }
    plan.runExec = current + tail;
    return plan;
}

} // namespace cc::docker
