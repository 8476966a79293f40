#pragma once

// Small file helpers shared by the tests of the host-folder features (snapshots, change sets,
// applying changes, review runs).

#include "Artifact.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

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
