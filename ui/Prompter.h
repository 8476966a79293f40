#pragma once

#include <QString>
#include <functional>

class QWidget;

namespace cc {

/// The questions the window asks a person (confirm a grant, pick a folder, read a refusal).
/// Behind std::functions so that tests answer them without a modal dialog.
struct Prompter
{
    /// Returns true when the person agreed.
    std::function<bool(const QString& title, const QString& question)> confirm;
    /// Returns the chosen folder, or an empty string when cancelled.
    std::function<QString(const QString& title)> chooseFolder;
    std::function<void(const QString& title, const QString& message)> inform;

    /// Real dialogs parented to the given window.
    static Prompter dialogs(QWidget* parent);
};

} // namespace cc
