#pragma once

#include <QObject>
#include <QProcess>
#include <QTimer>

namespace cc {

/// Builds a sandbox runner image with packaging/images/build-images.sh, the same recipe a person
/// runs by hand. The script needs root (debootstrap): as root it runs directly, otherwise through
/// pkexec, which asks for the password in a polkit dialog. Always a fixed argv, never a shell
/// string. The script runs in a session of its own so that Cancel ends it and everything it
/// started (debootstrap, tar, docker import). Signals arrive in the thread that created it.
class ImageBuilder : public QObject
{
    Q_OBJECT
public:
    enum class Outcome { Built, Failed, Cancelled };
    Q_ENUM(Outcome)

    /// scriptPath: the build script (a setting; tests point it at a fake one).
    explicit ImageBuilder(QString scriptPath, QObject* parent = nullptr);
    ~ImageBuilder() override;

    /// The script next to an installed binary (../share/codecourier/images), else the one in the source tree.
    static QString defaultScriptPath();
    /// Whether the script's recipe makes this image: it only makes codecourier/runner:TAG images.
    static bool canBuild(const QString& image);

    QString scriptPath() const { return m_scriptPath; }
    void setScriptPath(const QString& path) { m_scriptPath = path; }
    /// True when the build goes through pkexec (this process is not root).
    bool needsElevation() const;
    /// Empty when a build can start; otherwise what is missing and how to get it.
    QString unavailableReason() const;
    /// The exact program and arguments a build of image runs (shown to the person, used by start()).
    QStringList commandLine(const QString& image) const;

    /// Starts building image; false (and nothing started) when unavailableReason() says why or
    /// the image is not one the recipe makes.
    bool start(const QString& image);
    /// Ends the build and everything it started; finished(Cancelled) follows.
    void cancel();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    /// The process id of the running script (its process group), 0 when none.
    qint64 processId() const { return m_process.processId(); }

signals:
    /// One line of the script's output (stdout and stderr together), without the newline.
    void logLine(const QString& line);
    /// The script reached a stage: "build-images: [step/steps] what".
    void progress(int step, int steps, const QString& stage);
    /// Exactly once per start(): how it ended and a sentence for a person.
    void finished(cc::ImageBuilder::Outcome outcome, const QString& sentence);

private:
    void readOutput();
    void handleLine(const QString& line);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void signalGroup(int signal);

    QString m_scriptPath;
    QProcess m_process;
    QTimer m_killTimer;       // SIGKILL when the script did not end after SIGTERM
    QByteArray m_partialLine;
    QString m_lastError;      // the script's last "build-images: ..." line, the reason it stopped
    QString m_image;
    qint64 m_groupId = 0;
    bool m_cancelled = false;
};

} // namespace cc
