#include "AnsiFilter.h"

#include <QVarLengthArray>

namespace cc {

namespace {

// Input is decoded in windows so that a huge feed never needs a huge temporary string.
constexpr qsizetype kDecodeWindow = 64 * 1024;

constexpr char16_t kEsc = 0x1b;
constexpr char16_t kBel = 0x07;
constexpr char16_t kCan = 0x18;
constexpr char16_t kSub = 0x1a;
constexpr char16_t kDel = 0x7f;

bool isC1(char16_t c)
{
    return c >= 0x80 && c <= 0x9f;
}

// Text that needs no attention in the ground state: everything but C0, DEL and C1.
bool isPlain(char16_t c)
{
    return c >= 0x20 && c != kDel && !isC1(c);
}

// Characters that may end (or interrupt) an OSC/DCS string.
bool isStringEnd(char16_t c)
{
    return c == kBel || c == kEsc || c == kCan || c == kSub || c == 0x9c;
}

bool isParameterOrIntermediate(char16_t c)
{
    return c >= 0x20 && c <= 0x3f;
}

bool isFinal(char16_t c)
{
    return c >= 0x40 && c <= 0x7e;
}

// SGR parameters: groups separated by ';', each group one value or several joined by ':'.
class SgrParameters
{
public:
    explicit SgrParameters(QStringView text)
    {
        m_starts.append(0);
        int value = 0;
        for (const QChar ch : text) {
            const char16_t c = ch.unicode();
            if (c >= '0' && c <= '9') {
                value = qMin(value * 10 + (c - '0'), AnsiFilter::kMaxParameter);
            } else if (c == ':') {
                m_values.append(value);
                value = 0;
            } else if (c == ';') {
                m_values.append(value);
                m_starts.append(m_values.size());
                value = 0;
            }
        }
        m_values.append(value);
    }

    qsizetype groupCount() const { return m_starts.size(); }
    qsizetype groupSize(qsizetype group) const { return end(group) - m_starts[group]; }
    int value(qsizetype group, qsizetype sub = 0) const { return m_values[m_starts[group] + sub]; }

private:
    qsizetype end(qsizetype group) const { return group + 1 < m_starts.size() ? m_starts[group + 1] : m_values.size(); }

