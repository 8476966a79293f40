#include "MainWindow.h"

#include <QLabel>
#include <QVBoxLayout>

namespace cc {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("CodeCourier"));
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    auto* intro = new QLabel(central);
    intro->setObjectName(QStringLiteral("introLabel"));
    intro->setTextFormat(Qt::PlainText);
    intro->setWordWrap(true);
    intro->setText(QStringLiteral(
        "CodeCourier runs code an AI wrote in a disposable sandbox: no network, no host files, "
        "limited time, memory and processes, unless you grant more for one run.\n\n"
        "From a terminal:\n"
        "    codecourier run snippet.py\n"
        "    codecourier run --lang node --timeout 5 - < snippet.js\n"
        "    codecourier doctor"));
    layout->addWidget(intro);
    layout->addStretch();
    setCentralWidget(central);
    resize(720, 420);
}

} // namespace cc
