#pragma once

#include <QMainWindow>

namespace cc {

/// The desktop window. For now a plain window that says what the app is and how to run a
/// snippet from the command line; the editor, grants and console come next.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

} // namespace cc