    QVarLengthArray<int, 32> m_values;
    QVarLengthArray<qsizetype, 32> m_starts;
};

bool isByte(int value)
{
    return value >= 0 && value <= 255;
}

} // namespace

AnsiFilter::Segments AnsiFilter::feed(QByteArrayView bytes)
{
    Segments out;
    for (qsizetype pos = 0; pos < bytes.size(); pos += kDecodeWindow) {
        const QByteArrayView window = bytes.sliced(pos, qMin(kDecodeWindow, bytes.size() - pos));
        QByteArray joined;
        QByteArrayView data = window;
        if (!m_pendingUtf8.isEmpty()) {
            joined = m_pendingUtf8;
            joined.append(window);
            data = joined;
        }
        // QStringDecoder in Qt 6.4 loses the byte that interrupts a UTF-8 sequence begun in an
        // earlier call ("\xc3" then "(" gives U+FFFD without the "("). So the decoder is only
        // ever given whole sequences: an unfinished one at the end waits here for the next feed.
        const qsizetype complete = completeUtf8Prefix(data);
        m_pendingUtf8 = data.sliced(complete).toByteArray();
        bool dropped = false;
        const QByteArray cleaned = dropRawC1(data.first(complete), &dropped);
        const QByteArrayView decodable = dropped ? QByteArrayView(cleaned) : data.first(complete);
        QString text;
        if (completeUtf8Prefix(decodable) < decodable.size()) {
            // The bytes end in a sequence that the held-back lead byte interrupts ("\xd9" of
            // "\xd9\xd9"): the decoder would wait for its continuation and then lose the byte
            // that breaks it. A line feed breaks it here, as the next byte would: U+FFFD.
            text = m_decoder(decodable.toByteArray() + '\n');
            text.chop(1);
        } else {
            text = m_decoder(decodable);
        }
        process(text, out);
    }
    return out;
}

AnsiFilter::Segments AnsiFilter::finish()
{
    Segments out;
    // A byte that can never continue a sequence makes the decoder give up the unfinished one it
    // was given as U+FFFD; the byte itself is cut off again.
    if (!m_pendingUtf8.isEmpty()) {
        QString tail = m_decoder(m_pendingUtf8 + '\n');
        tail.chop(1);
        m_pendingUtf8.clear();
        process(tail, out);
    }
    m_sequence.clear();
    m_state = State::Ground;
    return out;
}

void AnsiFilter::reset()
{
    m_decoder.resetState();
    m_pendingUtf8.clear();
    m_sequence.clear();
    m_style = {};
    m_state = State::Ground;
    m_afterCr = false;
}

// The length of bytes without an unfinished UTF-8 sequence at its end (a lead byte followed by
// fewer continuation bytes than it announces).
qsizetype AnsiFilter::completeUtf8Prefix(QByteArrayView bytes)
{
    const qsizetype size = bytes.size();
    for (qsizetype back = 1; back <= 4 && back <= size; ++back) {
        const auto b = static_cast<uchar>(bytes[size - back]);
        if ((b & 0xc0) == 0x80)
            continue; // a continuation byte: its lead byte is further back
        const qsizetype length = (b >= 0xc2 && b <= 0xdf)   ? 2
                                 : (b >= 0xe0 && b <= 0xef) ? 3
                                 : (b >= 0xf0 && b <= 0xf4) ? 4
                                                            : 1;
        return length > back ? size - back : size;
    }
    return size;
}

// A byte 0x80–0x9F that does not continue a UTF-8 sequence is an 8-bit C1 control (0x9B is CSI
// to a terminal in 8-bit mode). Such bytes are removed before decoding instead of becoming
// U+FFFD. Only a copy when there is something to remove. The bytes never end in an unfinished
// sequence (see feed()), so no state is carried from one call to the next.
QByteArray AnsiFilter::dropRawC1(QByteArrayView bytes, bool* dropped)
{
    QByteArray cleaned;
    qsizetype copiedUpTo = 0;
    int continuations = 0; // continuation bytes the current lead byte still expects
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<uchar>(bytes[i]);
        if (b < 0x80) {
            continuations = 0;
            continue;
        }
        if (continuations > 0 && (b & 0xc0) == 0x80) {
            --continuations;
            continue;
        }
        continuations = 0;
        if (b <= 0x9f) {
            cleaned.append(bytes.sliced(copiedUpTo, i - copiedUpTo));
            copiedUpTo = i + 1;
            *dropped = true;
            continue;
        }
        if (b >= 0xc2 && b <= 0xdf)
            continuations = 1;
        else if (b >= 0xe0 && b <= 0xef)
            continuations = 2;
        else if (b >= 0xf0 && b <= 0xf4)
            continuations = 3;
    }
    if (*dropped)
        cleaned.append(bytes.sliced(copiedUpTo));
    return cleaned;
}

void AnsiFilter::process(QStringView text, Segments& out)
{
    const qsizetype size = text.size();
    qsizetype i = 0;
    while (i < size) {
        if (m_state == State::Ground) {
            qsizetype end = i;
            while (end < size && isPlain(text[end].unicode()))
                ++end;
            if (end > i) {
                m_afterCr = false;
                append(text.sliced(i, end - i), out);
                i = end;
                continue;
            }
        } else if (m_state == State::OscString || m_state == State::ControlString) {
            // The bulk of a long string is skipped without looking at it one state step at a time.
            while (i < size && !isStringEnd(text[i].unicode()))
                ++i;
            if (i == size)
                break;
        }
        step(text[i].unicode(), out);
        ++i;
    }
}

