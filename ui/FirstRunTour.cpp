#include "FirstRunTour.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QVBoxLayout>

namespace cc {

namespace {
constexpr int kMargin = 6;     // space between the highlight and the widget it frames
constexpr int kGap = 14;       // space between the highlight and the callout
constexpr int kCalloutWidth = 340;
} // namespace

FirstRunTour::FirstRunTour(QWidget* window, QList<Step> steps) : QWidget(window), m_steps(std::move(steps))
{
    setObjectName(QStringLiteral("firstRunTour"));
    setAttribute(Qt::WA_NoSystemBackground);
    setFocusPolicy(Qt::StrongFocus);

    m_callout = new QFrame(this);
    m_callout->setObjectName(QStringLiteral("tourCallout"));
    static_cast<QFrame*>(m_callout)->setFrameShape(QFrame::Box);
    m_callout->setAutoFillBackground(true);
    QPalette pal = m_callout->palette();
    pal.setColor(QPalette::Window, pal.color(QPalette::ToolTipBase));
    pal.setColor(QPalette::WindowText, pal.color(QPalette::ToolTipText));
    m_callout->setPalette(pal);
    m_callout->setFixedWidth(kCalloutWidth);

    m_counter = new QLabel(m_callout);
    m_counter->setObjectName(QStringLiteral("tourCounter"));
    m_title = new QLabel(m_callout);
    m_title->setObjectName(QStringLiteral("tourTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_text = new QLabel(m_callout);
    m_text->setObjectName(QStringLiteral("tourText"));
    m_text->setWordWrap(true);
    for (QLabel* label : {m_counter, m_title, m_text})
        label->setTextFormat(Qt::PlainText);
    m_skip = new QPushButton(tr("Skip tour"), m_callout);
    m_skip->setObjectName(QStringLiteral("tourSkipButton"));
    m_next = new QPushButton(m_callout);
    m_next->setObjectName(QStringLiteral("tourNextButton"));
    m_next->setDefault(true);
    connect(m_skip, &QPushButton::clicked, this, &FirstRunTour::skip);
    connect(m_next, &QPushButton::clicked, this, &FirstRunTour::next);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_counter, 1);
    buttons->addWidget(m_skip);
    buttons->addWidget(m_next);
    auto* layout = new QVBoxLayout(m_callout);
    layout->addWidget(m_title);
    layout->addWidget(m_text);
    layout->addLayout(buttons);

    window->installEventFilter(this);
    hide();
}

void FirstRunTour::start()
{
    if (m_steps.isEmpty())
        return;
    setGeometry(parentWidget()->rect());
    m_index = 0;
    show();
    raise();
    showStep();
    m_next->setFocus();
}

void FirstRunTour::next()
{
    if (m_index + 1 >= m_steps.size()) {
        end(true);
        return;
    }
    ++m_index;
    showStep();
}

void FirstRunTour::skip()
{
    end(false);
}

void FirstRunTour::end(bool finished)
{
    parentWidget()->removeEventFilter(this);
    hide();
    emit ended(finished);
    deleteLater();
}

void FirstRunTour::showStep()
{
    const Step& step = m_steps.at(m_index);
    m_counter->setText(tr("%1 of %2").arg(m_index + 1).arg(m_steps.size()));
    m_title->setText(step.title);
    m_text->setText(step.text);
    const bool last = m_index + 1 == m_steps.size();
    m_next->setText(last ? tr("Done") : tr("Next"));
    m_skip->setVisible(!last);
    placeCallout();
    update();
}

QRect FirstRunTour::targetRect() const
{
    const Step& step = m_steps.at(m_index);
    if (!step.target || !step.target->isVisible())
        return {};
    const QRect inWindow(step.target->mapTo(parentWidget(), QPoint(0, 0)), step.target->size());
    return inWindow.adjusted(-kMargin, -kMargin, kMargin, kMargin).intersected(rect());
}

void FirstRunTour::placeCallout()
{
    m_callout->adjustSize();
    const QSize size = m_callout->sizeHint().expandedTo(QSize(kCalloutWidth, 0));
    const QRect target = targetRect();
    QPoint at;
    if (target.isNull()) {
        at = rect().center() - QPoint(size.width() / 2, size.height() / 2);
    } else if (target.bottom() + kGap + size.height() <= height()) {
        at = QPoint(target.left(), target.bottom() + kGap);  // below
    } else if (target.right() + kGap + size.width() <= width()) {
        at = QPoint(target.right() + kGap, target.top());  // right of it
    } else if (target.left() - kGap - size.width() >= 0) {
        // Beside rather than above: what sits above a widget is often what its text talks about
        // (the limits above the monitor).
        at = QPoint(target.left() - kGap - size.width(), target.top());
    } else {
        at = QPoint(target.left(), target.top() - kGap - size.height());  // above
    }
    at.setX(qBound(kGap, at.x(), qMax(kGap, width() - size.width() - kGap)));
    at.setY(qBound(kGap, at.y(), qMax(kGap, height() - size.height() - kGap)));
    m_callout->setGeometry(QRect(at, size));
}

void FirstRunTour::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    QPainterPath dim;
    dim.addRect(rect());
    const QRect target = m_index >= 0 ? targetRect() : QRect();
    if (!target.isNull()) {
        QPainterPath hole;
        hole.addRoundedRect(target, 6, 6);
        dim = dim.subtracted(hole);
    }
    painter.fillPath(dim, QColor(0, 0, 0, 110));
    if (!target.isNull()) {
        painter.setPen(QPen(palette().color(QPalette::Highlight), 3));
        painter.drawRoundedRect(target, 6, 6);
    }
}

bool FirstRunTour::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == parentWidget() && (event->type() == QEvent::Resize || event->type() == QEvent::LayoutRequest)) {
        setGeometry(parentWidget()->rect());
        if (m_index >= 0)
            placeCallout();
    }
    return QWidget::eventFilter(watched, event);
}

bool FirstRunTour::event(QEvent* event)
{
    // Esc is the window's Stop shortcut; while the tour has the keyboard, Esc ends the tour.
    if (event->type() == QEvent::ShortcutOverride && static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape) {
        event->accept();
        return true;
    }
    return QWidget::event(event);
}

void FirstRunTour::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Escape) {
        skip();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace cc
