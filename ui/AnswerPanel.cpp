#include "AnswerPanel.h"

#include <QLabel>
#include <QLocale>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSet>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace cc {

AnswerPanel::AnswerPanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("answerPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* title = new QLabel(tr("AI answer"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    layout->addWidget(title);

    m_answer = new AnswerEdit(this);
    m_answer->setPlaceholderText(tr("Paste what the AI answered, prose and code. Its code blocks appear below; "
                                    "choose one to load it into the editor."));
    layout->addWidget(m_answer, 3);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("blockSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    m_blocks = new QListWidget(this);
    m_blocks->setObjectName(QStringLiteral("blockList"));
    m_blocks->setToolTip(tr("Code blocks found in the answer. Blocks in languages CodeCourier cannot run are "
                            "listed but greyed out."));
    layout->addWidget(m_blocks, 2);

    m_parseTimer.setSingleShot(true);
    m_parseTimer.setInterval(250);
    connect(&m_parseTimer, &QTimer::timeout, this, &AnswerPanel::reparse);
    connect(m_answer, &QPlainTextEdit::textChanged, this, [this] {
        emit answerTextChanged(m_answer->toPlainText());
        m_parseTimer.start();
    });
    connect(m_answer, &AnswerEdit::pasteTruncated, this, [this](qsizetype offered) { noteTruncation(offered); });
    connect(m_blocks, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) { chooseBlock(m_blocks->row(item)); });
    connect(m_blocks, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) { chooseBlock(m_blocks->row(item)); });
    reparse();
}

QString AnswerPanel::answerText() const
{
    return m_answer->toPlainText();
}

void AnswerPanel::setAnswerText(const QString& text)
{
    const bool tooLong = text.size() > m_answer->maximumCharacters();
    {
        const QSignalBlocker block(m_answer);
        m_answer->setPlainText(tooLong ? text.left(m_answer->maximumCharacters()) : text);
    }
    m_truncationNote.clear();
    emit answerTextChanged(m_answer->toPlainText());
    reparse();
    if (tooLong)
        noteTruncation(text.size());
}

void AnswerPanel::noteTruncation(qsizetype offeredCharacters)
{
    m_truncationNote = tr("The answer was %1 characters long; only the first %2 were kept. AI answers are rarely "
                          "larger than a few hundred thousand characters: is this the right text?")
                           .arg(QLocale().toString(offeredCharacters), QLocale().toString(m_answer->maximumCharacters()));
    updateSummary();
}

void AnswerPanel::updateSummary()
{
    m_summary->setText(m_truncationNote.isEmpty() ? m_blockSummary : m_truncationNote + QLatin1Char(' ') + m_blockSummary);
}

QString AnswerPanel::summaryText() const
{
    return m_summary->text();
}

void AnswerPanel::reparse()
{
    m_parseTimer.stop();
    QSet<QString> previousCode;
    for (const CodeBlock& block : std::as_const(m_parsed.blocks))
        previousCode.insert(block.code);
    m_parsed = parseAnswer(m_answer->toPlainText());
    m_blocks->clear();
    for (const CodeBlock& block : std::as_const(m_parsed.blocks)) {
        const int lines = int(block.code.count(QLatin1Char('\n'))) + (block.code.endsWith(QLatin1Char('\n')) ? 0 : 1);
        const QString language = block.language.isEmpty() ? tr("unknown language") : block.language;
        QString firstLine = block.code.section(QLatin1Char('\n'), 0, 0).trimmed();
        if (firstLine.size() > 60)
            firstLine = firstLine.left(57) + QStringLiteral("…");
        auto* item = new QListWidgetItem(tr("%1 · %2%3\n%4")
                                             .arg(language, lines == 1 ? tr("1 line") : tr("%1 lines").arg(lines),
                                                  block.runnable ? QString() : tr(" · cannot run here"),
                                                  firstLine),
                                         m_blocks);
        if (!block.runnable) {
            item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            item->setToolTip(tr("CodeCourier runs Python, JavaScript (Node.js) and Bash. This block can be read "
                                "and loaded, but not run."));
        }
    }
    if (m_parsed.blocks.isEmpty())
        m_blockSummary = m_answer->toPlainText().trimmed().isEmpty() ? QString() : tr("No code blocks found in this answer.");
    else
        m_blockSummary = m_parsed.blocks.size() == 1 ? tr("1 code block found.")
                                                     : tr("%1 code blocks found.").arg(m_parsed.blocks.size());
    updateSummary();
    if (m_parsed.preselected >= 0) {
        m_blocks->setCurrentRow(m_parsed.preselected);
        // A new answer loads its best block right away; re-parsing while the person edits the
        // same answer (its blocks are still there) must not overwrite their work in the editor.
        bool newAnswer = true;
        for (const CodeBlock& block : std::as_const(m_parsed.blocks))
            newAnswer = newAnswer && !previousCode.contains(block.code);
        if (newAnswer)
            chooseBlock(m_parsed.preselected);
    }
}

void AnswerPanel::chooseBlock(int index)
{
    if (index < 0 || index >= m_parsed.blocks.size())
        return;
    m_blocks->setCurrentRow(index);
    const CodeBlock& block = m_parsed.blocks.at(index);
    emit codeChosen(block.code, block.runnable ? block.language : QString());
}

} // namespace cc
