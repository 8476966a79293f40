#pragma once

#include "RunResult.h"
#include "RunSpec.h"
#include "StatsSample.h"

#include <QByteArray>
#include <QObject>

namespace cc {

/// One run of a snippet in a sandbox, as a stream of events:
/// created → started → output… and stats… → finished. Exactly one finished(), always: also when
/// the engine dies, the network drops, the API answers garbage or the run is cancelled.
///
/// A Run lives in the thread that created it (the GUI thread in the app); all its signals arrive
/// there. Events are never emitted from inside start(), so connecting right after start() is safe.
class Run : public QObject
{
    Q_OBJECT
public:
    enum class Stream { Stdout, Stderr };
    Q_ENUM(Stream)

    explicit Run(RunSpec spec, QObject* parent = nullptr);

    const RunSpec& spec() const { return m_spec; }
    bool isFinished() const { return m_finished; }
    /// Valid once finished() was emitted.
    const RunResult& result() const { return m_result; }

    /// Stops the run as soon as possible; it ends with verdict `cancelled` unless it had already
    /// ended. Safe to call at any time, any number of times.
    virtual void cancel() = 0;

signals:
    void created(const QString& sandboxId);
    void started();
    void output(cc::Run::Stream stream, const QByteArray& bytes);
    void stats(const cc::StatsSample& sample);
    /// A step worth showing to a person as a dimmed system line ("container created").
    void progress(const QString& text);
    void finished(const cc::RunResult& result);

protected:
    /// Emits finished() once; later calls are ignored. Subclasses call it from every ending path.
    void finish(const RunResult& result);

private:
    RunSpec m_spec;
    RunResult m_result;
    bool m_finished = false;
};

} // namespace cc
