#include "HistoryRecorder.h"

#include "Run.h"

#include <memory>

namespace cc {

HistoryRecorder::HistoryRecorder(HistoryStore* store, QObject* parent) : QObject(parent), m_store(store)
{
}

void HistoryRecorder::report(const QString& sentence)
{
    if (m_reported || sentence.isEmpty())
        return;
    m_reported = true;
    emit problem(sentence);
}

void HistoryRecorder::record(Run* run, const QString& backend, const QByteArray& answer)
{
    if (!m_store || !run)
        return;
    if (!m_store->isEnabled()) {
        report(m_store->disabledReason());
        return;
    }
    const std::optional<qint64> id = m_store->begin(run->spec(), backend, answer);
    if (!id) {
        report(m_store->error());
        return;
    }
    emit recordStarted(*id);
    // Output is kept as it arrives, clipped at the history's cap, and written once at the end.
    auto output = std::make_shared<HistoryOutput>();
    connect(run, &Run::output, this, [output](Run::Stream stream, const QByteArray& bytes) {
        output->append(stream == Run::Stream::Stderr, bytes);
    });
    connect(run, &Run::finished, this, [this, output, recordId = *id](const RunResult& result) {
        if (m_store->finish(recordId, result, *output))
            emit recordFinished(recordId);
        else
            report(m_store->error());
    });
}

void HistoryRecorder::recordChanges(qint64 id, const ChangeSet& changes, const ChangeDecision& decision)
{
    if (!m_store || !m_store->isEnabled())
        return;
    if (!m_store->recordChanges(id, changes, decision))
        report(m_store->error());
}

} // namespace cc
