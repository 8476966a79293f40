#include "E2BConfig.h"

#include <QStringList>

namespace cc::e2b {

namespace {

QString withoutTrailingSlash(QString url)
{
    url = url.trimmed();
    while (url.endsWith(QLatin1Char('/')))
        url.chop(1);
    return url;
}

} // namespace

E2BConfig E2BConfig::fromEnvironment(const QProcessEnvironment& env, const QString& fallbackDomain)
{
    QString domain = env.value(QStringLiteral("E2B_DOMAIN")).trimmed();
    if (domain.isEmpty())
        domain = fallbackDomain.trimmed();
    // The SDK: process.env.E2B_DEBUG?.toLowerCase() === 'true'.
    const bool debug = env.value(QStringLiteral("E2B_DEBUG")).trimmed().compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
    return fromValues(env.value(QStringLiteral("E2B_API_KEY")), domain, debug, env.value(QStringLiteral("E2B_API_URL")),
                      env.value(QStringLiteral("E2B_SANDBOX_URL")));
}

E2BConfig E2BConfig::fromValues(const QString& apiKey, const QString& domain, bool debug, const QString& apiUrl,
                                const QString& sandboxUrl)
{
    E2BConfig c;
    c.m_apiKey = apiKey.trimmed();
    if (!c.m_apiKey.isEmpty())
        c.m_apiKeySource = QStringLiteral("E2B_API_KEY");
    if (!domain.trimmed().isEmpty())
        c.m_domain = domain.trimmed();
    c.m_debug = debug;
    c.m_sandboxUrl = withoutTrailingSlash(sandboxUrl);
    if (!apiUrl.trimmed().isEmpty())
        c.m_apiUrl = withoutTrailingSlash(apiUrl);
    else if (debug)
        c.m_apiUrl = QStringLiteral("http://localhost:3000");
    else
        c.m_apiUrl = QStringLiteral("https://api.%1").arg(c.m_domain);
    return c;
}

E2BConfig E2BConfig::withApiKey(const QString& apiKey, const QString& keySource) const
{
    E2BConfig c = *this;
    c.m_apiKey = apiKey.trimmed();
    c.m_apiKeySource = c.m_apiKey.isEmpty() ? QString() : keySource;
    return c;
}

QString E2BConfig::envdUrl(const QString& sandboxId, const QString& sandboxDomain) const
{
    if (!m_sandboxUrl.isEmpty())
        return m_sandboxUrl;
    if (m_debug)
        return QStringLiteral("http://localhost:%1").arg(kEnvdPort);
    const QString domain = sandboxDomain.trimmed().isEmpty() ? m_domain : sandboxDomain.trimmed();
    // E2B's own domains have a shared gateway that routes on the E2b-Sandbox-Id header (SDK since
    // 2026-05); self-hosted domains keep the per-sandbox host name.
    static const QStringList gatewayDomains{QStringLiteral("e2b.app"), QStringLiteral("e2b.dev"),
                                            QStringLiteral("e2b.pro"), QStringLiteral("e2b-staging.dev")};
    if (gatewayDomains.contains(domain))
        return QStringLiteral("https://sandbox.%1").arg(domain);
    return QStringLiteral("https://%1-%2.%3").arg(kEnvdPort).arg(sandboxId, domain);
}

QString E2BConfig::problem() const
{
    // Debug mode talks to a local envd without a key, as the SDK does.
    if (!hasApiKey() && !m_debug)
        return QStringLiteral("No E2B API key is set: create one at https://e2b.dev/dashboard, then enter it in "
                              "Settings (it is kept in the system keychain) or export E2B_API_KEY=... to run "
                              "snippets on E2B.");
    return {};
}

} // namespace cc::e2b
