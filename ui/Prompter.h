#pragma once

#include <QString>
#include <functional>

class QWidget;

namespace cc {

/// The questions the window asks a person (confirm a grant, pick a folder, read a refusal).
/// Behind std::functions so that tests answer them without a modal dialog.
struct Prompter
{
    /// Returns true when the person agreed to grant (the yes button says "Allow for this run").
    std::function<bool(const QString& title, const QString& question)> confirm;
    /// Returns true when the person agreed to delete (the yes button says "Delete").
    std::function<bool(const QString& title, const QString& question)> confirmDelete;
    /// Returns the path to save to, or an empty string when cancelled.
    std::function<QString(const QString& title, const QString& suggestedName)> chooseSaveFile;
    /// Like chooseSaveFile, but the dialog does not ask about an existing file: the caller asks with
    /// confirmReplace, because it knows what it may replace (a plain file, never a link or folder).
    std::function<QString(const QString& title, const QString& suggestedName)> chooseNewFile;
    /// Returns true when the person agreed to replace (the yes button says "Replace").
    std::function<bool(const QString& title, const QString& question)> confirmReplace;
    /// Returns true when the person agreed to write changes into their folder (the yes button
    /// says "Write to folder").
    std::function<bool(const QString& title, const QString& question)> confirmWrite;
    /// Returns the chosen folder, or an empty string when cancelled.
    std::function<QString(const QString& title)> chooseFolder;
    std::function<void(const QString& title, const QString& message)> inform;

    /// Real dialogs parented to the given window.
    static Prompter dialogs(QWidget* parent);
};

} // namespace cc
