#include "ResourceMonitor.h"

#include "PlainLabel.h"
#include "SparklineChart.h"
#include "VerdictDecider.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>

namespace cc {

namespace {

QColor verdictColor(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Ok:
        return QColor(0x2e, 0x8b, 0x57);
    case Verdict::ExitNonzero:
        return QColor(0xc7, 0x7c, 0x02);
    case Verdict::Cancelled:
        return QColor(0x70, 0x70, 0x70);
    case Verdict::BackendError:
        return QColor(0x8e, 0x44, 0xad);
    default:
        return QColor(0xc0, 0x39, 0x2b);
    }
}

} // namespace

QString ResourceMonitor::verdictTitle(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Ok:
        return tr("Finished");
    case Verdict::ExitNonzero:
        return tr("Exited with an error");
    case Verdict::Timeout:
        return tr("Time limit");
    case Verdict::MemoryLimit:
        return tr("Memory limit");
    case Verdict::OutputLimit:
        return tr("Output limit");
    case Verdict::PidsLimit:
        return tr("Process limit");
    case Verdict::Cancelled:
        return tr("Stopped");
    case Verdict::BackendError:
        return tr("Could not run");
    }
    return {};
}

ResourceMonitor::ResourceMonitor(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("resourceMonitor"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* charts = new QHBoxLayout;
    m_cpuChart = new SparklineChart(tr("CPU"), this);
    m_cpuChart->setObjectName(QStringLiteral("cpuChart"));
    m_cpuChart->setFormatter([](double v) { return QStringLiteral("%1 %").arg(v, 0, 'f', 0); });
    m_cpuChart->setToolTip(tr("CPU use of everything in the sandbox, sampled once a second. 100 % is one full core."));
    m_memoryChart = new SparklineChart(tr("Memory"), this);
    m_memoryChart->setObjectName(QStringLiteral("memoryChart"));
    m_memoryChart->setFormatter([](double v) { return humanBytes(qint64(v)); });
    m_memoryChart->setToolTip(tr("Memory in use in the sandbox, sampled once a second, up to the memory limit."));
    charts->addWidget(m_cpuChart);
    charts->addWidget(m_memoryChart);
    layout->addLayout(charts);

    m_liveLabel = new PlainLabel(QStringLiteral("liveLabel"), this);
    layout->addWidget(m_liveLabel);

    m_card = new QFrame(this);
    m_card->setObjectName(QStringLiteral("resultCard"));
    m_card->setFrameShape(QFrame::StyledPanel);
    auto* cardLayout = new QVBoxLayout(m_card);
    m_verdictLabel = new PlainLabel(QStringLiteral("verdictLabel"), m_card);
    QFont bold = m_verdictLabel->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_verdictLabel->setFont(bold);
    m_messageLabel = new PlainLabel(QStringLiteral("messageLabel"), m_card);
    m_figuresLabel = new PlainLabel(QStringLiteral("figuresLabel"), m_card);
    m_peakMemoryBar = new QProgressBar(m_card);
    m_peakMemoryBar->setObjectName(QStringLiteral("peakMemoryBar"));
    m_peakMemoryBar->setRange(0, 1000);
    m_peakMemoryBar->setToolTip(tr("The highest memory use of the run against its memory limit."));
    cardLayout->addWidget(m_verdictLabel);
    cardLayout->addWidget(m_messageLabel);
    cardLayout->addWidget(m_figuresLabel);
    cardLayout->addWidget(m_peakMemoryBar);
    layout->addWidget(m_card);
    layout->addStretch();
    clear();
}

void ResourceMonitor::clear()
{
    m_cpuChart->clear();
    m_memoryChart->clear();
    m_liveLabel->setText(tr("No run yet. Charts show CPU and memory while a run lasts."));
    m_card->hide();
}

void ResourceMonitor::startRun(const Limits& limits)
{
    m_limits = limits;
    m_cpuChart->clear();
    m_cpuChart->setMaximumValue(100.0 * limits.cpus);
    m_memoryChart->clear();
    m_memoryChart->setMaximumValue(double(limits.memoryBytes));
    m_liveLabel->setText(tr("Starting the sandbox…"));
    m_card->hide();
}

void ResourceMonitor::addSample(const StatsSample& sample)
{
    const double seconds = sample.elapsedMs / 1000.0;
    m_cpuChart->addPoint(seconds, sample.cpuPercent);
    m_memoryChart->addPoint(seconds, double(sample.memoryBytes));
    m_liveLabel->setText(tr("CPU %1 % · memory %2 of %3 · %4 processes")
                             .arg(sample.cpuPercent, 0, 'f', 0)
                             .arg(humanBytes(sample.memoryBytes), humanBytes(sample.memoryLimitBytes))
                             .arg(sample.pids));
}

void ResourceMonitor::showResult(const RunResult& result)
{
    m_verdictLabel->setText(verdictTitle(result.verdict) + QStringLiteral(" — ") + verdictName(result.verdict));
    QPalette pal = m_verdictLabel->palette();
    pal.setColor(QPalette::WindowText, verdictColor(result.verdict));
    m_verdictLabel->setPalette(pal);
    m_messageLabel->setText(result.message);

    QStringList figures;
    if (result.exitCode >= 0)
        figures << tr("exit code %1").arg(result.exitCode);
    if (result.signal > 0)
        figures << tr("signal %1").arg(signalName(result.signal));
    figures << tr("wall %1").arg(humanDuration(result.wallMs));
    if (result.cpuMs >= 0)
        figures << tr("CPU %1").arg(humanDuration(result.cpuMs));
    if (result.outputTruncated)
        figures << tr("output cut at %1").arg(humanBytes(result.outputBytes));
    m_figuresLabel->setText(figures.join(QStringLiteral(" · ")));

    if (result.peakMemoryBytes >= 0 && result.memoryLimitBytes > 0) {
        m_peakMemoryBar->setValue(int(qMin<qint64>(1000, result.peakMemoryBytes * 1000 / result.memoryLimitBytes)));
        m_peakMemoryBar->setFormat(tr("peak memory %1%2 of %3")
                                       .arg(result.peakMemoryIsSample ? tr("about ") : QString(),
                                            humanBytes(result.peakMemoryBytes), humanBytes(result.memoryLimitBytes)));
        m_peakMemoryBar->show();
    } else {
        m_peakMemoryBar->hide();
    }
    m_liveLabel->setText(result.verdict == Verdict::BackendError ? tr("The sandbox did not run.")
                                                                 : tr("Run ended; the sandbox was removed."));
    m_card->show();
}

} // namespace cc
