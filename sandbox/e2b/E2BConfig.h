#pragma once

#include <QProcessEnvironment>
#include <QString>

namespace cc::e2b {

/// The port envd (the daemon inside every E2B sandbox) listens on.
inline constexpr int kEnvdPort = 49983;
/// The template a sandbox starts from unless the user chose another, as in the official SDK.
inline constexpr const char* kDefaultTemplate = "base";
inline constexpr const char* kDefaultDomain = "e2b.app";

/// Where the E2B control plane and the sandboxes' envd are, and the key that opens them. Derived
/// exactly as the official SDKs' ConnectionConfig does (E2B-PROTOCOL.md section 1):
///   API:  E2B_API_URL → (E2B_DEBUG ? http://localhost:3000 : https://api.<domain>)
///   envd: E2B_SANDBOX_URL → (E2B_DEBUG ? http://localhost:49983
///         : sandbox domain ∈ {e2b.app, e2b.dev, e2b.pro, e2b-staging.dev} ? https://sandbox.<domain>
///         : https://49983-<sandboxId>.<domain>)
/// The key is only ever sent as the X-API-KEY header; there is deliberately no way to print it.
class E2BConfig
{
public:
    /// From E2B_API_KEY, E2B_DOMAIN, E2B_DEBUG, E2B_API_URL and E2B_SANDBOX_URL. fallbackDomain (a
    /// setting) applies when E2B_DOMAIN is unset; the environment wins, as with DOCKER_HOST.
    static E2BConfig fromEnvironment(const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
                                     const QString& fallbackDomain = {});
    /// From explicit values (an empty value means "not given").
    static E2BConfig fromValues(const QString& apiKey, const QString& domain, bool debug, const QString& apiUrl,
                                const QString& sandboxUrl);

    /// The same configuration with a key from elsewhere (the system keychain). keySource names
    /// that place for people ("the system keychain"); the key itself is never part of a sentence.
    E2BConfig withApiKey(const QString& apiKey, const QString& keySource) const;

    bool hasApiKey() const { return !m_apiKey.isEmpty(); }
    const QString& apiKey() const { return m_apiKey; }
    /// Where the key came from ("E2B_API_KEY", "the system keychain"); empty without a key.
    const QString& apiKeySource() const { return m_apiKeySource; }
    const QString& domain() const { return m_domain; }
    bool debug() const { return m_debug; }
    /// Base URL of the control plane, without a trailing slash ("https://api.e2b.app").
    const QString& apiUrl() const { return m_apiUrl; }
    /// E2B_SANDBOX_URL when given (no trailing slash), else empty.
    const QString& sandboxUrlOverride() const { return m_sandboxUrl; }

    /// Base URL of one sandbox's envd. sandboxDomain is the domain the create call answered with;
    /// empty means the configured domain.
    QString envdUrl(const QString& sandboxId, const QString& sandboxDomain = {}) const;

    /// A sentence saying what is missing for a run, or empty when the configuration can be used.
    QString problem() const;

private:
    QString m_apiKey;
    QString m_apiKeySource;
    QString m_domain = QString::fromLatin1(kDefaultDomain);
    bool m_debug = false;
    QString m_apiUrl;
    QString m_sandboxUrl;
};

} // namespace cc::e2b
