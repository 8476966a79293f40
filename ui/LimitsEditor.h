#pragma once

#include "RunSpec.h"

#include <QWidget>

class QDoubleSpinBox;
class QSpinBox;

namespace cc {

/// Spin boxes for the limits of the next run, each with a tooltip that says what it protects
/// against, written for someone learning what a sandbox does.
class LimitsEditor : public QWidget
{
    Q_OBJECT
public:
    explicit LimitsEditor(QWidget* parent = nullptr);

    Limits limits() const;
    void setLimits(const Limits& limits);

signals:
    void limitsChanged(const cc::Limits& limits);

private:
    Limits m_base;  // fields without a spin box keep their values
    QDoubleSpinBox* m_timeout;
    QSpinBox* m_memory;
    QDoubleSpinBox* m_cpus;
    QSpinBox* m_pids;
    QSpinBox* m_output;
};

} // namespace cc
