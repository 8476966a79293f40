#pragma once

#include "AnswerEdit.h"
#include "AnswerParser.h"

#include <QTimer>
#include <QWidget>

class QListWidget;
class QLabel;

namespace cc {

/// Where a person pastes what an AI answered. The answer is parsed as CommonMark; its code
/// blocks are listed with language and size, blocks we cannot run are marked, and the most
/// likely runnable block is preselected. Choosing a block hands its code on (codeChosen).
class AnswerPanel : public QWidget
{
    Q_OBJECT
public:
    explicit AnswerPanel(QWidget* parent = nullptr);

    QString answerText() const;
    /// Replaces the answer (as a paste would) and parses it at once.
    void setAnswerText(const QString& text);
    const ParsedAnswer& parsed() const { return m_parsed; }
    /// What the panel says about the answer ("3 code blocks found.", a truncation notice).
    QString summaryText() const;
    /// Loads the block at index into the editor, as a click on it does.
    void chooseBlock(int index);

signals:
    void answerTextChanged(const QString& text);
    /// A block was chosen: its code and canonical language ("" when unknown).
    void codeChosen(const QString& code, const QString& language);

private:
    void reparse();
    void noteTruncation(qsizetype offeredCharacters);
    void updateSummary();

    AnswerEdit* m_answer;
    QString m_truncationNote;
    QString m_blockSummary;
    QListWidget* m_blocks;
    QLabel* m_summary;
    QTimer m_parseTimer;
    ParsedAnswer m_parsed;
};

} // namespace cc
