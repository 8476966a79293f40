#pragma once

#include "RunResult.h"
#include "RunSpec.h"
#include "StatsSample.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QFrame;

namespace cc {

class SparklineChart;

/// Live CPU and memory charts while a run lasts, then a result card: the verdict and its
/// explanation, exit code, wall time, CPU time and peak memory against the memory limit.
/// Shows only what the engine reported; it never re-derives a verdict.
class ResourceMonitor : public QWidget
{
    Q_OBJECT
public:
    explicit ResourceMonitor(QWidget* parent = nullptr);

    /// A new run begins under these limits: charts and card are reset.
    void startRun(const Limits& limits);
    void addSample(const StatsSample& sample);
    void showResult(const RunResult& result);
    void clear();

    /// A short title for a verdict, as the card shows it ("Time limit").
    static QString verdictTitle(Verdict verdict);

private:
    SparklineChart* m_cpuChart;
    SparklineChart* m_memoryChart;
    QLabel* m_liveLabel;
    QFrame* m_card;
    QLabel* m_verdictLabel;
    QLabel* m_messageLabel;
    QLabel* m_figuresLabel;
    QProgressBar* m_peakMemoryBar;
    Limits m_limits;
};

} // namespace cc
