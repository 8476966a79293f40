#pragma once

#include "RunSpec.h"

#include <QString>
#include <memory>

class QSettings;

namespace cc {

/// The one typed door to CodeCourier's settings: every key, its default and its validation live
/// here. Secrets (API keys) never go through this class; they belong in the system keychain.
class Settings
{
public:
    /// The user's settings file (XDG config folder: codecourier/codecourier.conf).
    Settings();
    /// A settings file at an explicit path (tests use a temporary one).
    explicit Settings(const QString& filePath);
    ~Settings();

    /// The image that runs a language; the language table's default unless the user chose one.
    QString imageForLanguage(const QString& language) const;
    void setImageForLanguage(const QString& language, const QString& image);

    /// Default limits for new runs, each validated; an invalid stored value falls back to the default.
    Limits defaultLimits() const;
    void setDefaultLimits(const Limits& limits);

    /// DOCKER_HOST-style endpoint chosen in the settings; empty = the environment or the default socket.
    QString dockerHost() const;
    /// Stores the endpoint; returns a sentence when it is not usable (and stores nothing then).
    QString setDockerHost(const QString& dockerHost);

    /// The E2B template runs start from unless --template says otherwise ("base" by default).
    QString e2bTemplate() const;
    void setE2BTemplate(const QString& templateName);
    /// The E2B domain (self-hosted E2B); empty = E2B_DOMAIN or e2b.app. Not a secret: the API key
    /// never goes through this class.
    QString e2bDomain() const;
    /// Stores the domain; returns a sentence when it is not a host name (and stores nothing then).
    QString setE2BDomain(const QString& domain);

    /// Window geometry, splitter sizes and similar state the UI remembers between sessions.
    QByteArray uiState(const QString& key) const;
    void setUiState(const QString& key, const QByteArray& state);

    /// The Docker runtime for sandboxes: empty = the engine's default (runc); "runsc" = gVisor.
    QString dockerRuntime() const;
    /// Returns a sentence when the name is not a runtime name (and stores nothing then).
    QString setDockerRuntime(const QString& runtime);

    /// Pre-started sandboxes kept ready for the next run (0 = none), between 0 and 8.
    int poolSize() const;
    void setPoolSize(int size);

    /// The script that builds a missing runner image; empty = ImageBuilder's default next to the binary.
    QString imageBuildScript() const;
    void setImageBuildScript(const QString& path);

    /// Whether the first-run tour was seen (finished or skipped); it is never shown again then.
    bool tourSeen() const;
    void setTourSeen(bool seen);

    QString filePath() const;

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace cc
