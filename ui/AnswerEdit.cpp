#include "AnswerEdit.h"

#include <QMimeData>

namespace cc {

AnswerEdit::AnswerEdit(QWidget* parent) : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("answerEdit"));
    setTabChangesFocus(false);
}

bool AnswerEdit::canInsertFromMimeData(const QMimeData* source) const
{
    return source->hasText();
}

void AnswerEdit::insertFromMimeData(const QMimeData* source)
{
    // Only the text: an answer copied from a web page must never bring markup or images along.
    QString text = source->text();
    const qsizetype room = kMaximumCharacters - (document()->characterCount() - 1 - textCursor().selectedText().size());
    if (text.size() > room) {
        const qsizetype offered = text.size();
        text.truncate(qMax<qsizetype>(0, room));
        textCursor().insertText(text);
        emit pasteTruncated(offered);
        return;
    }
    textCursor().insertText(text);
}

} // namespace cc
