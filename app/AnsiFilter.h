#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringDecoder>
#include <QStringView>

namespace cc {

/// A colour as a terminal program names it. The front end decides what it looks like on screen.
struct TermColor
{
    enum class Kind : quint8
    {
        Default,    ///< no colour chosen: the front end's normal colour
        Ansi16,     ///< SGR 30–37 / 90–97 (and 40–47 / 100–107): index 0–7 normal, 8–15 bright
        Indexed256, ///< SGR 38;5;n / 48;5;n: 0–15 as Ansi16, 16–231 the 6×6×6 cube, 232–255 greys
        Rgb,        ///< SGR 38;2;r;g;b / 48;2;r;g;b
    };

    Kind kind = Kind::Default;
    quint8 index = 0; ///< Ansi16 and Indexed256
    quint8 red = 0;   ///< Rgb
    quint8 green = 0;
    quint8 blue = 0;

    static TermColor ansi16(int index) { return {Kind::Ansi16, quint8(index), 0, 0, 0}; }
    static TermColor indexed256(int index) { return {Kind::Indexed256, quint8(index), 0, 0, 0}; }
    static TermColor rgb(int r, int g, int b) { return {Kind::Rgb, 0, quint8(r), quint8(g), quint8(b)}; }
    bool isDefault() const { return kind == Kind::Default; }

    friend bool operator==(const TermColor&, const TermColor&) = default;
};

/// The look SGR sequences asked for, for one run of text.
struct TextStyle
{
    TermColor foreground;
    TermColor background;
    bool bold = false;
    bool dim = false;
    bool italic = false;
    bool underline = false;
    bool inverse = false;

    friend bool operator==(const TextStyle&, const TextStyle&) = default;
};

/// Turns a program's raw terminal output into plain text plus colour, safely and incrementally.
///
/// Output of a sandboxed program is hostile input. The filter keeps visible text, line breaks and
/// tabs, and honours exactly one kind of control sequence: SGR (ESC [ … m) colours and
/// bold/dim/italic/underline/inverse, in both the ';' and the ':' forms. Everything else is
/// removed, never acted upon: other CSI sequences (cursor moves, ESC[2J, ESC[H, scroll regions,
/// ESC[?1049h …), OSC strings (window titles, OSC 8 hyperlinks — the link's visible text stays,
/// the target goes —, OSC 52 clipboard writes), DCS/SOS/PM/APC strings, two-byte and
/// intermediate ESC sequences (ESC c, ESC 7, ESC (B …), C1 controls — as decoded code points
/// U+0080–U+009F, which act like their ESC equivalents (U+009B starts a CSI), and as raw bytes
/// 0x80–0x9F outside a UTF-8 sequence, which are dropped — and C0 controls other than line feed
/// and tab (NUL, BEL, backspace, DEL … are dropped, shown as nothing).
///
/// Line ends: "\r\n" becomes "\n"; a lone "\r" (a progress bar redrawing its line) also becomes
/// "\n", so every state of the bar stays readable on its own line. A run of "\r"s counts once.
///
/// Bytes may arrive in any split: an escape sequence or a UTF-8 character cut across feed()
/// calls gives the same text as one feed. Invalid UTF-8 becomes U+FFFD. Memory stays bounded
/// whatever arrives: a CSI sequence longer than kMaxSequenceLength is discarded up to its final
/// byte, OSC/DCS strings are never stored at all, and numeric parameters saturate.
class AnsiFilter
{
public:
    struct Segment
    {
        QString text; ///< may contain '\n' and '\t', nothing else below U+0020
        TextStyle style;

        friend bool operator==(const Segment&, const Segment&) = default;
    };
    using Segments = QList<Segment>;

    /// The longest CSI parameter string kept for interpretation; longer ones are dropped whole.
    static constexpr qsizetype kMaxSequenceLength = 4096;
    /// Numeric SGR parameters saturate here.
    static constexpr int kMaxParameter = 65535;

    /// Feeds the next bytes; returns the text that is now complete, split where the style
    /// changes (adjacent text of one style is merged).
    Segments feed(QByteArrayView bytes);
    /// The stream ended: an incomplete UTF-8 sequence becomes U+FFFD, an unfinished escape
    /// sequence is dropped. The style is kept.
    Segments finish();
    /// Forgets everything: decoder state, a sequence in progress and the current style.
    void reset();

    /// The style the next text will have.
    const TextStyle& currentStyle() const { return m_style; }
    /// What is held for an unfinished escape sequence (characters) or UTF-8 character (bytes);
    /// never more than kMaxSequenceLength + 3.
    qsizetype bufferedSize() const { return m_sequence.size() + m_pendingUtf8.size(); }

private:
    enum class State : quint8
    {
        Ground,
        Escape,             // after ESC
        EscapeIntermediate, // ESC followed by 0x20–0x2F, e.g. ESC ( B
        Csi,                // collecting parameters
        CsiIgnore,          // too long: discarding up to the final byte
        OscString,          // ends with BEL or ST
        ControlString,      // DCS, SOS, PM, APC: ends with ST
        StringEscape,       // ESC inside a string: ST if '\' follows
    };

    static qsizetype completeUtf8Prefix(QByteArrayView bytes);
    static QByteArray dropRawC1(QByteArrayView bytes, bool* dropped);
    void process(QStringView text, Segments& out);
    void step(char16_t c, Segments& out);
    void control(char16_t c, Segments& out);
    void enterC1(char16_t c);
    void enterCsi();
    void append(QStringView text, Segments& out);
    void applySgr(QStringView parameters);

    QStringDecoder m_decoder{QStringDecoder::Utf8};
    QByteArray m_pendingUtf8; // an unfinished UTF-8 sequence (at most 3 bytes) awaiting the next feed
    QString m_sequence;       // CSI parameter and intermediate bytes, capped at kMaxSequenceLength
    TextStyle m_style;
    State m_state = State::Ground;
    State m_stringState = State::OscString; // the string an ESC interrupted
    bool m_afterCr = false;                 // a "\r" was just turned into "\n": a following "\n" is the same line end
};

} // namespace cc
