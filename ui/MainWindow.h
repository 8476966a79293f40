#pragma once

#include "FirstRunTour.h"
#include "Prompter.h"
#include "RunResult.h"
#include "docker/DockerBackend.h"
#include "docker/DockerHealth.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QComboBox;
class QDialog;
class QDockWidget;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTabWidget;

namespace cc {

class AboutDialog;
class AnswerPanel;
class ArtifactPanel;
class ChangeReviewPanel;
class ApiKeyStore;
class Autosave;
class CodeEditor;
class DockerSetupPanel;
class GrantsBar;
class HistoryPanel;
struct HistoryRecord;
class ImageBuildPanel;
class ImageBuilder;
class LimitsEditor;
class OutputConsole;
class ResourceMonitor;
class Run;
class RunSession;
class Settings;

/// The playground: the AI answer, the code editor and the run area (output console, limits and
/// monitor) in splitters whose sizes are remembered, with a run bar for language, backend,
/// image, grants and Run/Stop. Widgets only: runs go through RunSession.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(RunSession* session, Settings* settings, Autosave* autosave, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Replaces the dialogs the window uses to ask (tests answer them directly).
    void setPrompter(const Prompter& prompter);
    /// Where the settings dialog keeps the E2B API key; without one the key field stays off.
    void setApiKeyStore(ApiKeyStore* store) { m_keyStore = store; }
    AnswerPanel* answerPanel() const { return m_answer; }
    CodeEditor* editor() const { return m_editor; }

    void startRun();
    void stopRun();
    /// Loads a recorded run into the playground: code, language, backend, image and limits, with
    /// every grant off. False (after saying why) when it cannot, e.g. while a run is going.
    bool openRecordedRun(const HistoryRecord& record);
    HistoryPanel* historyPanel() const { return m_historyPanel; }
    /// Builds missing runner images (its script is the settings' imageBuildScript()).
    ImageBuilder* imageBuilder() const { return m_imageBuilder; }

    /// Asks the Docker engine whether it can be used (and then whether the image is there); the
    /// guided panels show or go with the answer. Only while the Docker backend is the chosen one.
    void checkDocker();
    /// Starts the first-run tour unless it was seen (finished or skipped) before; true if it started.
    bool startTourIfNew();
    /// Starts the tour whether or not it was seen (Help ▸ Take the tour).
    void startTour();
    FirstRunTour* tour() const { return m_tour; }
    /// The keyboard shortcuts the window has, as (what it does, keys) pairs, read from its actions
    /// and shortcuts: the list Help ▸ Keyboard shortcuts shows.
    QList<QPair<QString, QString>> shortcutList() const;
    ArtifactPanel* artifactPanel() const { return m_artifacts; }
    ChangeReviewPanel* changeReviewPanel() const { return m_changes; }
    /// Brings the Artifacts tab forward with its first picture selected; false when the last run
    /// left no artifacts (the tab stays where it was).
    bool showArtifacts();

signals:
    /// The run that was started from this window ended (after the console and card show it).
    void runEnded(const cc::RunResult& result);
    /// The engine answered a check (checkDocker()) and the setup panel shows it.
    void dockerChecked(const cc::docker::DockerHealth& health);
    /// The engine said whether the current image is there and the build panel shows it.
    void imageChecked(const cc::docker::ImageCheck& check);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    /// Asks before a review run's unwritten changes are lost (doing: "Close", "Run again");
    /// true when there are none or the person lets them go (they are then recorded as discarded).
    bool letGoOfUndecidedChanges(const QString& doing);
    void buildRunBar();
    void refreshBackendChoices();
    void buildHistoryDock();
    static QString backendDescription(const QString& name);
    void buildMenus();
    void restoreState();
    void onRunStarted(Run* run);
    void onRunFinished(const RunResult& result);
    void onLanguageChanged(const QString& language);
    void openSnippetFile();
    void showSettings();
    void showAbout();
    void showUserGuide();
    void showShortcuts();
    void updateRunButton();
    void checkImage();
    void refreshE2BOffer();
    void useE2B();
    /// The Docker backend among the session's, or null.
    docker::DockerBackend* dockerBackend() const;

    RunSession* m_session;
    Settings* m_settings;
    Autosave* m_autosave;
    Prompter m_prompter;

    AnswerPanel* m_answer = nullptr;
    CodeEditor* m_editor = nullptr;
    OutputConsole* m_console = nullptr;
    ArtifactPanel* m_artifacts = nullptr;
    ChangeReviewPanel* m_changes = nullptr;
    QTabWidget* m_runTabs = nullptr;
    ResourceMonitor* m_monitor = nullptr;
    LimitsEditor* m_limits = nullptr;
    GrantsBar* m_grants = nullptr;
    HistoryPanel* m_historyPanel = nullptr;
    QDockWidget* m_historyDock = nullptr;
    QComboBox* m_language = nullptr;
    QComboBox* m_backend = nullptr;
    ApiKeyStore* m_keyStore = nullptr;
    QLineEdit* m_image = nullptr;
    QPushButton* m_runButton = nullptr;
    QLabel* m_elapsed = nullptr;
    QSplitter* m_mainSplitter = nullptr;
    QSplitter* m_topSplitter = nullptr;
    QSplitter* m_runSplitter = nullptr;
    DockerSetupPanel* m_dockerPanel = nullptr;
    ImageBuildPanel* m_imagePanel = nullptr;
    ImageBuilder* m_imageBuilder = nullptr;
    QPointer<FirstRunTour> m_tour;
    QPointer<QDialog> m_guide;
    QPointer<QDialog> m_shortcuts;
    QPointer<AboutDialog> m_about;
    int m_dockerCheck = 0;  // counts checks, so that a late answer to an older one is ignored
    int m_imageCheck = 0;   // the same for image checks
    bool m_dockerReady = false;
    QTimer m_tick;
    QTimer m_prewarm;  // asks the backend to prepare a sandbox once the settings of the next run rest
    QElapsedTimer m_runClock;
    bool m_closeWhenStopped = false;
};

} // namespace cc
