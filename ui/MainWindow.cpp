#include "MainWindow.h"

#include "AboutDialog.h"
#include "AnswerPanel.h"
#include "ArtifactPanel.h"
#include "Autosave.h"
#include "Backend.h"
#include "ChangeReviewPanel.h"
#include "CodeEditor.h"
#include "DockerSetupPanel.h"
#include "FirstRunTour.h"
#include "GrantsBar.h"
#include "HistoryPanel.h"
#include "HistoryRecorder.h"
#include "ImageBuildPanel.h"
#include "ImageBuilder.h"
#include "Language.h"
#include "LimitsEditor.h"
#include "OutputConsole.h"
#include "ResourceMonitor.h"
#include "Run.h"
#include "RunSession.h"
#include "Settings.h"
#include "SettingsDialog.h"
#include "UserGuide.h"
#include "VerdictDecider.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTextBrowser>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <Qsci/qsciglobal.h>

namespace cc {

namespace {
const QString kEditorKey = QStringLiteral("editor");
const QString kEditorLanguageKey = QStringLiteral("editor-language");
const QString kAnswerKey = QStringLiteral("answer");
} // namespace

MainWindow::MainWindow(RunSession* session, Settings* settings, Autosave* autosave, QWidget* parent)
    : QMainWindow(parent), m_session(session), m_settings(settings), m_autosave(autosave),
      m_prompter(Prompter::dialogs(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("CodeCourier"));

    m_answer = new AnswerPanel(this);
    m_editor = new CodeEditor(this);
    m_console = new OutputConsole(this);
    m_monitor = new ResourceMonitor(this);
    m_console->textView()->setPlaceholderText(
        tr("Paste an AI answer on the left, or type code in the editor, then press Run (Ctrl+Return).\n\n"
           "The code runs in a fresh sandbox that is removed afterwards: no network, no access to your files, "
           "and limits on time, memory, CPUs, processes and output. Its output appears here as it is written."));
    m_limits = new LimitsEditor(this);
    m_limits->setLimits(m_session->limits());

    auto* runSide = new QWidget(this);
    auto* runSideLayout = new QVBoxLayout(runSide);
    runSideLayout->setContentsMargins(0, 0, 0, 0);
    auto* limitsBox = new QGroupBox(tr("Limits for the next run"), runSide);
    auto* limitsLayout = new QVBoxLayout(limitsBox);
    limitsLayout->addWidget(m_limits);
    runSideLayout->addWidget(limitsBox);
    runSideLayout->addWidget(m_monitor, 1);

    m_topSplitter = new QSplitter(Qt::Horizontal, this);
    m_topSplitter->setObjectName(QStringLiteral("topSplitter"));
    m_topSplitter->addWidget(m_answer);
    m_topSplitter->addWidget(m_editor);
    m_topSplitter->setStretchFactor(1, 2);
    m_runSplitter = new QSplitter(Qt::Horizontal, this);
    m_runSplitter->setObjectName(QStringLiteral("runSplitter"));
    // Artifacts sit beside the output: both are what the run produced, and the console keeps its room.
    m_artifacts = new ArtifactPanel(m_prompter, this);
    m_runTabs = new QTabWidget(this);
    m_runTabs->setObjectName(QStringLiteral("runTabs"));
    m_runTabs->setDocumentMode(true);
    m_runTabs->addTab(m_console, tr("Output"));
    m_runTabs->addTab(m_artifacts, tr("Artifacts"));
    connect(m_artifacts, &ArtifactPanel::countChanged, this, [this](int artifacts, int refused) {
        QString title = artifacts > 0 ? tr("Artifacts (%1)").arg(artifacts) : tr("Artifacts");
        if (refused > 0)
            title += tr(" · %1 refused").arg(refused);
        m_runTabs->setTabText(m_runTabs->indexOf(m_artifacts), title);
    });
    m_changes = new ChangeReviewPanel(m_prompter, this);
    m_runTabs->addTab(m_changes, tr("Changes"));
    connect(m_changes, &ChangeReviewPanel::countChanged, this, [this](int count) {
        m_runTabs->setTabText(m_runTabs->indexOf(m_changes), count > 0 ? tr("Changes (%1)").arg(count) : tr("Changes"));
    });
    connect(m_changes, &ChangeReviewPanel::decided, m_session, &RunSession::recordChangeDecision);
    m_runSplitter->addWidget(m_runTabs);
    m_runSplitter->addWidget(runSide);
    m_runSplitter->setStretchFactor(0, 2);
    m_mainSplitter = new QSplitter(Qt::Vertical, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_topSplitter);
    m_mainSplitter->addWidget(m_runSplitter);
    m_mainSplitter->setStretchFactor(0, 3);
    m_mainSplitter->setStretchFactor(1, 2);

    // The guided panels sit above the playground, not in a modal box: the person can read the
    // command, run it in a terminal and come back to Re-check.
    const QString script = m_settings->imageBuildScript();
    m_imageBuilder = new ImageBuilder(script.isEmpty() ? ImageBuilder::defaultScriptPath() : script, this);
    m_dockerPanel = new DockerSetupPanel(this);
    m_imagePanel = new ImageBuildPanel(m_imageBuilder, this);
    auto* central = new QWidget(this);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->addWidget(m_dockerPanel);
    centralLayout->addWidget(m_imagePanel);
    centralLayout->addWidget(m_mainSplitter, 1);
    setCentralWidget(central);
    connect(m_dockerPanel, &DockerSetupPanel::recheckRequested, this, &MainWindow::checkDocker);
    connect(m_dockerPanel, &DockerSetupPanel::useE2BRequested, this, &MainWindow::useE2B);
    connect(m_dockerPanel, &DockerSetupPanel::setUpE2BRequested, this, &MainWindow::showSettings);
    connect(m_imagePanel, &ImageBuildPanel::built, this, [this](const QString& image) {
        statusBar()->showMessage(tr("Built %1.").arg(image), 8000);
        checkImage();
        m_prewarm.start();
    });

    buildRunBar();
    buildHistoryDock();
    buildMenus();

    m_prewarm.setSingleShot(true);
    m_prewarm.setInterval(1'000);
    connect(&m_prewarm, &QTimer::timeout, this, [this] {
        if (!m_session->isRunning())
            m_session->prewarm();
    });
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        m_elapsed->setText(humanDuration(m_runClock.isValid() ? m_runClock.elapsed() : 0));
    });

