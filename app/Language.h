#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace cc {

/// One runnable language: how it is named, how its snippet is stored and started, which image
/// runs it by default and which editor lexer shows it. Adding a language is adding a row to
/// LanguageTable's table.
struct Language
{
    QString name;               ///< canonical: "python", "node", "bash"
    QString displayName;        ///< "Python 3"
    QStringList aliases;        ///< names an AI answer or a user might use ("py", "js", "sh")
    QStringList extensions;     ///< file extensions without the dot
    QString fileName;           ///< name of the snippet inside /workspace
    QStringList command;        ///< argv that runs fileName, in /workspace
    QString defaultImage;       ///< the runner image built by packaging/images/build-images.sh
    QString lexer;              ///< QScintilla lexer: "python", "javascript", "bash"
};

/// The table of languages CodeCourier can run.
class LanguageTable
{
public:
    static const QList<Language>& all();
    /// By canonical name or alias, case-insensitive; nullptr when unknown.
    static const Language* find(const QString& nameOrAlias);
    /// By a file's extension ("x.py" → python); nullptr when unknown.
    static const Language* forFileName(const QString& fileName);
    /// The canonical names, for help texts: "python, node, bash".
    static QString namesForHelp();
};

/// The image every built-in language uses unless a setting or --image says otherwise.
inline constexpr const char* kDefaultRunnerImage = "codecourier/runner:bookworm-1";

} // namespace cc
