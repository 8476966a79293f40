#pragma once

#include <Qsci/qsciscintilla.h>

class QsciLexer;

namespace cc {

/// The one wrapper around QScintilla: lexers per language, margins, folding, brace matching,
/// auto-indent, zoom, a monospace font and colours that follow the light or dark palette.
/// Remember that QScintilla positions are byte offsets into UTF-8, not character indexes.
class CodeEditor : public QsciScintilla
{
    Q_OBJECT
public:
    explicit CodeEditor(QWidget* parent = nullptr);

    /// Selects the lexer by name from the language table ("python", "javascript", "bash"), or
    /// "diff" for unified diffs; an unknown name shows plain text.
    void setLexerName(const QString& lexerName);
    QString lexerName() const { return m_lexerName; }

protected:
    bool event(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void applyTheme();
    void updateMarginWidth();

    QString m_lexerName;
    QsciLexer* m_lexer = nullptr;
};

} // namespace cc
