#include "E2BBackend.h"

#include "E2BApi.h"
#include "E2BErrors.h"
#include "E2BRequests.h"
#include "E2BRun.h"

namespace cc::e2b {

E2BBackend::E2BBackend(http::HttpClient* http, E2BConfig config, QObject* parent)
    : Backend(parent), m_api(new E2BApi(http, std::move(config), this))
{
}

const E2BConfig& E2BBackend::config() const
{
    return m_api->config();
}

void E2BBackend::setConfig(E2BConfig config)
{
    m_api->setConfig(std::move(config));
    emit availabilityChanged();
}

QString E2BBackend::unavailableReason() const
{
    return m_api->config().problem();
}

Run* E2BBackend::start(const RunSpec& spec, QObject* parent)
{
    auto* run = new E2BRun(m_api, spec, parent ? parent : this);
    run->begin();
    return run;
}

void E2BBackend::probe(QObject* context, std::function<void(bool, const QString&)> done)
{
    auto answer = [this, done](const E2BResponse& r, bool v2, auto&& retry) -> void {
        if (!r.transportOk()) {
            done(false, describeTransportError(r.transportError, m_api->apiService()));
            return;
        }
        if (v2 && (r.status == 404 || r.status == 405)) {
            retry();
            return;
        }
        if (!r.ok()) {
            done(false, describeApiError(r.status, r.body, ApiCall::Probe));
            return;
        }
        QString service = m_api->apiService();
        service[0] = service.at(0).toUpper();
        done(true, QStringLiteral("%1 answers and accepts the key.").arg(service));
    };
    auto v1 = [this, context, answer] {
        m_api->send(probeRequest(m_api->config(), false), context,
                    [answer](const E2BResponse& r) { answer(r, false, [] {}); });
    };
    m_api->send(probeRequest(m_api->config(), true), context,
                [answer, v1](const E2BResponse& r) { answer(r, true, v1); });
}

} // namespace cc::e2b
