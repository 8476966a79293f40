#include "Prompter.h"

#include <QAbstractButton>
#include <QFileDialog>
#include <QMessageBox>
#include <QPointer>

namespace cc {

namespace {

/// A warning with Cancel as the default and a yes button that names what it does.
bool askYes(QWidget* owner, const QString& title, const QString& question, const QString& yesText)
{
    QMessageBox box(QMessageBox::Warning, title, question, QMessageBox::Yes | QMessageBox::Cancel, owner);
    box.setTextFormat(Qt::PlainText);  // folder names and code are the user's, never markup
    box.setDefaultButton(QMessageBox::Cancel);
    box.button(QMessageBox::Yes)->setText(yesText);
    return box.exec() == QMessageBox::Yes;
}

} // namespace

Prompter Prompter::dialogs(QWidget* parent)
{
    QPointer<QWidget> owner(parent);
    Prompter p;
    p.confirm = [owner](const QString& title, const QString& question) {
        return askYes(owner, title, question, QObject::tr("Allow for this run"));
    };
    p.confirmDelete = [owner](const QString& title, const QString& question) {
        return askYes(owner, title, question, QObject::tr("Delete"));
    };
    p.chooseSaveFile = [owner](const QString& title, const QString& suggestedName) {
        return QFileDialog::getSaveFileName(owner, title, suggestedName);
    };
    p.chooseNewFile = [owner](const QString& title, const QString& suggestedName) {
        return QFileDialog::getSaveFileName(owner, title, suggestedName, QString(), nullptr,
                                            QFileDialog::DontConfirmOverwrite);
    };
    p.confirmReplace = [owner](const QString& title, const QString& question) {
        return askYes(owner, title, question, QObject::tr("Replace"));
    };
    p.confirmWrite = [owner](const QString& title, const QString& question) {
        return askYes(owner, title, question, QObject::tr("Write to folder"));
    };
    p.chooseFolder = [owner](const QString& title) {
        return QFileDialog::getExistingDirectory(owner, title, QString(), QFileDialog::ShowDirsOnly);
    };
    p.inform = [owner](const QString& title, const QString& message) {
        QMessageBox box(QMessageBox::Information, title, message, QMessageBox::Ok, owner);
        box.setTextFormat(Qt::PlainText);
        box.exec();
    };
    return p;
}

} // namespace cc
