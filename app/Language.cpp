#include "Language.h"

#include <QFileInfo>

namespace cc {

const QList<Language>& LanguageTable::all()
{
    static const QList<Language> table{
        // -u: unbuffered, so that output streams live instead of arriving at exit.
        {QStringLiteral("python"), QStringLiteral("Python 3"),
         {QStringLiteral("py"), QStringLiteral("python3"), QStringLiteral("py3")},
         {QStringLiteral("py")}, QStringLiteral("main.py"),
         {QStringLiteral("python3"), QStringLiteral("-u"), QStringLiteral("main.py")},
         QString::fromLatin1(kDefaultRunnerImage), QStringLiteral("python")},
        {QStringLiteral("node"), QStringLiteral("JavaScript (Node.js)"),
         {QStringLiteral("js"), QStringLiteral("javascript"), QStringLiteral("nodejs"), QStringLiteral("mjs"),
          QStringLiteral("cjs")},
         {QStringLiteral("js"), QStringLiteral("mjs"), QStringLiteral("cjs")}, QStringLiteral("main.js"),
         {QStringLiteral("node"), QStringLiteral("main.js")},
         QString::fromLatin1(kDefaultRunnerImage), QStringLiteral("javascript")},
        {QStringLiteral("bash"), QStringLiteral("Bash"),
         {QStringLiteral("sh"), QStringLiteral("shell"), QStringLiteral("zsh"), QStringLiteral("console"),
          QStringLiteral("shellscript")},
         {QStringLiteral("sh"), QStringLiteral("bash")}, QStringLiteral("main.sh"),
         {QStringLiteral("bash"), QStringLiteral("main.sh")},
         QString::fromLatin1(kDefaultRunnerImage), QStringLiteral("bash")},
    };
    return table;
}

const Language* LanguageTable::find(const QString& nameOrAlias)
{
    const QString key = nameOrAlias.trimmed().toLower();
    if (key.isEmpty())
        return nullptr;
    for (const Language& language : all()) {
        if (language.name == key || language.aliases.contains(key))
            return &language;
    }
    return nullptr;
}

const Language* LanguageTable::forFileName(const QString& fileName)
{
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (suffix.isEmpty())
        return nullptr;
    for (const Language& language : all()) {
        if (language.extensions.contains(suffix))
            return &language;
    }
    return nullptr;
}

QString LanguageTable::namesForHelp()
{
    QStringList names;
    for (const Language& language : all())
        names << language.name;
    return names.join(QStringLiteral(", "));
}

} // namespace cc
