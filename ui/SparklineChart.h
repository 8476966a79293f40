#pragma once

#include <QList>
#include <QPointF>
#include <QWidget>
#include <functional>

namespace cc {

/// A small live line chart of one figure over time (CPU %, memory), painted by hand so that it
/// costs nothing when idle and needs no chart library. The y axis runs from 0 to a maximum that
/// grows if a sample exceeds it.
class SparklineChart : public QWidget
{
    Q_OBJECT
public:
    explicit SparklineChart(const QString& title, QWidget* parent = nullptr);

    void setMaximumValue(double maximum);
    /// Formats values for the header ("42 %", "12 MiB").
    void setFormatter(std::function<QString(double)> formatter);
    void addPoint(double seconds, double value);
    void clear();
    int pointCount() const { return int(m_points.size()); }
    double lastValue() const { return m_points.isEmpty() ? 0 : m_points.last().y(); }

    QSize sizeHint() const override { return {220, 90}; }
    QSize minimumSizeHint() const override { return {120, 60}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString m_title;
    double m_maximum = 1;
    double m_configuredMaximum = 1;
    QList<QPointF> m_points;
    std::function<QString(double)> m_formatter;
};

} // namespace cc
