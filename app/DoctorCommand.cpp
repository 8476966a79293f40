#include "DoctorCommand.h"

#include "Language.h"
#include "RunCommand.h"
#include "Settings.h"
#include "VerdictDecider.h"
#include "docker/DockerApi.h"
#include "e2b/E2BBackend.h"

#include <QMap>

namespace cc {

DoctorCommand::DoctorCommand(docker::DockerApi* api, e2b::E2BBackend* e2b, const Settings& settings, QObject* parent)
    : QObject(parent), m_api(api), m_e2b(e2b), m_settings(settings)
{
}

void DoctorCommand::report(bool good, const QString& line)
{
    if (!good)
        m_healthy = false;
    writeFully(1, (QStringLiteral("%1 %2\n").arg(good ? QStringLiteral("[ok]  ") : QStringLiteral("[fix] "), line)).toUtf8());
}

void DoctorCommand::start(std::function<void(int)> done)
{
    m_done = std::move(done);
    // Both checks at once: a dead Docker engine must not hide the E2B answer, nor the reverse. Both
    // are counted before either starts, so that one settling at once cannot end the report.
    m_pending += 2;
    checkE2B();
    m_api->call("GET", "/version", nullptr, this, [this](const docker::DockerResponse& r) {
        if (!r.ok()) {
            report(false, QStringLiteral("Docker engine: %1").arg(r.error));
        } else {
            const auto j = r.json();
            report(true, QStringLiteral("Docker engine %1 (API %2) on %3 at %4")
                             .arg(QString::fromStdString(j.value("Version", std::string("?"))),
                                  QString::fromStdString(j.value("ApiVersion", std::string("?"))),
                                  QString::fromStdString(j.value("Os", std::string("?"))) + QLatin1Char('/')
                                      + QString::fromStdString(j.value("Arch", std::string("?"))),
                                  m_api->endpoint().socketPath));
            checkInfo();
            checkImages();
        }
        finishIfDone();
    });
}

void DoctorCommand::checkInfo()
{
    ++m_pending;
    m_api->call("GET", "/info", nullptr, this, [this](const docker::DockerResponse& r) {
        const auto j = r.json();
        if (r.ok() && j.is_object()) {
            QStringList runtimes;
            const nlohmann::json runtimeTable = j.value("Runtimes", nlohmann::json::object());
            for (const auto& [name, value] : runtimeTable.items())
                runtimes << QString::fromStdString(name);
            const bool gvisor = runtimes.contains(QLatin1String("runsc"));
            report(true, QStringLiteral("Runtimes: %1%2")
                             .arg(runtimes.join(QStringLiteral(", ")),
                                  gvisor ? QStringLiteral(" (gVisor available: run --runtime runsc)")
                                         : QStringLiteral(" (gVisor's runsc is not registered; optional)")));
            report(true, QStringLiteral("Cgroups v%1, storage driver %2")
                             .arg(QString::fromStdString(j.value("CgroupVersion", std::string("1"))),
                                  QString::fromStdString(j.value("Driver", std::string("?")))));
        }
        finishIfDone();
    });
}

void DoctorCommand::checkImages()
{
    QMap<QString, QStringList> languagesByImage;
    for (const Language& language : LanguageTable::all())
        languagesByImage[m_settings.imageForLanguage(language.name)] << language.name;
    for (auto it = languagesByImage.cbegin(); it != languagesByImage.cend(); ++it) {
        const QString image = it.key();
        const QString languages = it.value().join(QStringLiteral(", "));
        ++m_pending;
        m_api->call("GET", "/images/" + docker::DockerApi::query(image) + "/json", nullptr, this,
                    [this, image, languages](const docker::DockerResponse& r) {
                        if (r.ok())
                            report(true, QStringLiteral("Image %1 for %2 (%3)")
                                             .arg(image, languages,
                                                  humanBytes(r.json().is_object() ? r.json().value("Size", qint64(0)) : 0)));
                        else if (r.status == 404)
                            report(false, QStringLiteral("Image %1 for %2 is missing: build it with "
                                                         "`codecourier-build-images` (in a source tree: "
                                                         "`packaging/images/build-images.sh`), or pull it.")
                                              .arg(image, languages));
                        else
                            report(false, QStringLiteral("Image %1: %2").arg(image, r.error));
                        finishIfDone();
                    });
    }
}

void DoctorCommand::checkE2B()
{
    if (!m_e2b) {
        finishIfDone();
        return;
    }
    const e2b::E2BConfig& config = m_e2b->config();
    // The key itself is never printed, not even in part: only whether it is there.
    if (!config.hasApiKey()) {
        const QString where = m_keychainProblem.isEmpty()
                                  ? QStringLiteral("E2B_API_KEY is not set and the system keychain holds none")
                                  : QStringLiteral("E2B_API_KEY is not set and the system keychain could not be read");
        writeFully(1, QStringLiteral("[info] E2B: no API key: %1, so --backend e2b cannot run; store one in the "
                                     "window's Settings or set E2B_API_KEY to use remote sandboxes (API %2).\n")
                          .arg(where, config.apiUrl())
                          .toUtf8());
        if (!m_keychainProblem.isEmpty())
            writeFully(1, QStringLiteral("[info] Keychain: %1\n").arg(m_keychainProblem).toUtf8());
        finishIfDone();
        return;
    }
    const QString envd = config.sandboxUrlOverride().isEmpty()
                             ? config.envdUrl(QStringLiteral("<sandbox>"))
                             : config.sandboxUrlOverride();
    writeFully(1, QStringLiteral("[info] E2B: API key from %1 (not shown); API %2, sandboxes at %3, template %4.\n")
                      .arg(config.apiKeySource(), config.apiUrl(), envd, m_settings.e2bTemplate())
                      .toUtf8());
    m_e2b->probe(this, [this](bool ok, const QString& sentence) {
        report(ok, QStringLiteral("E2B: %1").arg(sentence));
        finishIfDone();
    });
}

void DoctorCommand::finishIfDone()
{
    if (--m_pending > 0)
        return;
    writeFully(1, m_healthy ? QByteArray("Ready: snippets can run locked down.\n")
                            : QByteArray("Not ready: fix the lines marked [fix] above.\n"));
    m_done(m_healthy ? 0 : 1);
}

} // namespace cc
