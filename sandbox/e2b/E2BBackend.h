#pragma once

#include "Backend.h"
#include "E2BConfig.h"

#include <functional>

namespace cc::http {
class HttpClient;
}

namespace cc::e2b {

class E2BApi;

/// Runs snippets in fresh E2B sandboxes (remote Firecracker microVMs), one per run, deleted at the
/// end. Configured like the official SDKs (E2BConfig). Lives in the thread that created it.
class E2BBackend : public Backend
{
    Q_OBJECT
public:
    E2BBackend(http::HttpClient* http, E2BConfig config, QObject* parent = nullptr);

    QString name() const override { return QStringLiteral("e2b"); }
    Run* start(const RunSpec& spec, QObject* parent = nullptr) override;
    /// What the configuration lacks (no E2B_API_KEY), as a sentence; empty when runs can be tried.
    QString unavailableReason() const override;

    E2BApi* api() const { return m_api; }
    const E2BConfig& config() const;
    /// Replaces the configuration, e.g. when the key is read from the keychain after start-up or
    /// changed in the settings; emits availabilityChanged().
    void setConfig(E2BConfig config);

    /// Asks the API whether it answers and accepts the key (a sandbox listing, which creates
    /// nothing). done(ok, sentence) is called once; the sentence never contains the key.
    void probe(QObject* context, std::function<void(bool ok, const QString& sentence)> done);

private:
    E2BApi* m_api;
};

} // namespace cc::e2b
