#include "LimitsEditor.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSignalBlocker>
#include <QSpinBox>

namespace cc {

namespace {
constexpr qint64 MiB = 1024 * 1024;
constexpr qint64 KiB = 1024;
} // namespace

LimitsEditor::LimitsEditor(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("limitsEditor"));
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);

    m_timeout = new QDoubleSpinBox(this);
    m_timeout->setObjectName(QStringLiteral("timeoutSpin"));
    m_timeout->setRange(0.1, 86400);
    m_timeout->setDecimals(1);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setToolTip(tr("Time limit: the sandbox is killed when the run takes longer. Protects against "
                             "endless loops and code that waits forever."));
    m_memory = new QSpinBox(this);
    m_memory->setObjectName(QStringLiteral("memorySpin"));
    m_memory->setRange(6, 65536);
    m_memory->setSuffix(tr(" MiB"));
    m_memory->setToolTip(tr("Memory limit, with no swap on top: past it the kernel ends the program. Protects "
                            "your machine from code that eats all memory."));
    m_cpus = new QDoubleSpinBox(this);
    m_cpus->setObjectName(QStringLiteral("cpusSpin"));
    m_cpus->setRange(0.1, 64);
    m_cpus->setDecimals(1);
    m_cpus->setSingleStep(0.5);
    m_cpus->setToolTip(tr("CPU limit: how many cores the code may use at most (1 = one full core). Keeps your "
                          "machine responsive while the code computes."));
    m_pids = new QSpinBox(this);
    m_pids->setObjectName(QStringLiteral("pidsSpin"));
    m_pids->setRange(8, 100000);
    m_pids->setToolTip(tr("Process limit: how many processes and threads may exist at once. Stops a fork bomb "
                          "from taking the machine down."));
    m_output = new QSpinBox(this);
    m_output->setObjectName(QStringLiteral("outputSpin"));
    m_output->setRange(1, 1024 * 1024);
    m_output->setSuffix(tr(" KiB"));
    m_output->setToolTip(tr("Output limit for stdout and stderr together: the run stops when it is reached and "
                            "what came before is kept. Protects against floods of output."));

    form->addRow(tr("Time"), m_timeout);
    form->addRow(tr("Memory"), m_memory);
    form->addRow(tr("CPUs"), m_cpus);
    form->addRow(tr("Processes"), m_pids);
    form->addRow(tr("Output"), m_output);

    auto changed = [this] { emit limitsChanged(limits()); };
    connect(m_timeout, &QDoubleSpinBox::valueChanged, this, changed);
    connect(m_memory, &QSpinBox::valueChanged, this, changed);
    connect(m_cpus, &QDoubleSpinBox::valueChanged, this, changed);
    connect(m_pids, &QSpinBox::valueChanged, this, changed);
    connect(m_output, &QSpinBox::valueChanged, this, changed);
    setLimits(Limits{});
}

Limits LimitsEditor::limits() const
{
    Limits l = m_base;
    l.wallTimeoutMs = int(qRound(m_timeout->value() * 1000));
    l.memoryBytes = qint64(m_memory->value()) * MiB;
    l.cpus = m_cpus->value();
    l.pids = m_pids->value();
    l.outputBytes = qint64(m_output->value()) * KiB;
    return l;
}

void LimitsEditor::setLimits(const Limits& limits)
{
    m_base = limits;
    const QSignalBlocker b1(m_timeout), b2(m_memory), b3(m_cpus), b4(m_pids), b5(m_output);
    m_timeout->setValue(limits.wallTimeoutMs / 1000.0);
    m_memory->setValue(int(limits.memoryBytes / MiB));
    m_cpus->setValue(limits.cpus);
    m_pids->setValue(limits.pids);
    m_output->setValue(int(qMax<qint64>(1, limits.outputBytes / KiB)));
}

} // namespace cc
