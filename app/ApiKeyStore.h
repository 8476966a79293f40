#pragma once

#include <QObject>
#include <QString>

#include <functional>

namespace cc {

/// The E2B API key in the system keychain (Secret Service, KWallet, macOS Keychain, Windows
/// Credential Store through QtKeychain), never in the plain settings file. There is no plain-text
/// fallback: when no keychain answers, the store says so and the key must come from E2B_API_KEY.
///
/// Every operation is asynchronous (the keychain may ask the person to unlock it) and calls its
/// callback exactly once, on the thread that owns the store, unless the store is destroyed first.
class ApiKeyStore : public QObject
{
    Q_OBJECT
public:
    /// The keychain entry's service name; tests pass their own so that they never touch a real key.
    static constexpr const char* kDefaultService = "org.codecourier.CodeCourier";

    explicit ApiKeyStore(QString service = QString::fromLatin1(kDefaultService), QObject* parent = nullptr);

    /// found: a key is stored (key holds it). Neither found nor error: nothing is stored. error: a
    /// sentence saying why the keychain could not be read and what to do instead.
    struct ReadResult
    {
        bool found = false;
        QString key;
        QString error;
    };
    void read(std::function<void(const ReadResult&)> done);
    /// Stores (or replaces) the key. done(error) with an empty error on success.
    void write(const QString& key, std::function<void(const QString& error)> done);
    /// Removes the key; removing an absent key is a success.
    void remove(std::function<void(const QString& error)> done);

    /// Blocks in a local event loop until the key is read or timeoutMs passes, for the command
    /// line, which needs the key before its run can start. Never used by the window.
    ReadResult readAndWait(int timeoutMs);

    const QString& service() const { return m_service; }

signals:
    /// A write or removal through this store succeeded; key is empty after a removal. Lets the
    /// composition root hand the new key to the E2B backend without a second keychain read.
    void keyChanged(const QString& key);

private:
    QString m_service;
};

} // namespace cc
