#pragma once

#include "AnsiFilter.h"

#include <QByteArray>
#include <QByteArrayView>

namespace cc {

/// Makes a snippet's output safe to print on the user's own terminal: colour and text styles
/// (SGR) survive, re-encoded by us; every other control or escape sequence — window titles,
/// OSC 52 clipboard writes, hyperlinks, cursor movement, screen clearing, device queries — is
/// dropped. One instance per stream, so that a sequence split across chunks is still caught.
class TerminalSanitizer
{
public:
    /// The safe form of the next bytes.
    QByteArray feed(QByteArrayView bytes);
    /// The stream ended: the rest, and a reset if a style is still active.
    QByteArray finish();

    /// The SGR sequence that sets exactly this style from any state ("\x1b[0;1;31m").
    static QByteArray sgrFor(const TextStyle& style);

private:
    QByteArray render(const AnsiFilter::Segments& segments);

    AnsiFilter m_filter;
    TextStyle m_emitted;
};

} // namespace cc