    connect(m_answer, &AnswerPanel::answerTextChanged, this, [this](const QString& text) { m_autosave->save(kAnswerKey, text); });
    connect(m_answer, &AnswerPanel::codeChosen, this, [this](const QString& code, const QString& language) {
        m_session->loadSnippet(code, language, m_answer->answerText());
        const QSignalBlocker block(m_editor);
        m_editor->setText(code);
        m_autosave->save(kEditorKey, code);
        statusBar()->showMessage(tr("Loaded a %1 block into the editor. Grants are off for new code.")
                                     .arg(language.isEmpty() ? tr("code") : language),
                                 5000);
    });
    connect(m_editor, &QsciScintilla::textChanged, this, [this] {
        m_session->setCode(m_editor->text());
        m_autosave->save(kEditorKey, m_editor->text());
    });
    connect(m_session, &RunSession::languageChanged, this, &MainWindow::onLanguageChanged);
    connect(m_limits, &LimitsEditor::limitsChanged, this, [this](const Limits& limits) {
        m_session->setLimits(limits);
        m_prewarm.start();
    });
    connect(m_session, &RunSession::runStarted, this, &MainWindow::onRunStarted);
    connect(m_session, &RunSession::runFinished, this, &MainWindow::onRunFinished);
    // The run goes on; the person learns once that it is not being recorded, and why.
    connect(m_session, &RunSession::historyProblem, this,
            [this](const QString& sentence) { statusBar()->showMessage(tr("History: %1").arg(sentence), 15000); });

    restoreState();
    onLanguageChanged(m_session->language());
    updateRunButton();
    connect(m_session, &RunSession::backendChanged, this, &MainWindow::checkDocker);
    checkDocker();
}

