#include "SparklineChart.h"

#include <QPainter>
#include <QPainterPath>

namespace cc {

namespace {
constexpr int kMaxPoints = 600;  // ten minutes at one sample a second
}

SparklineChart::SparklineChart(const QString& title, QWidget* parent) : QWidget(parent), m_title(title)
{
    m_formatter = [](double v) { return QString::number(v, 'f', 0); };
}

void SparklineChart::setMaximumValue(double maximum)
{
    m_configuredMaximum = qMax(maximum, 1e-9);
    m_maximum = m_configuredMaximum;
    update();
}

void SparklineChart::setFormatter(std::function<QString(double)> formatter)
{
    m_formatter = std::move(formatter);
    update();
}

void SparklineChart::addPoint(double seconds, double value)
{
    m_points.append(QPointF(seconds, value));
    if (m_points.size() > kMaxPoints)
        m_points.removeFirst();
    m_maximum = qMax(m_maximum, value);
    update();
}

void SparklineChart::clear()
{
    m_points.clear();
    m_maximum = m_configuredMaximum;
    update();
}

void SparklineChart::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QRect frame = rect().adjusted(0, 0, -1, -1);
    p.fillRect(frame, pal.color(QPalette::Base));
    p.setPen(pal.color(QPalette::Mid));
    p.drawRect(frame);

    const int header = fontMetrics().height() + 4;
    p.setPen(pal.color(QPalette::Text));
    const QString value = m_points.isEmpty() ? QStringLiteral("–") : m_formatter(m_points.last().y());
    p.drawText(frame.adjusted(6, 2, -6, 0), Qt::AlignLeft | Qt::AlignTop, m_title);
    p.drawText(frame.adjusted(6, 2, -6, 0), Qt::AlignRight | Qt::AlignTop, value);

    const QRectF plot = QRectF(frame).adjusted(4, header, -4, -4);
    if (m_points.size() < 2 || plot.width() <= 0 || plot.height() <= 0)
        return;
    const double t0 = m_points.first().x();
    const double span = qMax(m_points.last().x() - t0, 1.0);
    auto map = [&](const QPointF& pt) {
        return QPointF(plot.left() + (pt.x() - t0) / span * plot.width(),
                       plot.bottom() - qBound(0.0, pt.y() / m_maximum, 1.0) * plot.height());
    };
    QPainterPath line;
    line.moveTo(map(m_points.first()));
    for (qsizetype i = 1; i < m_points.size(); ++i)
        line.lineTo(map(m_points.at(i)));
    QPainterPath area = line;
    area.lineTo(plot.right(), plot.bottom());
    area.lineTo(map(m_points.first()).x(), plot.bottom());
    area.closeSubpath();
    QColor accent = pal.color(QPalette::Highlight);
    QColor fill = accent;
    fill.setAlpha(60);
    p.fillPath(area, fill);
    p.setPen(QPen(accent, 1.6));
    p.drawPath(line);
}

} // namespace cc
