#include "AnswerParser.h"

#include "Language.h"

#include <QRegularExpression>
#include <QStringDecoder>
#include <algorithm>
#include <functional>
#include <md4c.h>
#include <vector>

namespace cc {

namespace {

bool isBlankLine(QByteArrayView line)
{
    return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

/// Column after c when c stands at column col, with CommonMark's tab stops of 4. UTF-8
/// continuation bytes take no column, so that a multi-byte character counts once.
int advanceColumn(int col, char c)
{
    if (c == '\t')
        return (col + 4) & ~3;
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80)
        return col;
    return col + 1;
}

/// Receives md4c's events for one document and collects its code blocks.
///
/// md4c hands a code line over as pieces: spaces for the line's own indentation (from a static
/// string, with tabs already expanded), the rest of the line (a pointer into our buffer), then "\n"
/// (static again). Pointers into the buffer give each line's position; the indentation is taken
/// back from the buffer so that tabs survive.
class BlockCollector
{
public:
    explicit BlockCollector(const QByteArray& input) : m_input(input)
    {
        m_lineStarts.push_back(0);
        const char* data = input.constData();
        const qsizetype size = input.size();
        for (qsizetype i = 0; i < size; ++i) {
            if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= size || data[i + 1] != '\n')))
                m_lineStarts.push_back(i + 1);
        }
    }

    QList<CodeBlock> takeBlocks() { return std::move(m_blocks); }

    static int enterBlock(MD_BLOCKTYPE type, void* detail, void* self)
    {
        if (type == MD_BLOCK_CODE)
            static_cast<BlockCollector*>(self)->beginCode(*static_cast<const MD_BLOCK_CODE_DETAIL*>(detail));
        return 0;
    }
    static int leaveBlock(MD_BLOCKTYPE type, void*, void* self)
    {
        if (type == MD_BLOCK_CODE)
            static_cast<BlockCollector*>(self)->endCode();
        return 0;
    }
    static int span(MD_SPANTYPE, void*, void*) { return 0; }
    static int text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* self)
    {
        static_cast<BlockCollector*>(self)->addText(type, text, size);
        return 0;
    }

