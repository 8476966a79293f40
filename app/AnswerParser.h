#pragma once

#include <QList>
#include <QString>

namespace cc {

/// One code block of a pasted AI answer, as the answer wrote it, with the container indentation
/// (list items, block quotes, the four spaces of an indented block) removed.
struct CodeBlock
{
    /// First word of the info string as written ("python", "{python}", "Rust"); "" when the block
    /// has none (an indented block or a bare fence).
    QString infoWord;
    /// Canonical runnable name ("python", "node", "bash") when runnable; otherwise the info word
    /// lowercased and without decoration ("rust" for "Rust", "r" for "{r, echo=FALSE}");
    /// "" when unknown.
    QString language;
    bool runnable = false;
    /// The language came from the code (shebang, keywords) because the block named none.
    bool languageGuessed = false;
    /// The code with leading and trailing blank lines removed; "\n" ends every line, also the last.
    /// Tabs are kept as written.
    QString code;
    /// 1-based line of the answer where the first line of code stands.
    int startLine = 0;
};

/// The code blocks of an answer, in order, and the one to offer first.
struct ParsedAnswer
{
    QList<CodeBlock> blocks;
    /// Index into blocks of the most likely runnable block (see preselectBlock); -1 when none runs.
    int preselected = -1;
};

/// Parses Markdown as CommonMark (with GitHub's extensions) and returns its fenced and indented
/// code blocks; empty blocks, inline code spans and HTML blocks are left out. An unclosed fence
/// runs to the end of its container. CRLF and CR line ends are accepted. Linear in the input.
ParsedAnswer parseAnswer(const QString& markdown);

/// Guesses "python", "node" or "bash" from code: a shebang first, then unmistakable lines
/// (`def f():`, `console.log(`, `$ ` prompts, `pip install`, `fi`...). Conservative: "" when the
/// evidence is thin or points two ways.
QString guessLanguage(const QString& code);

/// True for a block that works around the program rather than being it: a shell block made only of
/// installs, set-up and start commands (`pip install`, `cd`, `source venv/bin/activate`,
/// `python main.py`), or a transcript with `$ ` or `>>> ` prompts. Runnable, but rarely the point.
bool isHelperBlock(const CodeBlock& block);

/// The block to offer first: among runnable blocks, those that are not helper blocks win; then the
/// one with the most non-blank lines; then the earliest. -1 when no block is runnable.
int preselectBlock(const QList<CodeBlock>& blocks);

} // namespace cc
