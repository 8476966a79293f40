#pragma once

// A unix-socket proxy in front of the Docker engine, so that a test can make the engine
// "die" (stop()) and "come back" (start()) without touching the real engine.

#include <QLocalServer>
#include <QLocalSocket>
#include <QObject>
#include <QPointer>

namespace cc::test {

class SocketProxy : public QObject
{
public:
    SocketProxy(QString listenPath, QString targetPath) : m_listenPath(std::move(listenPath)), m_target(std::move(targetPath))
    {
        QObject::connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket* client = m_server.nextPendingConnection()) {
                auto* upstream = new QLocalSocket(client);
                upstream->connectToServer(m_target);
                QObject::connect(client, &QLocalSocket::readyRead, upstream, [client, upstream] {
                    upstream->write(client->readAll());
                });
                QObject::connect(upstream, &QLocalSocket::readyRead, client, [client, upstream] {
                    client->write(upstream->readAll());
                });
                QObject::connect(upstream, &QLocalSocket::disconnected, client, [client] { client->disconnectFromServer(); });
                QObject::connect(client, &QLocalSocket::disconnected, client, &QObject::deleteLater);
                m_clients << client;
            }
        });
    }

    bool start()
    {
        QLocalServer::removeServer(m_listenPath);
        return m_server.listen(m_listenPath);
    }

    /// The engine vanishes: no new connections, and every open one is cut.
    void stop()
    {
        m_server.close();
        for (const QPointer<QLocalSocket>& client : std::as_const(m_clients))
            if (client)
                client->abort();
        m_clients.clear();
    }

    QString path() const { return m_listenPath; }

private:
    QString m_listenPath;
    QString m_target;
    QLocalServer m_server;
    QList<QPointer<QLocalSocket>> m_clients;
};

} // namespace cc::test
