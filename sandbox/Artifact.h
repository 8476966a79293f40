#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace cc {

/// What an artifact's bytes are, judged from the bytes themselves (never from the name, which the
/// snippet chose): enough for a front end to pick a preview.
enum class ArtifactType {
    Text,   ///< valid UTF-8 without control characters other than tab, newline, CR and form feed
    Png,    ///< starts with the PNG signature
    Jpeg,   ///< starts with a JPEG SOI marker
    Svg,    ///< text whose first element is <svg> (possibly after an XML declaration or comments)
    Other,
};

/// "text", "png", "jpeg", "svg", "other": the stable names used in --json.
QString artifactTypeName(ArtifactType type);
ArtifactType detectArtifactType(const QByteArray& bytes);

/// A regular file the program left in /workspace/out, collected after the run. The bytes came
/// out of the sandbox: a front end shows them as data (escaped text, a decoded image), never runs
/// or interprets them.
struct Artifact
{
    QString path;                ///< relative to /workspace/out, checked by checkRelativePath()
    qint64 size = 0;             ///< == bytes.size()
    QByteArray bytes;
    ArtifactType type = ArtifactType::Other;
};

/// An entry of /workspace/out that was not collected (or not saved), and why.
struct RefusedArtifact
{
    QString path;                ///< as the sandbox named it, made printable (see printableName())
    QString reason;              ///< a sentence
};

/// What a backend collected from /workspace/out.
struct ArtifactCollection
{
    QList<Artifact> files;
    QList<RefusedArtifact> refused;   ///< at most kMaxRefusedListed; the note counts the rest
    QString note;                     ///< empty when nothing went wrong; else sentences saying what and why
    /// False when the listing or archive stopped early or refusals went unlisted: a name that is
    /// absent may still exist in the sandbox (a review run infers no deletion then).
    bool complete = true;
    /// Every folder the collection saw (relative, '/'-separated), named by an entry of its own or by
    /// an entry inside it: a review run tells from it which folders the program removed.
    QStringList folders;
};

/// Caps on what is collected (from Limits::artifactBytes and Limits::artifactFiles).
struct ArtifactCaps
{
    qint64 maxBytes = 0;
    int maxFiles = 0;
    /// The folder being collected, named in the sentences (a review run collects /workspace/host).
    const char* folder = "/workspace/out";
};

/// A hostile archive may hold any number of bad entries: the list stops here, the note counts.
inline constexpr int kMaxRefusedListed = 100;

/// A name from the sandbox, safe to print: invalid UTF-8 and control characters become \xNN,
/// and it is cut to 200 characters.
QString printableName(const QByteArray& raw);

/// The shared checks of an artifact's relative path as raw bytes: valid UTF-8, then
/// checkRelativePath(). Empty when acceptable, else a sentence.
QString checkArtifactPath(const QByteArray& raw);

} // namespace cc