MainWindow::~MainWindow() = default;

void MainWindow::setPrompter(const Prompter& prompter)
{
    m_prompter = prompter;
    m_grants->setPrompter(prompter);
    m_historyPanel->setPrompter(prompter);
    m_artifacts->setPrompter(prompter);
    m_changes->setPrompter(prompter);
}

void MainWindow::buildHistoryDock()
{
    HistoryRecorder* recorder = m_session->history();
    m_historyPanel = new HistoryPanel(recorder ? recorder->store() : nullptr, m_prompter, this);
    m_historyDock = new QDockWidget(tr("Run history"), this);
    m_historyDock->setObjectName(QStringLiteral("historyDock"));
    m_historyDock->setWidget(m_historyPanel);
    addDockWidget(Qt::RightDockWidgetArea, m_historyDock);
    m_historyDock->hide();  // View ▸ Run history (Ctrl+H) opens it
    if (recorder) {
        connect(recorder, &HistoryRecorder::recordStarted, m_historyPanel, &HistoryPanel::refresh);
        connect(recorder, &HistoryRecorder::recordFinished, m_historyPanel, &HistoryPanel::refresh);
    }
    connect(m_historyPanel, &HistoryPanel::openRequested, this, &MainWindow::openRecordedRun);
    connect(m_historyPanel, &HistoryPanel::rerunRequested, this, [this](const HistoryRecord& record) {
        if (openRecordedRun(record))
            startRun();
    });
}

bool MainWindow::openRecordedRun(const HistoryRecord& record)
{
    const QString title = tr("Run history");
    if (m_session->isRunning()) {
        m_prompter.inform(title, tr("A run is going: stop it first, then open run #%1.").arg(record.id));
        return false;
    }
    if (!LanguageTable::find(record.language)) {
        m_prompter.inform(title, tr("Run #%1 is in \"%2\", a language this version cannot run.").arg(record.id).arg(record.language));
        return false;
    }
    if (record.backend != m_session->backend()->name()) {
        const int index = m_backend->findData(record.backend);
        const auto* model = qobject_cast<QStandardItemModel*>(m_backend->model());
        if (index < 0 || (model && !model->item(index)->isEnabled())) {
            m_prompter.inform(title, tr("Run #%1 ran on %2, which is not set up here: see Edit ▸ Settings.")
                                         .arg(record.id)
                                         .arg(record.backend));
            return false;
        }
        m_backend->setCurrentIndex(index);  // switches the session's backend; grants go off
    }
    const QString code = QString::fromUtf8(record.code);
    // Grants were given for that run, once: loading it again starts locked down.
    m_session->loadSnippet(code, record.language, QString::fromUtf8(record.answer));
    {
        const QSignalBlocker block(m_editor);
        m_editor->setText(code);
    }
    m_autosave->save(kEditorKey, code);
    m_session->setLimits(record.limits);
    m_limits->setLimits(record.limits);
    m_session->setImageOverride(record.image);
    m_image->setText(m_session->image());
    statusBar()->showMessage(tr("Opened run #%1: its code, image and limits. Grants are off; give them again if it "
                                "needs them.")
                                 .arg(record.id),
                             8000);
    return true;
}

docker::DockerBackend* MainWindow::dockerBackend() const
{
    for (Backend* backend : m_session->backends())
        if (auto* dockerBackend = qobject_cast<docker::DockerBackend*>(backend))
            return dockerBackend;
    return nullptr;
}

void MainWindow::checkDocker()
{
    docker::DockerBackend* backend = dockerBackend();
    const int check = ++m_dockerCheck;
    if (!backend || m_session->backend() != backend) {
        // Runs go elsewhere: whatever Docker lacks does not stand in the way.
        m_dockerPanel->hide();
        m_imagePanel->withdraw();
        return;
    }
    refreshE2BOffer();
    m_dockerPanel->setChecking(true);
    backend->checkEngine(this, [this, check](const docker::DockerHealth& health) {
        if (check != m_dockerCheck)
            return;
        m_dockerPanel->showHealth(health);
        if (m_about)
            m_about->setDockerHealth(health);
        m_dockerReady = health.ready();
        if (health.ready())
            checkImage();
        else
            m_imagePanel->withdraw();
        emit dockerChecked(health);
    });
}