// One character outside plain text, or any character inside a sequence. Modelled on the DEC
// VT500 parser state machine (vt100.net/emu/dec_ansi_parser), minus everything it would execute.
void AnsiFilter::step(char16_t c, Segments& out)
{
    switch (m_state) {
    case State::Ground:
        if (c == kEsc)
            m_state = State::Escape;
        else if (isC1(c))
            enterC1(c);
        else if (c < 0x20)
            control(c, out);
        else if (c != kDel) {
            m_afterCr = false;
            append(QStringView(&c, 1), out);
        }
        return;

    case State::Escape:
    case State::EscapeIntermediate:
        if (c == kEsc) {
            m_state = State::Escape;
        } else if (c == kCan || c == kSub) {
            m_state = State::Ground;
        } else if (c < 0x20) {
            control(c, out);
        } else if (c == kDel) {
            // ignored inside a sequence
        } else if (isC1(c)) {
            enterC1(c);
        } else if (c <= 0x2f) {
            m_state = State::EscapeIntermediate;
        } else if (c > 0x7e) {
            // Not part of any sequence: the sequence ends and the character is text.
            m_state = State::Ground;
            step(c, out);
        } else if (m_state == State::EscapeIntermediate) {
            m_state = State::Ground; // ESC ( B, ESC # 8, …: dropped
        } else if (c == '[') {
            enterCsi();
        } else if (c == ']') {
            m_state = State::OscString;
        } else if (c == 'P' || c == 'X' || c == '^' || c == '_') {
            m_state = State::ControlString;
        } else {
            m_state = State::Ground; // ESC c, ESC 7, ESC =, ESC \ …: dropped
        }
        return;

    case State::Csi:
    case State::CsiIgnore:
        if (c == kEsc) {
            m_sequence.clear();
            m_state = State::Escape;
        } else if (c == kCan || c == kSub) {
            m_sequence.clear();
            m_state = State::Ground;
        } else if (c < 0x20) {
            control(c, out); // a terminal executes C0 inside CSI and carries on; so do we (\n, \t)
        } else if (c == kDel) {
            // ignored
        } else if (isC1(c)) {
            m_sequence.clear();
            enterC1(c);
        } else if (isParameterOrIntermediate(c)) {
            if (m_state == State::Csi) {
                if (m_sequence.size() < kMaxSequenceLength) {
                    m_sequence.append(QChar(c));
                } else {
                    m_sequence = QString(); // release the memory too
                    m_state = State::CsiIgnore;
                }
            }
        } else if (isFinal(c)) {
            if (m_state == State::Csi && c == 'm')
                applySgr(m_sequence);
            m_sequence.clear();
            m_state = State::Ground;
        } else {
            m_sequence.clear();
            m_state = State::Ground;
            step(c, out);
        }
        return;

    case State::OscString:
    case State::ControlString:
        if ((c == kBel && m_state == State::OscString) || c == kCan || c == kSub || c == 0x9c) {
            m_state = State::Ground;
        } else if (c == kEsc) {
            m_stringState = m_state;
            m_state = State::StringEscape;
        }
        return; // the string's content is never stored

    case State::StringEscape:
        if (c == '\\') {
            m_state = State::Ground; // ST
        } else {
            // ESC ended the string and starts a new sequence.
            m_state = State::Escape;
            step(c, out);
        }
        return;
    }
}

void AnsiFilter::control(char16_t c, Segments& out)
{
    switch (c) {
    case '\n':
        if (m_afterCr)
            m_afterCr = false;
        else
            append(u"\n", out);
        break;
    case '\r':
        if (!m_afterCr) {
            append(u"\n", out);
            m_afterCr = true;
        }
        break;
    case '\t':
        m_afterCr = false;
        append(u"\t", out);
        break;
    default:
        break; // NUL, BEL, BS, VT, FF, SO, SI, …: dropped
    }
}

// C1 controls behave like their 7-bit ESC forms; the ones that start nothing are dropped.
void AnsiFilter::enterC1(char16_t c)
{
    switch (c) {
    case 0x9b:
        enterCsi();
        break;
    case 0x9d:
        m_state = State::OscString;
        break;
    case 0x90: // DCS
    case 0x98: // SOS
    case 0x9e: // PM
    case 0x9f: // APC
        m_state = State::ControlString;
        break;
    default:
        m_state = State::Ground;
        break;
    }
}

