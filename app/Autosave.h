#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

namespace cc {

/// Keeps named texts (the editor, the AI answer) on disk so that they survive a restart or a
/// crash: each change is written shortly after it happens, atomically (write to a temporary
/// file, then rename), so a crash mid-write never leaves a half file.
class Autosave : public QObject
{
    Q_OBJECT
public:
    /// directory empty: the user's data folder (XDG: ~/.local/share/codecourier/autosave).
    explicit Autosave(const QString& directory = QString(), QObject* parent = nullptr);
    ~Autosave() override;

    QString load(const QString& key) const;
    /// Remembers the text and writes it within the debounce delay.
    void save(const QString& key, const QString& text);
    /// Writes everything pending now (also done on destruction).
    void flush();
    QString directory() const { return m_directory; }
    /// The last write error, empty when all is well.
    QString lastError() const { return m_lastError; }

private:
    QString pathFor(const QString& key) const;

    QString m_directory;
    QHash<QString, QString> m_pending;
    QTimer m_timer;
    QString m_lastError;
};

} // namespace cc