void MainWindow::checkImage()
{
    docker::DockerBackend* backend = dockerBackend();
    if (!backend || m_session->backend() != backend || !m_dockerReady)
        return;
    const QString image = m_session->image();
    const int generation = ++m_imageCheck;
    backend->checkImage(image, this, [this, backend, generation](const docker::ImageCheck& check) {
        // A later check (after a build, another image or backend) has the last word.
        if (generation != m_imageCheck || m_session->backend() != backend || check.image != m_session->image())
            return;
        if (check.state == docker::ImageCheck::State::Missing) {
            const Language* lang = LanguageTable::find(m_session->language());
            m_imagePanel->offer(check.image, lang ? lang->displayName : m_session->language());
        } else {
            m_imagePanel->withdraw();
        }
        emit imageChecked(check);
    });
}

void MainWindow::refreshE2BOffer()
{
    for (Backend* backend : m_session->backends())
        if (backend->name() == QLatin1String("e2b")) {
            m_dockerPanel->setE2BOffer(backend->unavailableReason().isEmpty());
            return;
        }
    m_dockerPanel->setE2BOffer(false);
}

void MainWindow::useE2B()
{
    const int index = m_backend->findData(QStringLiteral("e2b"));
    if (index >= 0)
        m_backend->setCurrentIndex(index);  // switches the session's backend; the panel goes with checkDocker()
}

void MainWindow::refreshBackendChoices()
{
    auto* model = qobject_cast<QStandardItemModel*>(m_backend->model());
    const QList<Backend*> backends = m_session->backends();
    for (int index = 0; index < m_backend->count() && index < backends.size(); ++index) {
        const Backend* backend = backends.at(index);
        const QString reason = backend->unavailableReason();
        const QString title = backend->name() == QLatin1String("docker") ? tr("Docker (this machine)")
                              : backend->name() == QLatin1String("e2b")  ? tr("E2B (remote microVM)")
                                                                         : backend->name();
        m_backend->setItemText(index, reason.isEmpty() ? title : tr("%1 — not set up").arg(title));
        m_backend->setItemData(index, reason.isEmpty() ? backendDescription(backend->name()) : reason,
                               Qt::ToolTipRole);
        if (model)
            model->item(index)->setEnabled(reason.isEmpty());
    }
    if (m_dockerPanel)
        refreshE2BOffer();
}

