#include "Run.h"

namespace cc {

Run::Run(RunSpec spec, QObject* parent) : QObject(parent), m_spec(std::move(spec)) {}

void Run::finish(const RunResult& result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = result;
    emit finished(m_result);
}

} // namespace cc