private:
    struct Line
    {
        QByteArray text;
        qsizetype offset = -1; ///< where the line's text starts in the input; -1 when md4c gave none
    };

    void beginCode(const MD_BLOCK_CODE_DETAIL& detail)
    {
        m_inCode = true;
        m_lines.clear();
        resetLine();
        m_infoWord = QString::fromUtf8(detail.lang.text, qsizetype(detail.lang.size));
    }

    void addText(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size)
    {
        if (!m_inCode)
            return;
        if (type == MD_TEXT_NULLCHAR) {
            m_line += kReplacementCharacter;
            m_nulReplaced = true;
            return;
        }
        if (type != MD_TEXT_CODE)
            return;
        const char* begin = m_input.constData();
        const char* end = begin + m_input.size();
        const bool inInput = std::greater_equal<const char*>()(text, begin) && std::less<const char*>()(text, end);
        if (inInput) {
            if (m_lineOffset < 0)
                m_lineOffset = text - begin;
            QByteArrayView piece(text, qsizetype(size));
            // md4c 0.4 announces a NUL as MD_TEXT_NULLCHAR and then passes it on again in the text.
            if (m_nulReplaced && piece.startsWith('\0'))
                piece = piece.sliced(1);
            m_nulReplaced = false;
            if (std::find(piece.begin(), piece.end(), '\0') == piece.end()) {
                m_line.append(piece);
            } else {
                for (char c : piece) {
                    if (c == '\0')
                        m_line += kReplacementCharacter;
                    else
                        m_line += c;
                }
            }
        } else if (size == 1 && text[0] == '\n') {
            finishLine();
        } else if (m_lineOffset < 0 && m_line.isEmpty() && isBlankLine(QByteArrayView(text, qsizetype(size)))) {
            m_indent += int(size);
        } else {
            m_line.append(text, qsizetype(size));
        }
    }

    void finishLine()
    {
        m_nulReplaced = false;
        Line line;
        line.offset = m_lineOffset;
        line.text =
            (m_lineOffset >= 0 ? indentationBefore(m_lineOffset, m_indent) : QByteArray(m_indent, ' ')) + m_line;
        m_lines.append(std::move(line));
        resetLine();
    }

    void resetLine()
    {
        m_line.clear();
        m_indent = 0;
        m_lineOffset = -1;
    }

    /// The code's own indentation of the line whose text starts at offset: the last `columns`
    /// columns of the whitespace before it, copied from the input (tabs kept). A tab that straddles
    /// the container's edge contributes only its spaces inside the code, as CommonMark says.
    QByteArray indentationBefore(qsizetype offset, int columns) const
    {
        if (columns <= 0)
            return {};
        const char* data = m_input.constData();
        const qsizetype lineStart = m_lineStarts[size_t(lineIndexOf(offset))];
        qsizetype runStart = offset;
        while (runStart > lineStart && (data[runStart - 1] == ' ' || data[runStart - 1] == '\t'))
            --runStart;
        int runColumn = 0;
        for (qsizetype i = lineStart; i < runStart; ++i)
            runColumn = advanceColumn(runColumn, data[i]);
        int textColumn = runColumn;
        for (qsizetype i = runStart; i < offset; ++i)
            textColumn = advanceColumn(textColumn, data[i]);
        const int target = textColumn - columns;
        if (target < runColumn)
            return QByteArray(columns, ' '); // md4c counted differently: trust its spaces
        int column = runColumn;
        qsizetype from = runStart;
        while (from < offset && column < target)
            column = advanceColumn(column, data[from++]);
        return QByteArray(column - target, ' ') + QByteArray(data + from, offset - from);
    }

    /// 0-based index of the line that holds offset.
    qsizetype lineIndexOf(qsizetype offset) const
    {
        const auto it = std::upper_bound(m_lineStarts.begin(), m_lineStarts.end(), offset);
        return qsizetype(it - m_lineStarts.begin()) - 1;
    }

    void endCode()
    {
        if (!m_line.isEmpty() || m_lineOffset >= 0 || m_indent > 0)
            finishLine();
        m_inCode = false;

        qsizetype first = 0;
        qsizetype last = m_lines.size() - 1;
        while (first <= last && isBlankLine(m_lines[first].text))
            ++first;
        while (last >= first && isBlankLine(m_lines[last].text))
            --last;
        if (first > last)
            return; // an empty block offers nothing to run

        CodeBlock block;
        QByteArray code;
        for (qsizetype i = first; i <= last; ++i) {
            code += m_lines[i].text;
            code += '\n';
        }
        // Not QString::fromUtf8: it drops a leading U+FEFF as a byte order mark, which would make
        // a first line that held only that character blank after blank lines were trimmed.
        block.code = QStringDecoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom)(code);
        // Lines map one to one onto the input's lines, so a line without a position (one made of
        // a NUL alone) takes it from the next line that has one.
        for (qsizetype i = first; i <= last; ++i) {
            if (m_lines[i].offset >= 0) {
                block.startLine = int(lineIndexOf(m_lines[i].offset) + 1 - (i - first));
                break;
            }
        }
        block.infoWord = m_infoWord;
        resolveLanguage(block);
        m_blocks.append(std::move(block));
    }

    /// The language key in an info word: lowercased, without the decoration of other Markdown
    /// dialects ("{python}", "{.python}", "{r, echo=FALSE}", "python:main.py").
    static QString infoKey(const QString& infoWord)
    {
        QString key = infoWord.toLower();
        qsizetype start = 0;
        while (start < key.size() && (key[start] == QLatin1Char('{') || key[start] == QLatin1Char('.')))
            ++start;
        qsizetype end = start;
        static const QString stops = QStringLiteral("{},:;=\"'");
        while (end < key.size() && !stops.contains(key[end]))
            ++end;
        return key.mid(start, end - start);
    }

    static void resolveLanguage(CodeBlock& block)
    {
        const QString key = infoKey(block.infoWord);
        if (key.isEmpty()) {
            block.language = guessLanguage(block.code);
            block.languageGuessed = !block.language.isEmpty();
            block.runnable = !block.language.isEmpty();
            return;
        }
        const Language* language = LanguageTable::find(key);
        if (!language && key.contains(QLatin1Char('.')))
            language = LanguageTable::forFileName(key); // ```main.py
        block.runnable = language != nullptr;
        block.language = language ? language->name : key;
    }

    const QByteArray& m_input;
    std::vector<qsizetype> m_lineStarts; ///< offset of each line's first byte
    QList<CodeBlock> m_blocks;
    QList<Line> m_lines;
    QString m_infoWord;
    QByteArray m_line;
    qsizetype m_lineOffset = -1;
    int m_indent = 0;
    bool m_inCode = false;
    bool m_nulReplaced = false; ///< the last piece was md4c's stand-in for a NUL

    static constexpr const char* kReplacementCharacter = "\xEF\xBF\xBD"; // U+FFFD, as CommonMark asks
};