void MainWindow::buildRunBar()
{
    auto* bar = addToolBar(tr("Run"));
    bar->setObjectName(QStringLiteral("runBar"));
    bar->setMovable(false);

    m_language = new QComboBox(bar);
    m_language->setObjectName(QStringLiteral("languageCombo"));
    m_language->setToolTip(tr("The language the snippet is run as."));
    for (const Language& language : LanguageTable::all())
        m_language->addItem(language.displayName, language.name);
    connect(m_language, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_session->setLanguage(m_language->itemData(index).toString()); });

    m_backend = new QComboBox(bar);
    m_backend->setObjectName(QStringLiteral("backendCombo"));
    for (Backend* backend : m_session->backends()) {
        m_backend->addItem(backend->name(), backend->name());
        // A key read from the keychain after start-up, or entered in the settings, enables E2B.
        connect(backend, &Backend::availabilityChanged, this, &MainWindow::refreshBackendChoices);
    }
    refreshBackendChoices();
    m_backend->setToolTip(backendDescription(m_session->backend()->name()));
    connect(m_backend, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QString name = m_backend->itemData(index).toString();
        if (!m_session->setBackend(name))
            return;
        m_backend->setToolTip(backendDescription(name));
        m_image->setText(m_session->image());
        m_prewarm.start();
    });

    m_image = new QLineEdit(bar);
    m_image->setObjectName(QStringLiteral("imageEdit"));
    m_image->setMinimumWidth(220);
    m_image->setToolTip(tr("The container image the snippet runs in. The default is built from Debian packages "
                           "by codecourier-build-images (packaging/images/build-images.sh in a source tree); any "
                           "image with the language's interpreter works."));
    connect(m_image, &QLineEdit::editingFinished, this, [this] {
        const bool changed = m_image->text() != m_session->image();
        m_session->setImageOverride(m_image->text());
        if (changed)
            checkImage();  // is the newly named image there, or should the window offer to build it?
    });

    m_grants = new GrantsBar(m_session, m_prompter, bar);
    // Above the playground, across the window: every active grant is named in full.
    if (auto* central = qobject_cast<QVBoxLayout*>(centralWidget()->layout()))
        central->insertWidget(0, m_grants->warningLabel());

    m_runButton = new QPushButton(bar);
    m_runButton->setObjectName(QStringLiteral("runButton"));
    connect(m_runButton, &QPushButton::clicked, this, [this] { m_session->isRunning() ? stopRun() : startRun(); });
    m_elapsed = new QLabel(bar);
    m_elapsed->setObjectName(QStringLiteral("elapsedLabel"));
    m_elapsed->setMinimumWidth(60);

    bar->addWidget(new QLabel(tr(" Language "), bar));
    bar->addWidget(m_language);
    bar->addWidget(new QLabel(tr("  Backend "), bar));
    bar->addWidget(m_backend);
    bar->addWidget(new QLabel(tr("  Image "), bar));
    bar->addWidget(m_image);
    bar->addSeparator();
    bar->addWidget(m_grants);
    bar->addSeparator();
    bar->addWidget(m_runButton);
    bar->addWidget(m_elapsed);

    // "what" names a shortcut in Help ▸ Keyboard shortcuts, which reads them from here.
    auto* runShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    runShortcut->setProperty("what", tr("Run the code in a fresh sandbox"));
    connect(runShortcut, &QShortcut::activated, this, &MainWindow::startRun);
    for (const QKeySequence& keys : {QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_Period)}) {
        auto* stopShortcut = new QShortcut(keys, this);
        stopShortcut->setProperty("what", tr("Stop the run and remove its sandbox"));
        connect(stopShortcut, &QShortcut::activated, this, &MainWindow::stopRun);
    }
}

QString MainWindow::backendDescription(const QString& name)
{
    if (name == QLatin1String("e2b"))
        return tr("Where the sandbox runs: a fresh E2B microVM in the cloud, deleted after the run. Memory and CPU "
                  "come from the template; network stays off unless you grant it.");
    return tr("Where the sandbox runs: a fresh Docker container on this machine, removed after the run.");
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open snippet…"), QKeySequence::Open, this, &MainWindow::openSnippetFile);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(tr("&Settings…"), QKeySequence::Preferences, this, &MainWindow::showSettings);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* history = m_historyDock->toggleViewAction();
    history->setText(tr("Run &history"));
    history->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    view->addAction(history);
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("&Run") + QStringLiteral("\tCtrl+Return"), this, &MainWindow::startRun);
    run->addAction(tr("&Stop") + QStringLiteral("\tEsc"), this, &MainWindow::stopRun);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&User guide"), QKeySequence::HelpContents, this, &MainWindow::showUserGuide)
        ->setObjectName(QStringLiteral("userGuideAction"));
    help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts)
        ->setObjectName(QStringLiteral("shortcutsAction"));
    help->addAction(tr("Take the &tour"), this, &MainWindow::startTour)->setObjectName(QStringLiteral("tourAction"));
    help->addSeparator();
    help->addAction(tr("&About CodeCourier"), this, &MainWindow::showAbout)->setObjectName(QStringLiteral("aboutAction"));
}

