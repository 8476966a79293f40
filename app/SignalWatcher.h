#pragma once

#include <QObject>

class QSocketNotifier;

namespace cc {

/// Turns SIGINT, SIGTERM and SIGHUP into a Qt signal in the main thread (self-pipe), so that
/// Ctrl+C on the command line cancels the run and removes its sandbox instead of leaving it.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject* parent = nullptr);
    ~SignalWatcher() override;

signals:
    void received(int signalNumber);

private:
    QSocketNotifier* m_notifier = nullptr;
};

} // namespace cc
