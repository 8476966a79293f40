#include "Prompter.h"

#include <QAbstractButton>
#include <QFileDialog>
#include <QMessageBox>
#include <QPointer>

namespace cc {

Prompter Prompter::dialogs(QWidget* parent)
{
    QPointer<QWidget> owner(parent);
    Prompter p;
    p.confirm = [owner](const QString& title, const QString& question) {
        QMessageBox box(QMessageBox::Warning, title, question, QMessageBox::Yes | QMessageBox::Cancel, owner);
        box.setTextFormat(Qt::PlainText);  // folder names are the user's, never markup
        box.setDefaultButton(QMessageBox::Cancel);
        box.button(QMessageBox::Yes)->setText(QObject::tr("Allow for this run"));
        return box.exec() == QMessageBox::Yes;
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
