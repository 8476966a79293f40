#pragma once

// Helpers for tests that drive the main window as a person would.

#include "MainWindow.h"
#include "RunResult.h"

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

} // namespace cc::test
