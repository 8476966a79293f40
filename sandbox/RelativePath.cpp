#include "RelativePath.h"

#include <QStringList>

namespace cc {

namespace {

bool isControl(QChar c)
{
    const char16_t u = c.unicode();
    return u < 0x20 || u == 0x7f || (u >= 0x80 && u <= 0x9f);
}

} // namespace

QString checkRelativePath(const QString& relativePath)
{
    if (relativePath.isEmpty())
        return QStringLiteral("A file name is empty.");
    if (relativePath.startsWith(QLatin1Char('/')))
        return QStringLiteral("The file name \"%1\" is absolute; it must be relative to the workspace.").arg(relativePath);
    for (QChar c : relativePath)
        if (isControl(c))
            return QStringLiteral("A file name contains control characters.");
    if (relativePath.toUtf8().size() > 4096)
        return QStringLiteral("A file name is longer than 4096 bytes.");
    const QStringList parts = relativePath.split(QLatin1Char('/'));
    for (const QString& part : parts) {
        if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String(".."))
            return QStringLiteral("The file name \"%1\" has an empty, \".\" or \"..\" part.").arg(relativePath);
        if (part.toUtf8().size() > 255)
            return QStringLiteral("A part of the file name \"%1\" is longer than 255 bytes.").arg(relativePath);
    }
    return {};
}

QStringList parentFolders(const QString& relativePath)
{
    QStringList folders;
    for (qsizetype slash = relativePath.indexOf(QLatin1Char('/')); slash >= 0;
         slash = relativePath.indexOf(QLatin1Char('/'), slash + 1))
        folders << relativePath.left(slash);
    return folders;
}

} // namespace cc
