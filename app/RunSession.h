#pragma once

#include "ChangeSetJson.h"
#include "HostFolderPolicy.h"
#include "RunResult.h"
#include "RunSpec.h"

#include <QObject>
#include <QPointer>

#include <optional>

#include "Run.h"

namespace cc {

class Backend;
class HistoryRecorder;
class Settings;

/// The playground's state that is not a widget: the snippet, its language, the image, the
/// limits and the grants of the next run, and the run in progress. Grants are off by default
/// and fall back to off whenever new code is loaded. Lives in the GUI thread.
class RunSession : public QObject
{
    Q_OBJECT
public:
    RunSession(Backend* backend, const Settings& settings, QObject* parent = nullptr);

    QString code() const { return m_code; }
    void setCode(const QString& code) { m_code = code; }
    /// New code from an AI answer or a file: replaces the snippet and turns every grant off.
    /// answer is the AI answer it came from (kept with the run in the history), empty otherwise.
    void loadSnippet(const QString& code, const QString& language, const QString& answer = {});
    /// The AI answer the current code came from; edits to the code keep it.
    QString answer() const { return m_answer; }

    /// Records every run from now on (nullptr: none); its problems arrive as historyProblem().
    void setHistory(HistoryRecorder* history);
    HistoryRecorder* history() const { return m_history; }

    QString language() const { return m_language; }
    void setLanguage(const QString& language);
    /// The image for the current language: the user's override or the settings' choice.
    QString image() const;
    void setImageOverride(const QString& image);

    Limits limits() const { return m_limits; }
    void setLimits(const Limits& limits) { m_limits = limits; }

    Grants grants() const { return m_grants; }
    void setNetworkGranted(bool granted);
    /// Whether a folder may be shared (the engine's policy), with its canonical path.
    HostFolderCheck checkFolder(const QString& folder) const;
    /// An empty folder withdraws the grant. The folder must already have passed checkFolder().
    void setHostFolder(const QString& folder, Grants::HostFolderMode mode = Grants::HostFolderMode::ReadOnly);
    void revokeGrants();

    /// The backend runs go to; more can be added, the first one is the default.
    Backend* backend() const { return m_backend; }
    void addBackend(Backend* backend);
    QList<Backend*> backends() const { return m_backends; }
    /// Switches backends by name; grants go off (they were given for the other one).
    bool setBackend(const QString& name);
    bool isRunning() const { return m_run != nullptr; }
    /// Starts a run of the current snippet; nullptr (and a runRefused signal) when one is running.
    Run* start();
    void stop();

    /// Keeps what the person decided about the last run's changes (a review run) with its history
    /// record; nothing when history is off or the run was not recorded.
    void recordChangeDecision(const ChangeSet& changes, const ChangeDecision& decision);

    /// Lets the backend prepare a sandbox for the next run as it stands now.
    void prewarm();

    /// The spec the next run would get, for display and tests.
    RunSpec currentSpec() const;

signals:
    void grantsChanged(const cc::Grants& grants);
    void languageChanged(const QString& language);
    void backendChanged(const QString& name);
    void runStarted(cc::Run* run);
    void runFinished(const cc::RunResult& result);
    /// The history could not record a run; once per session.
    void historyProblem(const QString& sentence);

private:
    Backend* m_backend;
    QList<Backend*> m_backends;
    const Settings& m_settings;
    QString m_code;
    QString m_answer;
    HistoryRecorder* m_history = nullptr;
    QString m_language = QStringLiteral("python");
    QString m_imageOverride;
    Limits m_limits;
    Grants m_grants;
    QPointer<Run> m_run;
    std::optional<qint64> m_recordId; ///< the last run's history record
};

} // namespace cc
