#include "ApiKeyStore.h"

#include <QEventLoop>
#include <QTimer>
#include <qt6keychain/keychain.h>

namespace cc {

namespace {

// The one entry this store keeps; the service name tells CodeCourier's entries from others'.
constexpr const char* kEntryKey = "e2b-api-key";

QString keychainProblem(const QKeychain::Job& job)
{
    // The library's own text names the mechanism that failed (D-Bus, Secret Service, ...); it never
    // holds the secret.
    const QString detail = job.errorString().trimmed();
    switch (job.error()) {
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return QStringLiteral("The system keychain refused access (%1): unlock it and try again, or set E2B_API_KEY "
                              "in the environment instead.")
            .arg(detail);
    case QKeychain::NoBackendAvailable:
        return QStringLiteral("No system keychain is available (%1): start your desktop's keyring (for example "
                              "GNOME Keyring or KWallet), or set E2B_API_KEY in the environment instead.")
            .arg(detail);
    default:
        return QStringLiteral("The system keychain could not be used (%1): check that your desktop's keyring runs "
                              "and is unlocked, or set E2B_API_KEY in the environment instead.")
            .arg(detail);
    }
}

template<typename JobType>
JobType* newJob(const QString& service, QObject* parent)
{
    auto* job = new JobType(service, parent);
    job->setKey(QString::fromLatin1(kEntryKey));
    // Never store the key in a plain settings file when no keychain answers.
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    return job;
}

} // namespace

ApiKeyStore::ApiKeyStore(QString service, QObject* parent) : QObject(parent), m_service(std::move(service)) {}

void ApiKeyStore::read(std::function<void(const ReadResult&)> done)
{
    auto* job = newJob<QKeychain::ReadPasswordJob>(m_service, this);
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)] {
        ReadResult result;
        if (job->error() == QKeychain::NoError) {
            result.key = job->textData().trimmed();
            result.found = !result.key.isEmpty();
        } else if (job->error() != QKeychain::EntryNotFound) {
            result.error = keychainProblem(*job);
        }
        done(result);
    });
    job->start();
}

void ApiKeyStore::write(const QString& key, std::function<void(const QString&)> done)
{
    const QString trimmed = key.trimmed();
    if (trimmed.isEmpty()) {
        QTimer::singleShot(0, this, [done = std::move(done)] {
            done(QStringLiteral("The API key is empty: paste the key from your E2B dashboard."));
        });
        return;
    }
    auto* job = newJob<QKeychain::WritePasswordJob>(m_service, this);
    job->setTextData(trimmed);
    connect(job, &QKeychain::Job::finished, this, [this, job, trimmed, done = std::move(done)] {
        const bool ok = job->error() == QKeychain::NoError;
        done(ok ? QString() : keychainProblem(*job));
        if (ok)
            emit keyChanged(trimmed);
    });
    job->start();
}

void ApiKeyStore::remove(std::function<void(const QString&)> done)
{
    auto* job = newJob<QKeychain::DeletePasswordJob>(m_service, this);
    connect(job, &QKeychain::Job::finished, this, [this, job, done = std::move(done)] {
        const bool gone = job->error() == QKeychain::NoError || job->error() == QKeychain::EntryNotFound;
        done(gone ? QString() : keychainProblem(*job));
        if (gone)
            emit keyChanged(QString());
    });
    job->start();
}

ApiKeyStore::ReadResult ApiKeyStore::readAndWait(int timeoutMs)
{
    ReadResult result;
    bool answered = false;
    QEventLoop loop;
    // A guard so that a late answer after the timeout never writes into this returned frame.
    auto alive = std::make_shared<bool>(true);
    read([&, alive](const ReadResult& r) {
        if (!*alive)
            return;
        result = r;
        answered = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (!answered)
        loop.exec();
    *alive = false;
    if (!answered)
        result.error = QStringLiteral("The system keychain did not answer within %1 s (is it waiting to be "
                                      "unlocked?): unlock it, or set E2B_API_KEY in the environment instead.")
                           .arg(timeoutMs / 1000);
    return result;
}

} // namespace cc
