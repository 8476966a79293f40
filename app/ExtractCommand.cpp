#include "ExtractCommand.h"

#include "Language.h"
#include "RunCommand.h"

#include <QFile>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace cc {

ExtractCommand::ExtractCommand(const ExtractOptions& options) : m_options(options) {}

int ExtractCommand::run()
{
    const bool fromStdin = m_options.file.isEmpty() || m_options.file == QLatin1String("-");
    QFile in;
    bool opened = false;
    if (fromStdin) {
        opened = in.open(stdin, QIODevice::ReadOnly);
    } else {
        in.setFileName(m_options.file);
        opened = in.open(QIODevice::ReadOnly);
    }
    const QByteArray bytes = opened ? in.readAll() : QByteArray();
    if (!opened || in.error() != QFileDevice::NoError) {
        const QString what = fromStdin ? QStringLiteral("the answer from standard input") : m_options.file;
        writeFully(2, QStringLiteral("codecourier: Could not read %1: %2. Check the path and its permissions.\n")
                          .arg(what, in.errorString())
                          .toUtf8());
        return 125;
    }

    const ParsedAnswer answer = parseAnswer(QString::fromUtf8(bytes));
    writeFully(1, m_options.json ? jsonDocument(answer) : listing(answer).toUtf8());
    return 0;
}

QByteArray ExtractCommand::jsonDocument(const ParsedAnswer& answer)
{
    // Keys in the documented order, so that a person reading the output finds what the help says.
    using json = nlohmann::ordered_json;
    json blocks = json::array();
    for (const CodeBlock& block : answer.blocks) {
        blocks.push_back({
            {"language", block.language.isEmpty() ? json(nullptr) : json(block.language.toStdString())},
            {"code", block.code.toStdString()},
            {"runnable", block.runnable},
            {"start_line", block.startLine},
            {"info", block.infoWord.isEmpty() ? json(nullptr) : json(block.infoWord.toStdString())},
        });
    }
    const json doc = {{"blocks", blocks}, {"preselected", answer.preselected}};
    return QByteArray::fromStdString(doc.dump(2, ' ', false, json::error_handler_t::replace)) + '\n';
}

QString ExtractCommand::listing(const ParsedAnswer& answer)
{
    if (answer.blocks.isEmpty())
        return QStringLiteral("No code blocks in this answer.\n");

    QString out = answer.blocks.size() == 1 ? QStringLiteral("1 code block")
                                            : QStringLiteral("%1 code blocks").arg(answer.blocks.size());
    out += answer.preselected >= 0 ? QStringLiteral("; * marks the one to run first.\n") : QStringLiteral(".\n");
    for (qsizetype i = 0; i < answer.blocks.size(); ++i) {
        const CodeBlock& block = answer.blocks[i];
        QString language = block.language.isEmpty() ? QStringLiteral("unknown") : block.language;
        if (block.languageGuessed)
            language += QStringLiteral(" (guessed)");
        const qsizetype lines = block.code.count(QLatin1Char('\n'));
        QString firstLine = block.code.section(QLatin1Char('\n'), 0, 0).replace(QLatin1Char('\t'), QLatin1Char(' '));
        constexpr qsizetype kPreviewWidth = 60;
        if (firstLine.size() > kPreviewWidth)
            firstLine = firstLine.left(kPreviewWidth - 1) + QChar(0x2026);
        const QString lineCount = lines == 1 ? QStringLiteral("1 line") : QStringLiteral("%1 lines").arg(lines);
        // One multi-argument arg(): text from the answer must not be read as further placeholders.
        out +=
            QStringLiteral("%1 [%2] %3 %4 %5 %6\n")
                .arg(i == answer.preselected ? QStringLiteral("*") : QStringLiteral(" "), QString::number(i),
                     language.leftJustified(16), lineCount.leftJustified(10),
                     (block.runnable ? QStringLiteral("runnable") : QStringLiteral("not runnable")).leftJustified(12),
                     firstLine);
    }
    if (answer.preselected < 0)
        out += QStringLiteral("None of them can run here: CodeCourier runs %1.\n").arg(LanguageTable::namesForHelp());
    return out;
}

} // namespace cc
