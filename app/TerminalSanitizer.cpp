#include "TerminalSanitizer.h"

namespace cc {

namespace {

void appendColor(QByteArray& out, const TermColor& color, bool background)
{
    switch (color.kind) {
    case TermColor::Kind::Default:
        return;
    case TermColor::Kind::Ansi16:
        if (color.index < 8)
            out += ';' + QByteArray::number((background ? 40 : 30) + color.index);
        else
            out += ';' + QByteArray::number((background ? 100 : 90) + color.index - 8);
        return;
    case TermColor::Kind::Indexed256:
        out += (background ? ";48;5;" : ";38;5;") + QByteArray::number(color.index);
        return;
    case TermColor::Kind::Rgb:
        out += (background ? ";48;2;" : ";38;2;") + QByteArray::number(color.red) + ';' + QByteArray::number(color.green)
               + ';' + QByteArray::number(color.blue);
        return;
    }
}

} // namespace

QByteArray TerminalSanitizer::sgrFor(const TextStyle& style)
{
    QByteArray out = "\x1b[0";
    if (style.bold)
        out += ";1";
    if (style.dim)
        out += ";2";
    if (style.italic)
        out += ";3";
    if (style.underline)
        out += ";4";
    if (style.inverse)
        out += ";7";
    appendColor(out, style.foreground, false);
    appendColor(out, style.background, true);
    return out + 'm';
}

QByteArray TerminalSanitizer::render(const AnsiFilter::Segments& segments)
{
    QByteArray out;
    for (const AnsiFilter::Segment& segment : segments) {
        if (segment.text.isEmpty())
            continue;
        if (!(segment.style == m_emitted)) {
            out += sgrFor(segment.style);
            m_emitted = segment.style;
        }
        out += segment.text.toUtf8();
    }
    return out;
}

QByteArray TerminalSanitizer::feed(QByteArrayView bytes)
{
    return render(m_filter.feed(bytes));
}

QByteArray TerminalSanitizer::finish()
{
    QByteArray out = render(m_filter.finish());
    if (!(m_emitted == TextStyle{})) {
        out += "\x1b[0m";
        m_emitted = TextStyle{};
    }
    return out;
}

} // namespace cc
