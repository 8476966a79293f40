#pragma once

// Helpers for tests that run the built codecourier binary as a script would.

#include <QByteArray>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace cc::test {

/// What one run of the binary gave back; status -1 when it did not exit normally.
struct CliResult
{
    int status = -1;
    QByteArray out;
    QByteArray err;
};

/// Runs binary with args, input on its stdin (then closed), in env (empty: this process's).
inline CliResult runCli(const QString& binary, const QStringList& args, const QByteArray& input = {},
                        const QProcessEnvironment& env = {}, int timeoutMs = 120'000)
{
    QProcess process;
    if (!env.isEmpty())
        process.setProcessEnvironment(env);
    process.start(binary, args);
    if (!process.waitForStarted())
        return {};
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(timeoutMs);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            process.readAllStandardError()};
}

/// Writes content to path; returns path, or an empty string when it could not be written.
inline QString writeTestFile(const QString& path, const QByteArray& content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        return {};
    return path;
}

} // namespace cc::test