void MainWindow::restoreState()
{
    restoreGeometry(m_settings->uiState(QStringLiteral("geometry")));
    if (!m_mainSplitter->restoreState(m_settings->uiState(QStringLiteral("mainSplitter"))))
        m_mainSplitter->setSizes({560, 340});
    if (!m_topSplitter->restoreState(m_settings->uiState(QStringLiteral("topSplitter"))))
        m_topSplitter->setSizes({380, 720});
    if (!m_runSplitter->restoreState(m_settings->uiState(QStringLiteral("runSplitter"))))
        m_runSplitter->setSizes({720, 380});
    if (m_settings->uiState(QStringLiteral("geometry")).isEmpty())
        resize(1280, 860);
    QMainWindow::restoreState(m_settings->uiState(QStringLiteral("docks")));

    // Read everything before restoring the answer: parsing it loads its best block into the
    // editor (and the autosave), which the saved editor text then replaces.
    const QString answer = m_autosave->load(kAnswerKey);
    const QString language = m_autosave->load(kEditorLanguageKey).trimmed();
    const QString code = m_autosave->load(kEditorKey);
    m_answer->setAnswerText(answer);
    if (!language.isEmpty())
        m_session->setLanguage(language);
    m_editor->setText(code);
    m_session->setCode(code);
    // Restored code is not new code, but grants never survive a restart either.
    m_session->revokeGrants();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!m_closeWhenStopped && !letGoOfUndecidedChanges(tr("Close"))) {
        event->ignore();
        return;
    }
    m_settings->setUiState(QStringLiteral("geometry"), saveGeometry());
    m_settings->setUiState(QStringLiteral("mainSplitter"), m_mainSplitter->saveState());
    m_settings->setUiState(QStringLiteral("topSplitter"), m_topSplitter->saveState());
    m_settings->setUiState(QStringLiteral("runSplitter"), m_runSplitter->saveState());
    m_settings->setUiState(QStringLiteral("docks"), QMainWindow::saveState());
    m_autosave->flush();
    if (m_session->isRunning()) {
        // Close once the sandbox is gone, so that quitting never leaves one running.
        m_closeWhenStopped = true;
        stopRun();
        event->ignore();
        return;
    }
    event->accept();
}

void MainWindow::onLanguageChanged(const QString& language)
{
    const int index = m_language->findData(language);
    if (index >= 0 && index != m_language->currentIndex()) {
        const QSignalBlocker block(m_language);
        m_language->setCurrentIndex(index);
    }
    const Language* lang = LanguageTable::find(language);
    m_editor->setLexerName(lang ? lang->lexer : QString());
    m_image->setText(m_session->image());
    m_autosave->save(kEditorLanguageKey, language);
    m_prewarm.start();
    checkImage();
}

bool MainWindow::letGoOfUndecidedChanges(const QString& doing)
{
    const int undecided = m_changes->undecidedCount();
    if (undecided == 0)
        return true;
    const bool one = undecided == 1;
    const QString question =
        tr("%1 from the last run %2 not been written to %3 or discarded. %4 and delete %5? The "
           "folder stays as it is.")
            .arg(one ? tr("1 change") : tr("%1 changes").arg(undecided), one ? tr("has") : tr("have"),
                 m_changes->folder(), doing, one ? tr("it") : tr("them"));
    if (!m_prompter.confirmDelete || !m_prompter.confirmDelete(tr("Delete the changes?"), question)) {
        m_runTabs->setCurrentWidget(m_changes);
        return false;
    }
    m_changes->discard();
    return true;
}

void MainWindow::startRun()
{
    if (m_session->isRunning())
        return;
    if (!letGoOfUndecidedChanges(tr("Run again")))
        return;
    m_session->setCode(m_editor->text());
    m_session->setImageOverride(m_image->text());
    m_session->start();
}

void MainWindow::stopRun()
{
    if (m_session->isRunning()) {
        m_console->appendSystemLine(tr("Stopping…"));
        m_session->stop();
    }
}

