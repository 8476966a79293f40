#pragma once

// Small file helpers shared by the tests of the host-folder features (snapshots, change sets,
// applying changes, review runs).

#include "Artifact.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMap>

namespace cc::test {

/// Writes a file, creating its folders; false on any error.
inline bool makeTestFile(const QString& path, const QByteArray& content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

/// The file's bytes, or "<missing>".
inline QByteArray readTestFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

/// Every entry below dir, by relative path: a file's bytes, "<folder>" or "<link>" (links are not
/// followed). Enough to show that a folder was left exactly as it was, or holds exactly this.
inline QMap<QString, QByteArray> folderTree(const QString& dir)
{
    QMap<QString, QByteArray> all;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info = it.fileInfo();
        all.insert(QDir(dir).relativeFilePath(path), info.isSymLink() ? QByteArray("<link>")
                                                     : info.isDir()   ? QByteArray("<folder>")
                                                                      : readTestFile(path));
    }
    return all;
}

/// An artifact as a collector would have made it.
inline Artifact testArtifact(const QString& path, const QByteArray& bytes)
{
    Artifact a;
    a.path = path;
    a.size = bytes.size();
    a.bytes = bytes;
    a.type = detectArtifactType(bytes);
    return a;
}

} // namespace cc::test
