// Fuzzes the AI-answer extractor (app/AnswerParser.h): a pasted answer is hostile text. Whatever
// it holds, the parser must return blocks that point back into the answer, a preselection that
// names a runnable block, and code in the documented shape.

#include "FuzzCheck.h"

#include "AnswerParser.h"
#include "Language.h"

#include <QByteArray>
#include <QString>

namespace {

bool isBlank(QStringView line)
{
    for (const QChar ch : line) {
        if (ch != QLatin1Char(' ') && ch != QLatin1Char('\t'))
            return false;
    }
    return true;
}

/// Lines as CommonMark counts them: "\n", "\r\n" and a lone "\r" end a line.
qsizetype lineCount(QStringView text)
{
    qsizetype lines = 1;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == QLatin1Char('\n') || (text[i] == QLatin1Char('\r') && (i + 1 >= text.size() || text[i + 1] != QLatin1Char('\n'))))
            ++lines;
    }
    return lines;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString markdown = QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));
    const cc::ParsedAnswer answer = cc::parseAnswer(markdown);

    QStringView text(markdown);
    if (text.startsWith(QChar(0xFEFF)))
        text = text.mid(1);
    const qsizetype lines = lineCount(text);

    bool anyRunnable = false;
    for (const cc::CodeBlock& block : answer.blocks) {
        // Empty blocks are left out; "\n" ends every line, also the last; no blank edges.
        FUZZ_CHECK(!block.code.isEmpty());
        FUZZ_CHECK(block.code.endsWith(QLatin1Char('\n')));
        FUZZ_CHECK(!block.code.contains(QLatin1Char('\r')));
        const qsizetype firstEnd = block.code.indexOf(QLatin1Char('\n'));
        FUZZ_CHECK(!isBlank(QStringView(block.code).first(firstEnd)));
        const qsizetype lastStart = block.code.lastIndexOf(QLatin1Char('\n'), block.code.size() - 2) + 1;
        FUZZ_CHECK(!isBlank(QStringView(block.code).sliced(lastStart, block.code.size() - 1 - lastStart)));

        // The block's lines are lines of the answer.
        const qsizetype codeLines = block.code.count(QLatin1Char('\n'));
        FUZZ_CHECK(block.startLine >= 1);
        FUZZ_CHECK(block.startLine <= lines);
        FUZZ_CHECK(block.startLine + codeLines - 1 <= lines);

        if (block.runnable) {
            anyRunnable = true;
            const cc::Language* language = cc::LanguageTable::find(block.language);
            FUZZ_CHECK(language != nullptr && language->name == block.language);
        }
        if (block.languageGuessed)
            FUZZ_CHECK(block.runnable);
    }

    FUZZ_CHECK(answer.preselected >= -1 && answer.preselected < answer.blocks.size());
    if (answer.preselected >= 0)
        FUZZ_CHECK(answer.blocks[answer.preselected].runnable);
    FUZZ_CHECK((answer.preselected >= 0) == anyRunnable);
    FUZZ_CHECK(answer.preselected == cc::preselectBlock(answer.blocks));
    return 0;
}
