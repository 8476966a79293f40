#pragma once

#include "Prompter.h"
#include "RunResult.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>

class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTabWidget;

namespace cc {

class AnswerPanel;
class ArtifactPanel;
class ApiKeyStore;
class Autosave;
class CodeEditor;
class GrantsBar;
class HistoryPanel;
struct HistoryRecord;
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
    ArtifactPanel* artifactPanel() const { return m_artifacts; }
    /// Brings the Artifacts tab forward with its first picture selected; false when the last run
    /// left no artifacts (the tab stays where it was).
    bool showArtifacts();

signals:
    /// The run that was started from this window ended (after the console and card show it).
    void runEnded(const cc::RunResult& result);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
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
    void updateRunButton();

    RunSession* m_session;
    Settings* m_settings;
    Autosave* m_autosave;
    Prompter m_prompter;

    AnswerPanel* m_answer = nullptr;
    CodeEditor* m_editor = nullptr;
    OutputConsole* m_console = nullptr;
    ArtifactPanel* m_artifacts = nullptr;
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
    QTimer m_tick;
    QTimer m_prewarm;  // asks the backend to prepare a sandbox once the settings of the next run rest
    QElapsedTimer m_runClock;
    bool m_closeWhenStopped = false;
};

} // namespace cc
