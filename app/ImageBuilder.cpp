#include "ImageBuilder.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <csignal>
#include <unistd.h>

namespace cc {

namespace {
const QRegularExpression kStage(QStringLiteral("^build-images: \\[(\\d+)/(\\d+)\\]\\s*(.*)$"));
// The recipe's family only (see build-images.sh --image): anything else it would mislabel.
const QRegularExpression kBuildable(QStringLiteral("^codecourier/runner:[A-Za-z0-9_.-]{1,128}$"));
constexpr int kGraceMs = 5'000;
} // namespace

ImageBuilder::ImageBuilder(QString scriptPath, QObject* parent) : QObject(parent), m_scriptPath(std::move(scriptPath))
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    // Its own session and process group: Cancel signals the group, which reaches debootstrap and
    // docker import too, and a terminal's Ctrl+C aimed at the app does not reach the build.
    m_process.setChildProcessModifier([] { ::setsid(); });
    m_killTimer.setSingleShot(true);
    m_killTimer.setInterval(kGraceMs);
    connect(&m_killTimer, &QTimer::timeout, this, [this] { signalGroup(SIGKILL); });
    connect(&m_process, &QProcess::readyRead, this, &ImageBuilder::readOutput);
    connect(&m_process, &QProcess::finished, this, &ImageBuilder::onFinished);
    // Queued: QProcess may report a start failure from inside start() (no program, a failed fork),
    // before the caller has even shown that a build began; finished() must come after that.
    connect(
        &m_process, &QProcess::errorOccurred, this,
        [this](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart)
                onFinished(-1, QProcess::CrashExit);
        },
        Qt::QueuedConnection);
}

ImageBuilder::~ImageBuilder()
{
    if (isRunning()) {
        // The window is going away: no half-built tree may keep running behind it.
        m_process.closeWriteChannel();
        signalGroup(SIGKILL);
        m_process.waitForFinished(1'000);
    }
}

QString ImageBuilder::defaultScriptPath()
{
    const QString installed = QDir(QCoreApplication::applicationDirPath())
                                  .absoluteFilePath(QStringLiteral("../share/codecourier/images/build-images.sh"));
    if (QFileInfo(installed).isFile())
        return QDir::cleanPath(installed);
    return QStringLiteral(CODECOURIER_SOURCE_DIR "/packaging/images/build-images.sh");
}

bool ImageBuilder::canBuild(const QString& image)
{
    return kBuildable.match(image).hasMatch();
}

bool ImageBuilder::needsElevation() const
{
    return ::geteuid() != 0;
}

QString ImageBuilder::unavailableReason() const
{
    const QFileInfo script(m_scriptPath);
    if (!script.isFile() || !script.isExecutable())
        return tr("The image build script is missing or not executable: %1. Set its path in Settings, or build the "
                  "image in a terminal with packaging/images/build-images.sh.")
            .arg(m_scriptPath);
    if (needsElevation() && QStandardPaths::findExecutable(QStringLiteral("pkexec")).isEmpty())
        return tr("Building an image needs root, and pkexec (polkit) is not installed to ask for it. Install it with "
                  "`sudo apt install pkexec`, or run `sudo %1` in a terminal.")
            .arg(script.absoluteFilePath());
    return {};
}

QStringList ImageBuilder::commandLine(const QString& image) const
{
    QStringList argv{QFileInfo(m_scriptPath).absoluteFilePath(), QStringLiteral("--image"), image,
                     QStringLiteral("--stop-on-eof")};
    // pkexec wants an absolute path and runs the script as root after asking for the password.
    if (needsElevation())
        argv.prepend(QStringLiteral("pkexec"));
    return argv;
}

bool ImageBuilder::start(const QString& image)
{
    if (isRunning() || !canBuild(image) || !unavailableReason().isEmpty())
        return false;
    m_image = image;
    m_cancelled = false;
    m_partialLine.clear();
    m_lastError.clear();
    const QStringList argv = commandLine(image);
    m_process.start(argv.first(), argv.mid(1), QIODevice::ReadWrite);
    // The process leads its own group (setsid), so its pid is the group's id; kept for a kill after it is reaped.
    m_groupId = m_process.processId();
    return true;
}

void ImageBuilder::cancel()
{
    if (!isRunning())
        return;
    m_cancelled = true;
    // Through pkexec the script runs as root and a signal from here is refused: the script ends
    // itself when its stdin closes (--stop-on-eof). As root, the signal is quicker.
    m_process.closeWriteChannel();
    signalGroup(SIGTERM);
    m_killTimer.start();
}

void ImageBuilder::signalGroup(int signal)
{
    if (m_groupId > 0)
        ::kill(-pid_t(m_groupId), signal);
}

void ImageBuilder::readOutput()
{
    m_partialLine += m_process.readAll();
    qsizetype newline;
    while ((newline = m_partialLine.indexOf('\n')) >= 0) {
        handleLine(QString::fromUtf8(m_partialLine.left(newline)).trimmed());
        m_partialLine.remove(0, newline + 1);
    }
}

void ImageBuilder::handleLine(const QString& line)
{
    emit logLine(line);
    const QRegularExpressionMatch stage = kStage.match(line);
    if (stage.hasMatch())
        emit progress(stage.captured(1).toInt(), stage.captured(2).toInt(), stage.captured(3));
    else if (line.startsWith(QLatin1String("build-images: ")))
        m_lastError = line.mid(14);
}

void ImageBuilder::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_killTimer.stop();
    if (!m_partialLine.isEmpty()) {
        handleLine(QString::fromUtf8(m_partialLine).trimmed());
        m_partialLine.clear();
    }
    // A cancelled build's stragglers (a child that ignored TERM) go with it. Only then: the
    // group of a build that ended by itself is empty and its id may be reused.
    if (m_cancelled)
        signalGroup(SIGKILL);
    m_groupId = 0;
    if (m_cancelled) {
        emit finished(Outcome::Cancelled, tr("The build of %1 was cancelled; nothing was imported.").arg(m_image));
        return;
    }
    if (m_process.error() == QProcess::FailedToStart && status == QProcess::CrashExit && exitCode == -1) {
        emit finished(Outcome::Failed, tr("The build could not start: %1.").arg(m_process.errorString()));
        return;
    }
    if (status == QProcess::NormalExit && exitCode == 0) {
        emit finished(Outcome::Built, tr("%1 is ready.").arg(m_image));
        return;
    }
    if (needsElevation() && (exitCode == 126 || exitCode == 127) && m_lastError.isEmpty()) {
        emit finished(Outcome::Failed, tr("The build needs root and the password prompt was dismissed or refused "
                                          "(pkexec exit %1). Try again, or run the script with sudo in a terminal.")
                                           .arg(exitCode));
        return;
    }
    const QString why = status == QProcess::CrashExit ? tr("the script was killed")
                        : m_lastError.isEmpty()       ? tr("the script exited with status %1").arg(exitCode)
                                                      : m_lastError;
    emit finished(Outcome::Failed, tr("The build of %1 failed: %2. The log above has the details.").arg(m_image, why));
}

} // namespace cc