void MainWindow::onRunStarted(Run* run)
{
    m_console->clear();
    m_artifacts->clear();
    m_changes->clear();
    m_monitor->startRun(run->spec().limits);
    const Grants grants = run->spec().grants;
    QStringList granted;
    if (grants.network)
        granted << tr("network");
    if (!grants.hostFolder.isEmpty())
        granted << (grants.hostFolderMode == Grants::HostFolderMode::Review ? tr("a copy of %1 for review")
                                                                            : tr("%1 read-only"))
                       .arg(grants.hostFolder);
    m_console->appendSystemLine(tr("Running %1 in %2 with %3.")
                                    .arg(run->spec().language, run->spec().image,
                                         granted.isEmpty() ? tr("no network and no host files")
                                                           : tr("these grants: ") + granted.join(QStringLiteral(", "))));
    connect(run, &Run::progress, m_console, &OutputConsole::appendSystemLine);
    connect(run, &Run::started, this, [this] {
        m_runClock.start();
        m_tick.start();
    });
    connect(run, &Run::output, m_console, &OutputConsole::appendOutput);
    connect(run, &Run::stats, m_monitor, &ResourceMonitor::addSample);
    updateRunButton();
}

void MainWindow::onRunFinished(const RunResult& result)
{
    m_tick.stop();
    if (m_runClock.isValid())
        m_elapsed->setText(humanDuration(result.wallMs));
    m_runClock.invalidate();
    if (result.outputTruncated)
        m_console->markTruncated(result.outputBytes);
    m_console->appendSystemLine(result.message);
    m_monitor->showResult(result);
    m_artifacts->showResult(result);
    if (!result.artifacts.isEmpty() || !result.refusedArtifacts.isEmpty())
        m_console->appendSystemLine(tr("Artifacts from /workspace/out: %1 collected, %2 refused; see the Artifacts tab.")
                                        .arg(result.artifacts.size())
                                        .arg(result.refusedArtifacts.size()));
    if (!result.hostChanges.folder.isEmpty()) {
        m_changes->showChanges(result.hostChanges);
        const qsizetype count = result.hostChanges.changes.size();
        if (count > 0) {
            m_console->appendSystemLine(
                tr("The code changed %1 in its copy of %2; nothing was written to the folder. "
                   "Review them in the Changes tab.")
                    .arg(count == 1 ? tr("1 file") : tr("%1 files").arg(count), result.hostChanges.folder));
            m_runTabs->setCurrentWidget(m_changes);
        } else {
            m_console->appendSystemLine(
                tr("The code changed nothing in its copy of %1.").arg(result.hostChanges.folder) +
                (result.hostChanges.note.isEmpty() ? QString() : QLatin1Char(' ') + result.hostChanges.note));
        }
    }
    updateRunButton();
    // The engine may have gone away (or the image), and the guided panels say what to do then.
    if (result.verdict == Verdict::BackendError)
        checkDocker();
    emit runEnded(result);
    if (m_closeWhenStopped)
        close();
}

bool MainWindow::showArtifacts()
{
    if (!m_artifacts->selectFirstPicture())
        return false;
    m_runTabs->setCurrentWidget(m_artifacts);
    return true;
}

void MainWindow::updateRunButton()
{
    const bool running = m_session->isRunning();
    m_runButton->setText(running ? tr("■ Stop") : tr("▶ Run"));
    m_runButton->setToolTip(running ? tr("Stop the run and remove its sandbox (Esc)")
                                    : tr("Run the code in a fresh sandbox (Ctrl+Return)"));
    m_language->setEnabled(!running);
    m_image->setEnabled(!running);
    m_grants->setEnabled(!running);
    m_limits->setEnabled(!running);
}

void MainWindow::openSnippetFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a snippet"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_prompter.inform(tr("Could not open"), tr("Could not read %1: %2.").arg(path, file.errorString()));
        return;
    }
    const Language* lang = LanguageTable::forFileName(path);
    const QString code = QString::fromUtf8(file.readAll());
    m_session->loadSnippet(code, lang ? lang->name : m_session->language());
    m_editor->setText(code);
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(m_settings, m_keyStore, this);
    if (dialog.exec() == QDialog::Accepted) {
        m_limits->setLimits(m_settings->defaultLimits());
        m_session->setLimits(m_settings->defaultLimits());
        m_image->setText(m_session->image());
        if (!m_imageBuilder->isRunning()) {
            const QString script = m_settings->imageBuildScript();
            m_imageBuilder->setScriptPath(script.isEmpty() ? ImageBuilder::defaultScriptPath() : script);
        }
        checkDocker();  // another image per language, or E2B set up meanwhile
    }
}

