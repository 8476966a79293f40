#include "Autosave.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QStandardPaths>

namespace cc {

Autosave::Autosave(const QString& directory, QObject* parent) : QObject(parent), m_directory(directory)
{
    if (m_directory.isEmpty())
        m_directory = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
                      + QStringLiteral("/codecourier/autosave");
    m_timer.setSingleShot(true);
    m_timer.setInterval(400);
    connect(&m_timer, &QTimer::timeout, this, &Autosave::flush);
}

Autosave::~Autosave()
{
    flush();
}

QString Autosave::pathFor(const QString& key) const
{
    return m_directory + QLatin1Char('/') + key + QStringLiteral(".txt");
}

QString Autosave::load(const QString& key) const
{
    if (m_pending.contains(key))
        return m_pending.value(key);
    QFile file(pathFor(key));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

void Autosave::save(const QString& key, const QString& text)
{
    m_pending.insert(key, text);
    m_timer.start();
}

void Autosave::flush()
{
    m_timer.stop();
    if (m_pending.isEmpty())
        return;
    if (!QDir().mkpath(m_directory)) {
        m_lastError = tr("Could not create the autosave folder %1.").arg(m_directory);
        return;
    }
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        QSaveFile file(pathFor(it.key()));
        if (!file.open(QIODevice::WriteOnly) || file.write(it.value().toUtf8()) < 0 || !file.commit()) {
            m_lastError = tr("Could not autosave to %1: %2.").arg(file.fileName(), file.errorString());
            return;  // keep the texts pending; the next change tries again
        }
    }
    m_pending.clear();
    m_lastError.clear();
}

} // namespace cc
