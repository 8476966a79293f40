#pragma once

#include <QList>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace cc {

/// A short guided tour over the main window: the window is dimmed except the widget a step is
/// about, and a callout beside it explains it in a learner's words, with Next and Skip. A child
/// of the window it covers; it follows the window's size. Whether it was seen is the caller's
/// to remember (ended()).
class FirstRunTour : public QWidget
{
    Q_OBJECT
public:
    struct Step
    {
        QPointer<QWidget> target;
        QString title;
        QString text;
    };

    FirstRunTour(QWidget* window, QList<Step> steps);

    void start();
    int currentStep() const { return m_index; }
    int stepCount() const { return m_steps.size(); }
    /// Goes to the next step, or ends the tour after the last one.
    void next();
    void skip();

signals:
    /// The tour is over: finished is true after the last step, false when skipped.
    void ended(bool finished);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void showStep();
    void placeCallout();
    QRect targetRect() const;
    void end(bool finished);

    QList<Step> m_steps;
    int m_index = -1;
    QWidget* m_callout;
    QLabel* m_counter;
    QLabel* m_title;
    QLabel* m_text;
    QPushButton* m_next;
    QPushButton* m_skip;
};

} // namespace cc
