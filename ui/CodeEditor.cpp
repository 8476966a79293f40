#include "CodeEditor.h"

#include <QEvent>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QPalette>
#include <Qsci/qscilexerbash.h>
#include <Qsci/qscilexerdiff.h>
#include <Qsci/qscilexerjavascript.h>
#include <Qsci/qscilexerpython.h>

namespace cc {

namespace {

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

/// Lexer colours are designed for a white page; on a dark one, dark inks are turned light
/// with the same hue so that keywords stay told apart.
QColor inkFor(const QColor& lightThemeInk, bool dark)
{
    if (!dark)
        return lightThemeInk;
    QColor c = lightThemeInk.toHsl();
    const int lightness = c.lightness() < 128 ? 255 - c.lightness() / 2 : c.lightness();
    return QColor::fromHsl(c.hslHue(), qMin(255, c.hslSaturation()), qBound(150, lightness, 235));
}

} // namespace

CodeEditor::CodeEditor(QWidget* parent) : QsciScintilla(parent)
{
    setObjectName(QStringLiteral("codeEditor"));
    setUtf8(true);
    setEolMode(EolUnix);
    setIndentationsUseTabs(false);
    setTabWidth(4);
    setIndentationWidth(4);
    setAutoIndent(true);
    setBackspaceUnindents(true);
    setIndentationGuides(true);
    setBraceMatching(SloppyBraceMatch);
    setFolding(BoxedTreeFoldStyle, 2);
    setMarginLineNumbers(0, true);
    setMarginType(0, NumberMargin);
    setCaretLineVisible(true);
    setWrapMode(WrapNone);
    // No auto-completion popups: the user reviews code, they do not write it against a project.
    setAutoCompletionSource(AcsNone);
    connect(this, &QsciScintilla::linesChanged, this, &CodeEditor::updateMarginWidth);
    setLexerName(QString());
}

void CodeEditor::setLexerName(const QString& lexerName)
{
    if (m_lexer && lexerName == m_lexerName)
        return;
    m_lexerName = lexerName;
    QsciLexer* lexer = nullptr;
    if (lexerName == QLatin1String("python"))
        lexer = new QsciLexerPython(this);
    else if (lexerName == QLatin1String("javascript"))
        lexer = new QsciLexerJavaScript(this);
    else if (lexerName == QLatin1String("bash"))
        lexer = new QsciLexerBash(this);
    else if (lexerName == QLatin1String("diff"))
        lexer = new QsciLexerDiff(this);
    setLexer(lexer);
    delete m_lexer;
    m_lexer = lexer;
    applyTheme();
}

bool CodeEditor::event(QEvent* event)
{
    // QScintilla claims Esc for itself; unless a popup of its own is open, Esc belongs to the
    // window (it stops the run), so the shortcut system must see it.
    if (event->type() == QEvent::ShortcutOverride) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::NoModifier && !isListActive() && !isCallTipActive()) {
            event->ignore();
            return true;
        }
    }
    return QsciScintilla::event(event);
}

void CodeEditor::changeEvent(QEvent* event)
{
    QsciScintilla::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        applyTheme();
}

void CodeEditor::applyTheme()
{
    const QPalette pal = palette();
    const bool dark = isDark(pal);
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QColor paper = pal.color(QPalette::Base);
    const QColor ink = pal.color(QPalette::Text);
    if (m_lexer) {
        m_lexer->setDefaultFont(font);
        m_lexer->setDefaultPaper(paper);
        m_lexer->setDefaultColor(ink);
        for (int style = 0; style < 128; ++style) {
            if (m_lexer->description(style).isEmpty())
                continue;
            QFont styleFont = font;
            styleFont.setBold(m_lexer->font(style).bold());
            styleFont.setItalic(m_lexer->font(style).italic());
            m_lexer->setFont(styleFont, style);
            m_lexer->setPaper(paper, style);
            const QColor defaultInk = m_lexer->defaultColor(style);
            m_lexer->setColor(defaultInk == Qt::black ? ink : inkFor(defaultInk, dark), style);
        }
        // Setting the lexer again makes QScintilla pick up the changed styles.
        setLexer(m_lexer);
    } else {
        setFont(font);
        setPaper(paper);
        setColor(ink);
    }
    setMarginsFont(font);
    setMarginsBackgroundColor(pal.color(QPalette::AlternateBase));
    setMarginsForegroundColor(pal.color(QPalette::PlaceholderText));
    setFoldMarginColors(pal.color(QPalette::AlternateBase), pal.color(QPalette::AlternateBase));
    setCaretForegroundColor(ink);
    setCaretLineBackgroundColor(dark ? paper.lighter(125) : paper.darker(106));
    setSelectionBackgroundColor(pal.color(QPalette::Highlight));
    setSelectionForegroundColor(pal.color(QPalette::HighlightedText));
    setMatchedBraceBackgroundColor(dark ? QColor(0x3a, 0x5f, 0x3a) : QColor(0xc8, 0xf0, 0xc8));
    setMatchedBraceForegroundColor(ink);
    setUnmatchedBraceForegroundColor(QColor(0xe0, 0x40, 0x40));
    setIndentationGuidesBackgroundColor(paper);
    setIndentationGuidesForegroundColor(pal.color(QPalette::Mid));
    updateMarginWidth();
}

void CodeEditor::updateMarginWidth()
{
    // Room for the largest line number plus one digit, so the margin does not jump at 10, 100...
    setMarginWidth(0, QString(QString::number(qMax(lines(), 1)).size() + 2, QLatin1Char('9')));
}

} // namespace cc
