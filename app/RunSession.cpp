#include "RunSession.h"

#include "Backend.h"
#include "HistoryRecorder.h"
#include "Language.h"
#include "Run.h"
#include "Settings.h"
#include "docker/DockerEndpoint.h"

#include <QDir>

namespace cc {

RunSession::RunSession(Backend* backend, const Settings& settings, QObject* parent)
    : QObject(parent), m_backend(backend), m_backends{backend}, m_settings(settings), m_limits(settings.defaultLimits())
{
}

void RunSession::addBackend(Backend* backend)
{
    if (backend && !m_backends.contains(backend))
        m_backends.append(backend);
}

bool RunSession::setBackend(const QString& name)
{
    if (isRunning())
        return false;
    for (Backend* backend : std::as_const(m_backends)) {
        if (backend->name() != name)
            continue;
        if (backend != m_backend) {
            m_backend = backend;
            m_imageOverride.clear();
            revokeGrants();
            emit backendChanged(name);
        }
        return true;
    }
    return false;
}

void RunSession::setHistory(HistoryRecorder* history)
{
    if (m_history)
        disconnect(m_history, &HistoryRecorder::problem, this, &RunSession::historyProblem);
    m_history = history;
    if (m_history)
        connect(m_history, &HistoryRecorder::problem, this, &RunSession::historyProblem);
}

void RunSession::loadSnippet(const QString& code, const QString& language, const QString& answer)
{
    m_code = code;
    m_answer = answer;
    if (LanguageTable::find(language))
        setLanguage(language);
    // Grants belong to the code they were given for: new code starts locked down again.
    revokeGrants();
}

void RunSession::setLanguage(const QString& language)
{
    const Language* lang = LanguageTable::find(language);
    const QString name = lang ? lang->name : language;
    if (name == m_language)
        return;
    m_language = name;
    m_imageOverride.clear();
    emit languageChanged(m_language);
}

QString RunSession::image() const
{
    if (!m_imageOverride.isEmpty())
        return m_imageOverride;
    // On E2B the "image" is the sandbox template.
    return m_backend->name() == QLatin1String("e2b") ? m_settings.e2bTemplate() : m_settings.imageForLanguage(m_language);
}

void RunSession::setImageOverride(const QString& image)
{
    const QString trimmed = image.trimmed();
    m_imageOverride.clear();
    m_imageOverride = trimmed == RunSession::image() ? QString() : trimmed;
}

void RunSession::setNetworkGranted(bool granted)
{
    if (m_grants.network == granted)
        return;
    m_grants.network = granted;
    emit grantsChanged(m_grants);
}

void RunSession::setHostFolder(const QString& folder, Grants::HostFolderMode mode)
{
    if (folder.isEmpty())
        mode = Grants::HostFolderMode::ReadOnly;
    if (m_grants.hostFolder == folder && m_grants.hostFolderMode == mode)
        return;
    m_grants.hostFolder = folder;
    m_grants.hostFolderMode = mode;
    emit grantsChanged(m_grants);
}

HostFolderCheck RunSession::checkFolder(const QString& folder) const
{
    return checkHostFolder(folder, QDir::homePath(), docker::DockerEndpoint::fromEnvironment().socketPath);
}

void RunSession::revokeGrants()
{
    if (!m_grants.network && m_grants.hostFolder.isEmpty())
        return;
    m_grants = Grants{};
    emit grantsChanged(m_grants);
}

RunSpec RunSession::currentSpec() const
{
    RunSpec spec;
    spec.language = m_language;
    spec.image = image();
    spec.limits = m_limits;
    spec.grants = m_grants;
    if (m_backend->name() == QLatin1String("docker"))
        spec.runtime = m_settings.dockerRuntime();
    if (const Language* lang = LanguageTable::find(m_language)) {
        spec.files.append({lang->fileName, m_code.toUtf8()});
        spec.command = lang->command;
    }
    return spec;
}

void RunSession::prewarm()
{
    m_backend->prewarm(currentSpec());
}

Run* RunSession::start()
{
    if (m_run)
        return nullptr;
    Run* run = m_backend->start(currentSpec(), this);
    m_run = run;
    m_recordId.reset();
    if (m_history) {
        const QMetaObject::Connection started =
            connect(m_history, &HistoryRecorder::recordStarted, this, [this](qint64 id) { m_recordId = id; });
        m_history->record(run, m_backend->name(), m_answer.toUtf8());
        disconnect(started);
    }
    connect(run, &Run::finished, this, [this, run](const RunResult& result) {
        if (m_run == run)
            m_run = nullptr;
        emit runFinished(result);
        run->deleteLater();
    });
    emit runStarted(run);
    return run;
}

void RunSession::recordChangeDecision(const ChangeSet& changes, const ChangeDecision& decision)
{
    if (m_history && m_recordId)
        m_history->recordChanges(*m_recordId, changes, decision);
}

void RunSession::stop()
{
    if (m_run)
        m_run->cancel();
}

} // namespace cc
