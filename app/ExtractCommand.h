#pragma once

#include "AnswerParser.h"
#include "CommandLine.h"

#include <QByteArray>
#include <QString>

namespace cc {

/// `codecourier extract`: reads an AI answer from a file or standard input and prints its code
/// blocks, as a list for people or as one JSON document for scripts. Synchronous, on the calling
/// thread; needs no engine and no event loop.
class ExtractCommand
{
public:
    explicit ExtractCommand(const ExtractOptions& options);

    /// Reads, parses and prints to stdout; returns the exit status: 0, or 125 (with a sentence on
    /// stderr) when the answer cannot be read.
    int run();

    /// {"blocks": [{"language", "code", "runnable", "start_line", "info"}], "preselected": INDEX};
    /// language is null when unknown, info is null when the block has no info string.
    static QByteArray jsonDocument(const ParsedAnswer& answer);
    /// The human-readable list: one line per block, the preselected one marked with "*".
    static QString listing(const ParsedAnswer& answer);

private:
    ExtractOptions m_options;
};

} // namespace cc
