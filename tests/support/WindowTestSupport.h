#pragma once

// Helpers for tests that drive the main window as a person would.

#include "Autosave.h"
#include "HistoryRecorder.h"
#include "HistoryStore.h"
#include "MainWindow.h"
#include "RunResult.h"
#include "RunSession.h"
#include "Settings.h"

#include <memory>

#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

namespace cc::test {

/// The child of root with this object name, or nullptr with a warning naming it.
template <typename T> T* namedChild(const QObject* root, const char* name)
{
    T* w = root->findChild<T*>(QLatin1String(name));
    if (!w)
        qWarning("no child named %s", name);
    return w;
}

/// Clicks Run and waits for the window's runEnded; a default RunResult after the deadline.
inline RunResult clickRunAndWait(MainWindow& window, int deadlineMs = 60'000)
{
    QSignalSpy ended(&window, &MainWindow::runEnded);
    QTest::mouseClick(namedChild<QPushButton>(&window, "runButton"), Qt::LeftButton);
    if (!ended.wait(deadlineMs))
        return {};
    return ended.first().first().value<RunResult>();
}

/// A main window built as the app builds it, for one test: settings and autosave under stateDir,
/// a session on the given backend, optionally a history file. Closing stops a run in progress
/// first and waits until its sandbox is gone, so that no test leaves one behind.
class TestWindow
{
public:
    ~TestWindow() { close(); }

    /// Builds and shows the window; historyPath empty: no history. The prompter answers every
    /// question the window asks. False when the window was not exposed.
    bool open(Backend* backend, const QString& stateDir, const Prompter& prompter, const QString& historyPath = {})
    {
        close();
        if (!historyPath.isEmpty()) {
            m_store = std::make_unique<HistoryStore>(historyPath);
            m_recorder = std::make_unique<HistoryRecorder>(m_store.get());
        }
        m_settings = std::make_unique<Settings>(stateDir + QStringLiteral("/settings.conf"));
        m_autosave = std::make_unique<Autosave>(stateDir + QStringLiteral("/autosave"));
        m_session = std::make_unique<RunSession>(backend, *m_settings);
        if (m_recorder)
            m_session->setHistory(m_recorder.get());
        m_window = std::make_unique<MainWindow>(m_session.get(), m_settings.get(), m_autosave.get());
        m_window->setPrompter(prompter);
        m_window->show();
        return QTest::qWaitForWindowExposed(m_window.get());
    }

    /// Stops a run in progress (waiting up to 20 s for it to end), then destroys everything.
    void close()
    {
        if (m_session && m_session->isRunning()) {
            m_session->stop();
            QTRY_VERIFY_WITH_TIMEOUT(!m_session->isRunning(), 20'000);
        }
        m_window.reset();
        m_session.reset();
        m_recorder.reset();
        m_store.reset();
        m_autosave.reset();
        m_settings.reset();
    }

    MainWindow* window() const { return m_window.get(); }
    RunSession* session() const { return m_session.get(); }
    Settings* settings() const { return m_settings.get(); }
    Autosave* autosave() const { return m_autosave.get(); }
    HistoryStore* store() const { return m_store.get(); }
    HistoryRecorder* recorder() const { return m_recorder.get(); }

private:
    std::unique_ptr<Settings> m_settings;
    std::unique_ptr<Autosave> m_autosave;
    std::unique_ptr<HistoryStore> m_store;
    std::unique_ptr<HistoryRecorder> m_recorder;
    std::unique_ptr<RunSession> m_session;
    std::unique_ptr<MainWindow> m_window;
};

} // namespace cc::test