// ---- guessing a language from code -------------------------------------------------------------

enum Guess
{
    Python,
    Node,
    Bash,
    Other, ///< a language we do not run; its clues keep a Rust `let` from reading as JavaScript
    GuessCount
};

struct Clue
{
    Guess language;
    int weight; ///< 3: nothing else writes this; 2: telling; 1: a hint
    QRegularExpression pattern;
};

/// Line-level clues, matched against each line without its leading whitespace.
const std::vector<Clue>& clues()
{
    auto re = [](const char* pattern, QRegularExpression::PatternOptions options = {}) {
        return QRegularExpression(QString::fromLatin1(pattern), options);
    };
    static const std::vector<Clue> table{
        {Python, 3, re(R"(^(async\s+)?def\s+\w+\s*\(.*\)\s*(->\s*[^:]+)?:\s*(#.*)?$)")},
        {Python, 3, re(R"(^class\s+\w+\s*(\([^)]*\))?\s*:\s*(#.*)?$)")},
        {Python, 3, re(R"(^from\s+[\w.]+\s+import\s+[\w*(])")},
        {Python, 3, re(R"(^import\s+[\w.]+(\s+as\s+\w+)?(\s*,\s*[\w.]+(\s+as\s+\w+)?)*\s*(#.*)?$)")},
        {Python, 3, re(R"(^if\s+__name__\s*==)")},
        {Python, 2, re(R"(^(elif\s.*|else|try|finally|except(\s.*)?)\s*:\s*(#.*)?$)")},
        {Python, 2, re(R"(^(for\s+\w.*\s+in\s|while\s|if\s|with\s).*:\s*(#.*)?$)")},
        {Python, 3, re(R"(^print\(.*\)\s*(#.*)?$)")},
        {Python, 1, re(R"(\bself\.\w)")},
        {Node, 3, re(R"(^(export\s+)?(const|let)\s+[\w${}\[\],\s]+=)")},
        {Node, 2, re(R"(^var\s+\w+\s*=)")},
        {Node, 3, re(R"(\bconsole\.(log|error|warn|info|table)\s*\()")},
        {Node, 3, re(R"(\brequire\s*\(\s*['"`])")},
        {Node, 3, re(R"(^(export\s+)?(default\s+)?(async\s+)?function\b[^(]*\([^)]*\)\s*\{)")},
        {Node, 3, re(R"(^import\s.*\sfrom\s+['"]|^import\s+['"])")},
        {Node, 3, re(R"(\bmodule\.exports\b|\bprocess\.(argv|env|exit|stdout|stdin)\b)")},
        {Node, 2, re(R"(=>)")},
        {Node, 2, re(R"(===|!==)")},
        {Bash, 3, re(R"(^\$\s+\S)")},
        {Bash, 3,
         re(R"(^(sudo\s+)?(apt|apt-get|brew|yum|dnf|apk|pip3?|npm|yarn|pnpm|conda|gem|cargo|poetry|pipenv)\s+(install|i|add|ci|update|upgrade)\b)")},
        {Bash, 3, re(R"(^echo(\s|$))")},
        {Bash, 3, re(R"(^(if|elif)\s+\[\[?\s.*\]\]?\s*;\s*then\s*$)")},
        {Bash, 3, re(R"(^(for|while|until)\s.*;\s*do\s*$)")},
        {Bash, 3, re(R"(^export\s+[A-Za-z_]\w*=)")},
        {Bash, 2, re(R"(^(python3?|node|bash|sh)\s+[\w./-]+\.(py|js|mjs|cjs|sh)(\s|$))")},
        {Bash, 2,
         re(R"(^(cd|mkdir|ls|cat|grep|curl|wget|chmod|chown|rm|cp|mv|touch|git|source|sudo)(\s+[^=\s(][^=]*)?$)")},
        {Bash, 1, re(R"(^(fi|done|esac|then|do)\s*;?\s*(#.*)?$)")},
        {Bash, 1, re(R"(\$\(|\$\{?[A-Za-z_]\w*\}?)")},
        {Other, 3, re(R"(^(pub\s+)?fn\s+\w+|\bprintln!|^let\s+mut\s|^use\s+\w+(::\w+)+|^impl\b)")},         // Rust
        {Other, 3, re(R"(^(int|void|char|double|float|auto|static)\s+\**\w+\s*\(|\bprintf\s*\(|\bstd::)")}, // C, C++
        {Other, 3, re(R"(^(public|private|protected)\s+(static\s+)?\w+|\bSystem\.out\.)")},                 // Java, C#
        {Other, 3, re(R"(^package\s+\w+;?$|^func\s+(\(.*\)\s*)?\w+\s*\(|^fun\s+\w+\s*\()")},            // Go, Kotlin
        {Other, 3, re(R"(^(interface|type)\s+\w+\s*(<[^>]*>\s*)?[={]|:\s*(string|number|boolean)\b)")}, // TypeScript
        {Other, 3,
         re(R"(^(select|insert\s+into|update|delete\s+from|create\s+table)\s)",
            QRegularExpression::CaseInsensitiveOption)},                                 // SQL
        {Other, 3, re(R"(^<\?php|^<[a-zA-Z][\w-]*(\s[^>]*)?>)")},                        // PHP, HTML
        {Other, 3, re(R"(^Traceback \(most recent call last\):|^File ".*", line \d+)")}, // output, not code
    };
    return table;
}

QString guessFromShebang(QStringView firstLine)
{
    // "#!/usr/bin/env -S python3 -u", "#!/bin/bash -e", "#!/usr/local/bin/node"
    QStringList words = firstLine.mid(2).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words.isEmpty())
        return {};
    QString program = words.takeFirst().section(QLatin1Char('/'), -1);
    if (program == QLatin1String("env")) {
        while (!words.isEmpty() && words.first().startsWith(QLatin1Char('-')))
            words.removeFirst();
        if (words.isEmpty())
            return {};
        program = words.first();
    }
    const Language* language = LanguageTable::find(program);
    if (!language) {
        // python3.11, node18: the version does not change the language
        while (!program.isEmpty() && (program.back().isDigit() || program.back() == QLatin1Char('.')))
            program.chop(1);
        language = LanguageTable::find(program);
    }
    if (!language && (program == QLatin1String("dash") || program == QLatin1String("ksh")))
        language = LanguageTable::find(QStringLiteral("bash"));
    return language ? language->name : QString();
}

const QString& guessName(Guess guess)
{
    static const QString names[Other] = {QStringLiteral("python"), QStringLiteral("node"), QStringLiteral("bash")};
    return names[guess];
}

/// Calls visit(line) for each line of text (without its line end), at most maxLines of them.
template <typename Visit> void forEachLine(const QString& text, qsizetype maxLines, Visit visit)
{
    qsizetype start = 0;
    for (qsizetype n = 0; start < text.size() && n < maxLines; ++n) {
        qsizetype end = text.indexOf(QLatin1Char('\n'), start);
        if (end < 0)
            end = text.size();
        QStringView line = QStringView(text).mid(start, end - start);
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        if (!visit(line))
            return;
        start = end + 1;
    }
}

int nonBlankLineCount(const QString& code)
{
    int count = 0;
    forEachLine(code, code.size() + 1, [&](QStringView line) {
        if (!line.trimmed().isEmpty())
            ++count;
        return true;
    });
    return count;
}

bool isTranscriptPrompt(QStringView line)
{
    // "$ ls", "user@host:~/src$ make", ">>> print(1)"
    static const QRegularExpression prompt(QStringLiteral(R"(^(\$|[\w.-]+@[\w.-]+:[^$\s]*\$|>>>)\s)"));
    return prompt.match(line).hasMatch();
}

/// A shell line that installs, prepares or starts something rather than doing the work.
bool isChoreCommand(QStringView line)
{
    static const QRegularExpression chore(QString::fromLatin1(
        R"(^(sudo\s+)?()"
        R"((apt|apt-get|brew|yum|dnf|apk|pacman|snap)\s+(install|update|upgrade|add)\b)"
        R"(|(pip3?|python3?\s+-m\s+pip|uv(\s+pip)?|conda|mamba|poetry|pipenv|npm|pnpm|yarn|bun|gem|cargo|go)\s+(install|i|add|ci|get|init|sync)\b)"
        R"(|(python3?\s+-m\s+venv|virtualenv|conda\s+(create|activate)|nvm\s+(install|use))\b)"
        R"(|(source|\.)\s+\S*activate\b)"
        R"(|(cd|mkdir|chmod\s+\+x)\s)"
        R"(|export\s+[A-Za-z_]\w*=)"
        R"(|(python3?|node|bash|sh|zsh|deno\s+run|ts-node|npx)\s+\S)"
        R"(|npm\s+(start|test|run)\b)"
        R"(|\./[\w./-]+(\s|$))"
        R"())"));
    return chore.match(line).hasMatch();
}

} // namespace

QString guessLanguage(const QString& code)
{
    // The first lines tell; reading on only costs time on a long paste.
    constexpr qsizetype kLinesToRead = 400;
    // Each clue counts once: twenty `=>` in a Rust match are no more JavaScript than one.
    int scores[GuessCount] = {};
    std::vector<bool> seen(clues().size(), false);
    bool firstLine = true;
    bool shebang = false;
    QString fromShebang;
    forEachLine(code, kLinesToRead, [&](QStringView rawLine) {
        const QStringView line = rawLine.trimmed();
        if (line.isEmpty())
            return true;
        if (firstLine) {
            firstLine = false;
            if (line.startsWith(QLatin1String("#!"))) {
                // The shebang names the interpreter; nothing after it can overrule that.
                shebang = true;
                fromShebang = guessFromShebang(line);
                return false;
            }
        }
        if (line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1String("//")))
            return true;
        const std::vector<Clue>& table = clues();
        for (size_t i = 0; i < table.size(); ++i) {
            if (!seen[i] && table[i].pattern.match(line).hasMatch()) {
                seen[i] = true;
                scores[table[i].language] += table[i].weight;
            }
        }
        return true;
    });
    if (shebang)
        return fromShebang;

    int best = Python;
    for (int i = Python + 1; i < Other; ++i) {
        if (scores[i] > scores[best])
            best = i;
    }
    int second = 0;
    for (int i = 0; i < GuessCount; ++i) {
        if (i != best)
            second = std::max(second, scores[i]);
    }
    // One unmistakable line at least, and clearly ahead of any other reading.
    if (scores[best] < 3 || scores[best] < 2 * second || scores[best] - second < 2)
        return {};
    return guessName(Guess(best));
}

bool isHelperBlock(const CodeBlock& block)
{
    bool transcript = false;
    bool onlyChores = true;
    bool anyCommand = false;
    forEachLine(block.code, block.code.size() + 1, [&](QStringView rawLine) {
        const QStringView line = rawLine.trimmed();
        if (isTranscriptPrompt(line)) {
            transcript = true;
            return false;
        }
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            return true;
        anyCommand = true;
        if (onlyChores && !isChoreCommand(line))
            onlyChores = false;
        return true;
    });
    if (transcript)
        return true;
    return block.language == QLatin1String("bash") && anyCommand && onlyChores;
}

int preselectBlock(const QList<CodeBlock>& blocks)
{
    int chosen = -1;
    bool chosenIsHelper = true;
    int chosenLines = -1;
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        const CodeBlock& block = blocks[i];
        if (!block.runnable)
            continue;
        const bool helper = isHelperBlock(block);
        const int lines = nonBlankLineCount(block.code);
        const bool better =
            chosen < 0 || (chosenIsHelper && !helper) || (chosenIsHelper == helper && lines > chosenLines);
        if (better) {
            chosen = int(i);
            chosenIsHelper = helper;
            chosenLines = lines;
        }
    }
    return chosen;
}

ParsedAnswer parseAnswer(const QString& markdown)
{
    QStringView text(markdown);
    if (text.startsWith(QChar(0xFEFF)))
        text = text.mid(1); // a byte order mark would hide a fence on the first line
    const QByteArray input = text.toUtf8();

    BlockCollector collector(input);
    MD_PARSER parser{};
    parser.abi_version = 0;
    parser.flags = MD_DIALECT_GITHUB;
    parser.enter_block = &BlockCollector::enterBlock;
    parser.leave_block = &BlockCollector::leaveBlock;
    parser.enter_span = &BlockCollector::span;
    parser.leave_span = &BlockCollector::span;
    parser.text = &BlockCollector::text;
    md_parse(input.constData(), MD_SIZE(input.size()), &parser, &collector);

    ParsedAnswer answer;
    answer.blocks = collector.takeBlocks();
    answer.preselected = preselectBlock(answer.blocks);
    return answer;
}

} // namespace cc