void AnsiFilter::enterCsi()
{
    m_sequence.clear();
    m_state = State::Csi;
}

void AnsiFilter::append(QStringView text, Segments& out)
{
    if (!out.isEmpty() && out.last().style == m_style)
        out.last().text.append(text);
    else
        out.append({text.toString(), m_style});
}

void AnsiFilter::applySgr(QStringView parameters)
{
    // Private (ESC[?…m, ESC[>…m) and intermediate forms are something else: not SGR.
    for (const QChar ch : parameters) {
        const char16_t c = ch.unicode();
        if ((c >= 0x20 && c <= 0x2f) || (c >= '<' && c <= '?'))
            return;
    }

    const SgrParameters params(parameters);
    const qsizetype groups = params.groupCount();
    for (qsizetype g = 0; g < groups; ++g) {
        const int p = params.value(g);
        switch (p) {
        case 0:
            m_style = {};
            break;
        case 1:
            m_style.bold = true;
            break;
        case 2:
            m_style.dim = true;
            break;
        case 3:
            m_style.italic = true;
            break;
        case 4: // 4:0 is "no underline"; 4:1…4:5 are underline styles
            m_style.underline = params.groupSize(g) < 2 || params.value(g, 1) != 0;
            break;
        case 7:
            m_style.inverse = true;
            break;
        case 22:
            m_style.bold = false;
            m_style.dim = false;
            break;
        case 23:
            m_style.italic = false;
            break;
        case 24:
            m_style.underline = false;
            break;
        case 27:
            m_style.inverse = false;
            break;
        case 39:
            m_style.foreground = {};
            break;
        case 49:
            m_style.background = {};
            break;
        case 38:
        case 48: {
            TermColor& target = p == 38 ? m_style.foreground : m_style.background;
            if (params.groupSize(g) > 1) {
                // Colon form, all in one group: 38:5:n, 38:2:r:g:b or 38:2:colourspace:r:g:b.
                const qsizetype n = params.groupSize(g);
                const int mode = params.value(g, 1);
                if (mode == 5 && n >= 3 && isByte(params.value(g, 2))) {
                    target = TermColor::indexed256(params.value(g, 2));
                } else if (mode == 2 && n >= 5) {
                    const qsizetype first = n >= 6 ? 3 : 2;
                    const int r = params.value(g, first);
                    const int gr = params.value(g, first + 1);
                    const int b = params.value(g, first + 2);
                    if (isByte(r) && isByte(gr) && isByte(b))
                        target = TermColor::rgb(r, gr, b);
                }
                break;
            }
            // Semicolon form: the colour takes the following groups.
            if (g + 1 >= groups)
                return;
            const int mode = params.value(g + 1);
            if (mode == 5) {
                if (g + 2 >= groups)
                    return;
                const int index = params.value(g + 2);
                if (isByte(index))
                    target = TermColor::indexed256(index);
                g += 2;
            } else if (mode == 2) {
                if (g + 4 >= groups)
                    return;
                const int r = params.value(g + 2);
                const int gr = params.value(g + 3);
                const int b = params.value(g + 4);
                if (isByte(r) && isByte(gr) && isByte(b))
                    target = TermColor::rgb(r, gr, b);
                g += 4;
            } else {
                return; // unknown colour form: the rest cannot be parsed reliably
            }
            break;
        }
        default:
            if (p >= 30 && p <= 37)
                m_style.foreground = TermColor::ansi16(p - 30);
            else if (p >= 90 && p <= 97)
                m_style.foreground = TermColor::ansi16(p - 90 + 8);
            else if (p >= 40 && p <= 47)
                m_style.background = TermColor::ansi16(p - 40);
            else if (p >= 100 && p <= 107)
                m_style.background = TermColor::ansi16(p - 100 + 8);
            // anything else (blink, conceal, strike-through, fonts …) is ignored; conceal in
            // particular must never hide text from the person reviewing it
            break;
        }
    }
}

} // namespace cc
