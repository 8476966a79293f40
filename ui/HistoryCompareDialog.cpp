#include "HistoryCompareDialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextBlock>
#include <QVBoxLayout>

namespace cc {

namespace {

QPlainTextEdit* sideView(const QString& name, const QString& text, QWidget* parent)
{
    auto* view = new QPlainTextEdit(parent);
    view->setObjectName(name);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setPlainText(text);
    return view;
}

/// Marks the lines of view that are not the same line of other; the first line (the title
/// naming the run) always differs and is left out.
void markDifferences(QPlainTextEdit* view, const QStringList& mine, const QStringList& other)
{
    QList<QTextEdit::ExtraSelection> marks;
    const QColor tint = view->palette().color(QPalette::Highlight);
    for (int i = 1; i < mine.size(); ++i) {
        if (i < other.size() && mine.at(i) == other.at(i))
            continue;
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(view->document()->findBlockByNumber(i));
        mark.format.setBackground(QColor(tint.red(), tint.green(), tint.blue(), 60));
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        marks << mark;
    }
    view->setExtraSelections(marks);
}

} // namespace

QString HistoryCompareDialog::outputText(const HistoryRecord& record)
{
    QString text = QObject::tr("Run #%1: %2").arg(record.id).arg(record.outcome()) + QLatin1Char('\n');
    text += QStringLiteral("--- stdout ---\n") + QString::fromUtf8(record.output.stdoutBytes);
    if (!text.endsWith(QLatin1Char('\n')))
        text += QLatin1Char('\n');
    text += QStringLiteral("--- stderr ---\n") + QString::fromUtf8(record.output.stderrBytes);
    if (record.output.clipped())
        text += (text.endsWith(QLatin1Char('\n')) ? QString() : QStringLiteral("\n")) + record.output.truncationMark();
    return text;
}

int HistoryCompareDialog::firstDifferentLine(const QString& left, const QString& right)
{
    const QStringList a = left.split(QLatin1Char('\n'));
    const QStringList b = right.split(QLatin1Char('\n'));
    for (int i = 0; i < std::max(a.size(), b.size()); ++i)
        if (i >= a.size() || i >= b.size() || a.at(i) != b.at(i))
            return i;
    return -1;
}

HistoryCompareDialog::HistoryCompareDialog(const HistoryRecord& left, const HistoryRecord& right, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("historyCompareDialog"));
    setWindowTitle(tr("Compare runs #%1 and #%2").arg(left.id).arg(right.id));
    setAttribute(Qt::WA_DeleteOnClose);
    // The title lines name the runs; the comparison is about what they printed.
    const QString leftText = outputText(left);
    const QString rightText = outputText(right);
    const QString leftBody = leftText.section(QLatin1Char('\n'), 1);
    const QString rightBody = rightText.section(QLatin1Char('\n'), 1);
    m_left = sideView(QStringLiteral("compareLeft"), leftText, this);
    m_right = sideView(QStringLiteral("compareRight"), rightText, this);
    const QStringList leftLines = leftText.split(QLatin1Char('\n'));
    const QStringList rightLines = rightText.split(QLatin1Char('\n'));
    markDifferences(m_left, leftLines, rightLines);
    markDifferences(m_right, rightLines, leftLines);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    const int line = firstDifferentLine(leftBody, rightBody);
    m_summary->setText(line < 0 ? tr("The two runs printed the same output.")
                                : tr("The outputs differ from line %1 on (marked).").arg(line + 1));

    // Scrolled together, so that the same line stays side by side.
    connect(m_left->verticalScrollBar(), &QScrollBar::valueChanged, m_right->verticalScrollBar(), &QScrollBar::setValue);
    connect(m_right->verticalScrollBar(), &QScrollBar::valueChanged, m_left->verticalScrollBar(), &QScrollBar::setValue);

    auto* sides = new QHBoxLayout;
    sides->addWidget(m_left);
    sides->addWidget(m_right);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addLayout(sides, 1);
    layout->addWidget(buttons);
    resize(1000, 600);
}

} // namespace cc
