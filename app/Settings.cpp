#include "Settings.h"

#include "Language.h"
#include "docker/DockerEndpoint.h"

#include <QRegularExpression>
#include <QSettings>

namespace cc {

namespace {
const QString kImagePrefix = QStringLiteral("images/");
const QString kTimeout = QStringLiteral("limits/timeoutMs");
const QString kMemory = QStringLiteral("limits/memoryBytes");
const QString kCpus = QStringLiteral("limits/cpus");
const QString kPids = QStringLiteral("limits/pids");
const QString kOutput = QStringLiteral("limits/outputBytes");
const QString kDockerHost = QStringLiteral("docker/host");
const QString kE2BTemplate = QStringLiteral("e2b/template");
const QString kE2BDomain = QStringLiteral("e2b/domain");
// Template ids and aliases: letters, digits, '-', '_', '.', '/' and ':' (team/name:tag).
const QRegularExpression kTemplatePattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}$"));
const QRegularExpression kDomainPattern(
    QStringLiteral("^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"));
const QString kDockerRuntime = QStringLiteral("docker/runtime");
const QString kPoolSize = QStringLiteral("docker/poolSize");
constexpr int kMaxPoolSize = 8;
const QString kImageBuildScript = QStringLiteral("build/imageScript");
const QString kTourSeen = QStringLiteral("firstRun/tourSeen");
} // namespace

Settings::Settings()
    : m_settings(std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("codecourier"),
                                             QStringLiteral("codecourier")))
{
}

Settings::Settings(const QString& filePath) : m_settings(std::make_unique<QSettings>(filePath, QSettings::IniFormat)) {}

Settings::~Settings() = default;

QString Settings::filePath() const
{
    return m_settings->fileName();
}

QString Settings::imageForLanguage(const QString& language) const
{
    const QString stored = m_settings->value(kImagePrefix + language).toString().trimmed();
    if (!stored.isEmpty())
        return stored;
    const Language* lang = LanguageTable::find(language);
    return lang ? lang->defaultImage : QString();
}

void Settings::setImageForLanguage(const QString& language, const QString& image)
{
    if (image.trimmed().isEmpty())
        m_settings->remove(kImagePrefix + language);
    else
        m_settings->setValue(kImagePrefix + language, image.trimmed());
}

Limits Settings::defaultLimits() const
{
    // Each stored value is validated on its own: a hand-edited file with a nonsensical value must not
    // weaken or break runs, and must not throw away the other values the user chose (a stricter limit
    // silently reset to its default would weaken runs too).
    Limits limits;
    auto take = [this, &limits](auto Limits::*field, const QString& key, auto convert) {
        const QVariant stored = m_settings->value(key);
        if (!stored.isValid())
            return;
        bool ok = false;
        Limits probe;
        probe.*field = convert(stored, &ok);
        if (ok && validateLimits(probe).isEmpty())
            limits.*field = probe.*field;
    };
    take(&Limits::wallTimeoutMs, kTimeout, [](const QVariant& v, bool* ok) { return v.toInt(ok); });
    take(&Limits::memoryBytes, kMemory, [](const QVariant& v, bool* ok) { return v.toLongLong(ok); });
    take(&Limits::cpus, kCpus, [](const QVariant& v, bool* ok) { return v.toDouble(ok); });
    take(&Limits::pids, kPids, [](const QVariant& v, bool* ok) { return v.toInt(ok); });
    take(&Limits::outputBytes, kOutput, [](const QVariant& v, bool* ok) { return v.toLongLong(ok); });
    return limits;
}

void Settings::setDefaultLimits(const Limits& limits)
{
    m_settings->setValue(kTimeout, limits.wallTimeoutMs);
    m_settings->setValue(kMemory, limits.memoryBytes);
    m_settings->setValue(kCpus, limits.cpus);
    m_settings->setValue(kPids, limits.pids);
    m_settings->setValue(kOutput, limits.outputBytes);
}

QByteArray Settings::uiState(const QString& key) const
{
    return m_settings->value(QStringLiteral("ui/") + key).toByteArray();
}

void Settings::setUiState(const QString& key, const QByteArray& state)
{
    m_settings->setValue(QStringLiteral("ui/") + key, state);
}

int Settings::poolSize() const
{
    bool ok = false;
    const int size = m_settings->value(kPoolSize, 1).toInt(&ok);
    return ok && size >= 0 && size <= kMaxPoolSize ? size : 1;
}

void Settings::setPoolSize(int size)
{
    m_settings->setValue(kPoolSize, qBound(0, size, kMaxPoolSize));
}

QString Settings::imageBuildScript() const
{
    return m_settings->value(kImageBuildScript).toString().trimmed();
}

void Settings::setImageBuildScript(const QString& path)
{
    if (path.trimmed().isEmpty())
        m_settings->remove(kImageBuildScript);
    else
        m_settings->setValue(kImageBuildScript, path.trimmed());
}

bool Settings::tourSeen() const
{
    return m_settings->value(kTourSeen, false).toBool();
}

void Settings::setTourSeen(bool seen)
{
    m_settings->setValue(kTourSeen, seen);
    m_settings->sync();  // a crash right after Skip must not bring the tour back
}

QString Settings::dockerRuntime() const
{
    const QString runtime = m_settings->value(kDockerRuntime).toString().trimmed();
    // A hand-edited file must not smuggle anything but a name into the engine's request.
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    return name.match(runtime).hasMatch() ? runtime : QString();
}

QString Settings::setDockerRuntime(const QString& runtime)
{
    const QString value = runtime.trimmed();
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    if (!value.isEmpty() && !name.match(value).hasMatch())
        return QStringLiteral("\"%1\" is not a runtime name: use a name such as runsc, or leave it empty for the "
                              "engine's default.")
            .arg(value);
    m_settings->setValue(kDockerRuntime, value);
    return {};
}

QString Settings::dockerHost() const
{
    return m_settings->value(kDockerHost).toString();
}

QString Settings::setDockerHost(const QString& dockerHost)
{
    const QString value = dockerHost.trimmed();
    if (!value.isEmpty()) {
        const QString error = docker::DockerEndpoint::fromDockerHost(value).error;
        if (!error.isEmpty())
            return error;
    }
    m_settings->setValue(kDockerHost, value);
    return {};
}

QString Settings::e2bTemplate() const
{
    const QString stored = m_settings->value(kE2BTemplate).toString().trimmed();
    // A hand-edited nonsense value falls back to E2B's default rather than reaching the API.
    return kTemplatePattern.match(stored).hasMatch() ? stored : QStringLiteral("base");
}

void Settings::setE2BTemplate(const QString& templateName)
{
    const QString value = templateName.trimmed();
    if (value.isEmpty() || !kTemplatePattern.match(value).hasMatch())
        m_settings->remove(kE2BTemplate);
    else
        m_settings->setValue(kE2BTemplate, value);
}

QString Settings::e2bDomain() const
{
    const QString stored = m_settings->value(kE2BDomain).toString().trimmed();
    return kDomainPattern.match(stored).hasMatch() ? stored : QString();
}

QString Settings::setE2BDomain(const QString& domain)
{
    const QString value = domain.trimmed();
    if (value.isEmpty()) {
        m_settings->remove(kE2BDomain);
        return {};
    }
    if (!kDomainPattern.match(value).hasMatch())
        return QStringLiteral("\"%1\" is not a domain name: give one like e2b.app (or leave it empty).").arg(value);
    m_settings->setValue(kE2BDomain, value);
    return {};
}

} // namespace cc