void MainWindow::showAbout()
{
    if (!m_about) {
        m_about = new AboutDialog(this);
        m_about->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_about->show();
    m_about->raise();
    // The engine in use right now, not the one of the last check.
    if (docker::DockerBackend* backend = dockerBackend())
        backend->checkEngine(m_about, [about = m_about](const docker::DockerHealth& health) {
            if (about)
                about->setDockerHealth(health);
        });
}

namespace {

/// A non-modal window of our own rich text (never a string from an engine or a snippet).
QDialog* textWindow(QWidget* parent, const QString& name, const QString& title, const QString& html)
{
    auto* dialog = new QDialog(parent);
    dialog->setObjectName(name);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    auto* browser = new QTextBrowser(dialog);
    browser->setObjectName(name + QStringLiteral("Text"));
    browser->setOpenLinks(false);
    browser->setHtml(html);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(browser);
    layout->addWidget(buttons);
    dialog->resize(640, 560);
    return dialog;
}

} // namespace

void MainWindow::showUserGuide()
{
    if (!m_guide)
        m_guide = textWindow(this, QStringLiteral("userGuideDialog"), tr("CodeCourier user guide"), UserGuide::html());
    m_guide->show();
    m_guide->raise();
}

QList<QPair<QString, QString>> MainWindow::shortcutList() const
{
    QList<QPair<QString, QString>> list;
    for (const QShortcut* shortcut : findChildren<QShortcut*>())
        if (shortcut->isEnabled() && !shortcut->key().isEmpty())
            list.append({shortcut->property("what").toString(), shortcut->key().toString(QKeySequence::NativeText)});
    for (const QAction* menuAction : menuBar()->actions()) {
        if (!menuAction->menu())
            continue;
        for (const QAction* action : menuAction->menu()->actions())
            for (const QKeySequence& keys : action->shortcuts())
                if (!keys.isEmpty())
                    list.append({action->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")),
                                 keys.toString(QKeySequence::NativeText)});
    }
    return list;
}

void MainWindow::showShortcuts()
{
    if (!m_shortcuts) {
        QString rows;
        for (const auto& [what, keys] : shortcutList())
            rows += QStringLiteral("<tr><td style='padding:3px 16px 3px 0'><b>%1</b></td><td>%2</td></tr>")
                        .arg(keys.toHtmlEscaped(), what.toHtmlEscaped());
        m_shortcuts = textWindow(this, QStringLiteral("shortcutsDialog"), tr("Keyboard shortcuts"),
                                 QStringLiteral("<h3>%1</h3><table>%2</table>").arg(tr("Keyboard shortcuts"), rows));
        m_shortcuts->resize(460, 360);
    }
    m_shortcuts->show();
    m_shortcuts->raise();
}

bool MainWindow::startTourIfNew()
{
    if (m_settings->tourSeen())
        return false;
    startTour();
    return true;
}

void MainWindow::startTour()
{
    if (m_tour)
        return;
    QList<FirstRunTour::Step> steps{
        {m_answer, tr("1. Paste what the AI wrote"),
         tr("Paste the AI's whole answer here. CodeCourier finds the code blocks in it and puts the program into "
            "the editor, so you can read it before anything runs.")},
        {m_grants, tr("2. The sandbox is closed"),
         tr("The code runs with no internet and without your files. These switches open one of them for the next "
            "run only, after asking you. Leave them off unless the code really needs it.")},
        {m_monitor, tr("3. Watch it run"),
         tr("While the code runs you see how much processor and memory it uses. When it ends, a card says how: "
            "finished, crashed, or stopped by one of the limits above it.")},
        {m_runButton, tr("4. Run it"),
         tr("Press Run (or Ctrl+Return) to start it in a fresh, throwaway sandbox. Stop (or Esc) ends it at once. "
            "Help ▸ User guide explains every limit and verdict.")},
    };
    m_tour = new FirstRunTour(this, steps);
    connect(m_tour, &FirstRunTour::ended, this, [this] { m_settings->setTourSeen(true); });
    m_tour->start();
}

} // namespace cc
