#include "OutputConsole.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextDocument>
#include <QVBoxLayout>

#include <cmath>
#include <cstring>

namespace cc {

namespace {

// Work per step inside a flush; the time budget is checked between steps.
constexpr qsizetype kProcessStepBytes = 16 * 1024;
constexpr qsizetype kRenderStepCharacters = 16 * 1024;
// More pieces than this in the model cost more memory than their text: the oldest go.
constexpr qsizetype kModelMaximumPieces = 100000;
// A system line is ours, but may quote something (an image name, an engine message).
constexpr qsizetype kSystemLineMaximum = 4000;
// Cached formats; an RGB rainbow must not grow the cache without end.
constexpr qsizetype kFormatCacheMaximum = 4096;
// Contrast ratios (WCAG) text keeps against its background, whatever colours a program asks for:
// black on black must not hide anything from the person reviewing the output.
constexpr double kMinimumContrast = 3.0;
constexpr double kMinimumDimContrast = 2.0;

// Colours for the 16 ANSI indexes on dark and on light backgrounds (those of VS Code's default
// terminal themes: tested for legibility, white is grey on light backgrounds).
constexpr std::array<QRgb, 16> kAnsiOnDark = {
    0x000000, 0xcd3131, 0x0dbc79, 0xe5e510, 0x2472c8, 0xbc3fbc, 0x11a8cd, 0xe5e5e5,
    0x666666, 0xf14c4c, 0x23d18b, 0xf5f543, 0x3b8eea, 0xd670d6, 0x29b8db, 0xffffff,
};
constexpr std::array<QRgb, 16> kAnsiOnLight = {
    0x000000, 0xcd3131, 0x00bc00, 0x949800, 0x0451a5, 0xbc05bc, 0x0598bc, 0x555555,
    0x666666, 0xcd3131, 0x14ce14, 0xb5ba00, 0x0451a5, 0xbc05bc, 0x0598bc, 0xa5a5a5,
};

double channel(int value)
{
    const double c = value / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(const QColor& color)
{
    return 0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue());
}

double contrast(const QColor& a, const QColor& b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}

QColor mix(const QColor& a, const QColor& b, double towardsB)
{
    const double k = 1.0 - towardsB;
    return QColor::fromRgbF(float(a.redF() * k + b.redF() * towardsB), float(a.greenF() * k + b.greenF() * towardsB),
                            float(a.blueF() * k + b.blueF() * towardsB));
}

// Moves foreground towards black or white (whichever contrasts more with the background) until
// it is legible.
QColor ensureContrast(const QColor& foreground, const QColor& background, double minimum)
{
    if (contrast(foreground, background) >= minimum)
        return foreground;
    const QColor black(Qt::black);
    const QColor white(Qt::white);
    const QColor target = contrast(black, background) > contrast(white, background) ? black : white;
    for (int step = 1; step < 10; ++step) {
        const QColor candidate = mix(foreground, target, step / 10.0);
        if (contrast(candidate, background) >= minimum)
            return candidate;
    }
    return target;
}

// Characters QTextDocument gives a meaning of its own: paragraph and line separators would break
// lines behind our back, frame markers and the object replacement character belong to its
// structure. They arrive as plain text and stay plain text.
void sanitizeForDocument(QString& text)
{
    for (QChar& ch : text) {
        switch (ch.unicode()) {
        case 0x2028: // LINE SEPARATOR
        case 0x2029: // PARAGRAPH SEPARATOR
            ch = QLatin1Char('\n');
            break;
        case 0xfdd0: // QTextBeginningOfFrame
        case 0xfdd1: // QTextEndOfFrame
        case 0xfffc: // OBJECT REPLACEMENT CHARACTER
            ch = QChar::ReplacementCharacter;
            break;
        default:
            break;
        }
    }
}

quint64 colorKey(const TermColor& color)
{
    const quint64 value = color.kind == TermColor::Kind::Rgb
                              ? (quint64(color.red) << 16) | (quint64(color.green) << 8) | color.blue
                              : color.index;
    return (quint64(color.kind) << 24) | value;
}

} // namespace

OutputConsole::OutputConsole(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("outputConsole"));

    m_filterBox = new QComboBox(this);
    m_filterBox->setObjectName(QStringLiteral("streamFilter"));
    m_filterBox->addItem(tr("All output"), int(StreamFilter::All));
    m_filterBox->addItem(tr("stdout only"), int(StreamFilter::StdoutOnly));
    m_filterBox->addItem(tr("stderr only"), int(StreamFilter::StderrOnly));
    m_filterBox->setToolTip(tr("Which of the program's output streams to show"));
    connect(m_filterBox, &QComboBox::currentIndexChanged, this,
            [this](int index) { setStreamFilter(StreamFilter(m_filterBox->itemData(index).toInt())); });

    auto* filterLabel = new QLabel(tr("&Show:"), this);
    filterLabel->setBuddy(m_filterBox);

    m_view = new QPlainTextEdit(this);
    m_view->setObjectName(QStringLiteral("outputText"));
    m_view->setReadOnly(true);
    // Selectable and copyable, nothing else: no link activation, no editing, no drops.
    m_view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_view->setAcceptDrops(false);
    m_view->setUndoRedoEnabled(false);
    m_view->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_view->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_view->setMaximumBlockCount(m_maximumLineCount);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setTabStopDistance(QFontMetricsF(m_view->font()).horizontalAdvance(QLatin1Char(' ')) * 8);
    m_view->installEventFilter(this);
    m_cursor = QTextCursor(m_view->document());

    QScrollBar* scrollBar = m_view->verticalScrollBar();
    connect(scrollBar, &QScrollBar::valueChanged, this, [this, scrollBar](int value) {
        if (!m_adjusting)
            m_followTail = value >= scrollBar->maximum();
    });
    connect(scrollBar, &QScrollBar::rangeChanged, this, [this] {
        if (m_followTail && !m_adjusting)
            scrollToBottom();
    });

    auto* filterBar = new QHBoxLayout;
    filterBar->setContentsMargins(0, 0, 0, 0);
    filterBar->addWidget(filterLabel);
    filterBar->addWidget(m_filterBox);
    filterBar->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filterBar);
    layout->addWidget(m_view, 1);

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &OutputConsole::flush);

    updateColors();
}

OutputConsole::~OutputConsole() = default;

void OutputConsole::setMaximumLineCount(int lines)
{
    m_maximumLineCount = qMax(1, lines);
    m_view->setMaximumBlockCount(m_maximumLineCount);
    trimModel();
}

void OutputConsole::setMaximumLineLength(int characters)
{
    m_maximumLineLength = qMax(16, characters);
}

void OutputConsole::setMaximumBacklog(qint64 bytes)
{
    m_maximumBacklog = qMax<qint64>(1024, bytes);
    trimBacklog();
}

void OutputConsole::appendOutput(Run::Stream stream, const QByteArray& bytes)
{
    if (bytes.isEmpty())
        return;
    Pending pending;
    pending.source = stream == Run::Stream::Stderr ? Source::Stderr : Source::Stdout;
    pending.bytes = bytes; // shared, not copied
    pending.newlines = bytes.count('\n');
    m_backlogBytes += bytes.size();
    m_backlogNewlines += pending.newlines;
    m_backlog.push_back(std::move(pending));
    trimBacklog();
    scheduleFlush();
}

void OutputConsole::appendSystemLine(const QString& text)
{
    enqueueLine(Source::System, text);
}

void OutputConsole::markTruncated(qint64 bytes)
{
    if (bytes > 0) {
        enqueueLine(Source::Notice, tr("Output truncated: the run reached its output limit of %1; "
                                       "everything after that was discarded.")
                                        .arg(QLocale().formattedDataSize(bytes)));
    } else {
        enqueueLine(Source::Notice, tr("Output truncated: the run reached its output limit; "
                                       "everything after that was discarded."));
    }
}

void OutputConsole::enqueueLine(Source source, const QString& text)
{
    QString line;
    line.reserve(qMin(text.size(), kSystemLineMaximum) + 1);
    for (const QChar ch : QStringView(text).first(qMin(text.size(), kSystemLineMaximum))) {
        const char16_t c = ch.unicode();
        if (c == '\n' || c == '\t' || c == '\r')
            line += QLatin1Char(' ');
        else if (c >= 0x20 && (c < 0x7f || c > 0x9f))
            line += ch;
    }
    sanitizeForDocument(line);
    line.replace(QLatin1Char('\n'), QLatin1Char(' '));
    line += QLatin1Char('\n');

    Pending pending;
    pending.source = source;
    pending.text = line;
    m_backlog.push_back(std::move(pending));
    scheduleFlush();
}

void OutputConsole::clear()
{
    m_flushTimer.stop();
    m_backlog.clear();
    m_backlogBytes = 0;
    m_backlogNewlines = 0;
    m_model.clear();
    m_modelCharacters = 0;
    m_modelLines = 0;
    m_renderQueue.clear();
    m_renderOffset = 0;
    for (auto& held : m_partial)
        held.clear();
    for (AnsiFilter& filter : m_filters)
        filter.reset();
    clearDocument();
    m_followTail = true;
}

void OutputConsole::setStreamFilter(StreamFilter filter)
{
    if (filter == m_streamFilter)
        return;
    m_streamFilter = filter;
    const int index = m_filterBox->findData(int(filter));
    if (index != m_filterBox->currentIndex()) {
        const QSignalBlocker blocker(m_filterBox);
        m_filterBox->setCurrentIndex(index);
    }
    rerender();
    emit streamFilterChanged(filter);
}

bool OutputConsole::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view && event->type() == QEvent::PaletteChange) {
        updateColors();
        rerender();
    }
    return QWidget::eventFilter(watched, event);
}

// Drops the oldest output while the backlog holds more than maximumBacklog() bytes, and output
// that newer output would push out of the view anyway. Lines of our own are kept. The count of
// dropped bytes travels to the next output item, where "… N bytes not shown …" will appear.
void OutputConsole::trimBacklog()
{
    // Room for the newest lines, the "not shown" line above them and a partial line.
    const qint64 lineRoom = qMax(1, m_maximumLineCount - 2);
    qint64 carry = 0;
    auto it = m_backlog.begin();
    while (it != m_backlog.end()) {
        if (it->source != Source::Stdout && it->source != Source::Stderr) {
            ++it;
            continue;
        }
        if (carry > 0) {
            it->skippedBefore += carry;
            carry = 0;
        }
        const qint64 size = it->bytes.size() - it->offset;
        const qint64 newerLines = m_backlogNewlines - it->newlines;
        qint64 excess = 0;
        if (newerLines >= lineRoom) {
            excess = size;
        } else if (newerLines + it->newlines > lineRoom) {
            // Keep only this item's last lines: cut after its k-th line break.
            qint64 k = newerLines + it->newlines - lineRoom;
            const char* data = it->bytes.constData();
            qsizetype position = it->offset;
            while (k > 0) {
                position = static_cast<const char*>(std::memchr(data + position, '\n', it->bytes.size() - position)) -
                           data + 1;
                --k;
            }
            excess = position - it->offset;
        }
        excess = qMax(excess, m_backlogBytes - m_maximumBacklog);
        if (excess <= 0)
            break;
        if (excess >= size) {
            carry = it->skippedBefore + size;
            m_backlogBytes -= size;
            m_backlogNewlines -= it->newlines;
            it = m_backlog.erase(it);
            continue;
        }
        // Only part of this item goes. The newest item always survives like this: the byte cap
        // exceeds zero and the line rule never drops it whole.
        const qint64 newlines = QByteArrayView(it->bytes).sliced(it->offset, excess).count('\n');
        it->offset += excess;
        it->newlines -= newlines;
        it->skippedBefore += excess;
        m_backlogBytes -= excess;
        m_backlogNewlines -= newlines;
        if (it->offset > it->bytes.size() / 2) { // let go of the memory of what was dropped
            it->bytes = it->bytes.sliced(it->offset);
            it->offset = 0;
        }
        break;
    }
    if (carry > 0) { // unreachable by the reasoning above; never lose the notice, though
        Pending notice;
        notice.source = Source::Stdout;
        notice.skippedBefore = carry;
        m_backlog.push_back(std::move(notice));
    }
}

void OutputConsole::scheduleFlush()
{
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void OutputConsole::flush()
{
    QElapsedTimer clock;
    clock.start();
    m_adjusting = true;
    const bool follow = m_followTail;
    // One edit block per step: closing it lays out and drops the lines beyond the maximum, work
    // that grows with the step and must count against the budget too.
    // Partial lines held for two flushes already (a prompt without newline) are shown now.
    for (int stream = 0; stream < 2; ++stream)
        if (!m_partial[stream].empty() && ++m_partialAge[stream] > 2)
            releasePartial(stream);
    while ((!m_backlog.empty() || !m_renderQueue.empty()) && clock.elapsed() < kFlushBudgetMs) {
        m_cursor.beginEditBlock();
        if (!m_renderQueue.empty())
            renderStep();
        else
            processStep();
        m_cursor.endEditBlock();
    }
    m_followTail = follow;
    if (m_followTail)
        scrollToBottom();
    m_adjusting = false;
    if (hasPendingOutput())
        scheduleFlush();
}

// Turns the front of the backlog into pieces: filters up to kProcessStepBytes of output.
void OutputConsole::processStep()
{
    Pending& front = m_backlog.front();
    if (front.skippedBefore > 0 || front.source == Source::System || front.source == Source::Notice)
        releasePartials();  // an unfinished line is shown before what follows it in time
    if (front.skippedBefore > 0) {
        addPiece({Source::System,
                  tr("… %1 bytes not shown …").arg(QLocale().toString(front.skippedBefore)) + QLatin1Char('\n'),
                  {},
                  1});
        front.skippedBefore = 0;
        // Escape sequences and colours that began in what was dropped are meaningless now.
        for (AnsiFilter& filter : m_filters)
            filter.reset();
        return;
    }
    if (front.source == Source::System || front.source == Source::Notice) {
        addPiece({front.source, front.text, {}, 1});
        m_backlog.pop_front();
        return;
    }

    const qsizetype take = qMin(kProcessStepBytes, front.bytes.size() - front.offset);
    const QByteArrayView slice = QByteArrayView(front.bytes).sliced(front.offset, take);
    const qint64 newlines = slice.count('\n');
    AnsiFilter& filter = m_filters[front.source == Source::Stderr ? 1 : 0];
    const Source source = front.source;
    const AnsiFilter::Segments segments = filter.feed(slice);
    front.offset += take;
    front.newlines -= newlines;
    m_backlogBytes -= take;
    m_backlogNewlines -= newlines;
    if (front.offset >= front.bytes.size())
        m_backlog.pop_front();

    std::vector<Piece> pieces;
    for (const AnsiFilter::Segment& segment : segments) {
        QString text = segment.text;
        sanitizeForDocument(text);
        const qsizetype lines = text.count(QLatin1Char('\n'));
        pieces.push_back({source, std::move(text), segment.style, lines});
    }
    addOutputPieces(source, std::move(pieces));
}

// Shows the complete lines of a stream's new output and holds its unfinished last line.
void OutputConsole::addOutputPieces(Source source, std::vector<Piece> pieces)
{
    const int stream = source == Source::Stderr ? 1 : 0;
    std::vector<Piece>& held = m_partial[stream];
    const bool wasEmpty = held.empty();
    for (Piece& piece : pieces) {
        if (piece.text.isEmpty())
            continue;
        const qsizetype lastNewline = piece.text.lastIndexOf(QLatin1Char('\n'));
        if (lastNewline < 0) {
            held.push_back(std::move(piece));
            continue;
        }
        // Everything held so far ends with this piece's newline: the line is complete.
        for (Piece& earlier : held)
            addPiece(std::move(earlier));
        held.clear();
        const QString rest = piece.text.mid(lastNewline + 1);
        piece.text.truncate(lastNewline + 1);
        addPiece(piece);
        if (!rest.isEmpty())
            held.push_back({source, rest, piece.style, 0});
    }
    if (wasEmpty && !held.empty())
        m_partialAge[stream] = 0;
    // A line without end (a 50 MB blob, a progress bar) is shown in parts rather than held.
    qsizetype heldCharacters = 0;
    for (const Piece& piece : held)
        heldCharacters += piece.text.size();
    if (heldCharacters >= m_maximumLineLength)
        releasePartial(stream);
}

void OutputConsole::releasePartial(int stream)
{
    for (Piece& piece : m_partial[stream])
        addPiece(std::move(piece));
    m_partial[stream].clear();
}

void OutputConsole::releasePartials()
{
    releasePartial(0);
    releasePartial(1);
}

void OutputConsole::addPiece(Piece piece)
{
    if (piece.text.isEmpty())
        return;
    if (isShown(piece.source))
        m_renderQueue.push_back(piece);
    m_modelCharacters += piece.text.size();
    m_modelLines += piece.lines;
    m_model.push_back(std::move(piece));
    trimModel();
}

void OutputConsole::trimModel()
{
    while (!m_model.empty()) {
        const qsizetype excessLines = m_modelLines - m_maximumLineCount;
        const qsizetype excessCharacters = m_modelCharacters - kModelMaximumCharacters;
        if (excessLines <= 0 && excessCharacters <= 0 && qsizetype(m_model.size()) <= kModelMaximumPieces)
            return;
        Piece& front = m_model.front();
        // How much of the front piece must go: enough lines, enough characters.
        qsizetype cut = qMax<qsizetype>(0, excessCharacters);
        if (excessLines > 0) {
            qsizetype position = -1;
            for (qsizetype n = 0; n < excessLines; ++n) {
                position = front.text.indexOf(QLatin1Char('\n'), position + 1);
                if (position < 0)
                    break;
            }
            cut = qMax(cut, position < 0 ? front.text.size() : position + 1);
        }
        if (qsizetype(m_model.size()) > kModelMaximumPieces || cut >= front.text.size()) {
            m_modelCharacters -= front.text.size();
            m_modelLines -= front.lines;
            m_model.pop_front();
            continue;
        }
        const qsizetype cutLines = QStringView(front.text).first(cut).count(QLatin1Char('\n'));
        front.text = front.text.sliced(cut);
        front.lines -= cutLines;
        m_modelCharacters -= cut;
        m_modelLines -= cutLines;
    }
}

bool OutputConsole::isShown(Source source) const
{
    switch (m_streamFilter) {
    case StreamFilter::All:
        return true;
    case StreamFilter::StdoutOnly:
        return source != Source::Stderr;
    case StreamFilter::StderrOnly:
        return source != Source::Stdout;
    }
    return true;
}

// Shows the model again under the current filter and colours. The work goes through the render
// queue, so it is spread over flushes like any other output.
void OutputConsole::rerender()
{
    clearDocument();
    m_renderQueue.clear();
    m_renderOffset = 0;
    for (const Piece& piece : m_model) {
        if (isShown(piece.source))
            m_renderQueue.push_back(piece);
    }
    m_followTail = true;
    m_flushTimer.stop();
    flush();
}

void OutputConsole::clearDocument()
{
    m_view->document()->clear();
    m_view->setUndoRedoEnabled(false);
    m_view->setMaximumBlockCount(m_maximumLineCount);
    m_cursor = QTextCursor(m_view->document());
    m_column = 0;
}

// Inserts up to kRenderStepCharacters of the front piece of the render queue.
void OutputConsole::renderStep()
{
    const Piece& piece = m_renderQueue.front();
    const QTextCharFormat format = formatFor(piece.source, piece.style);
    m_cursor.movePosition(QTextCursor::End);

    if (piece.source == Source::System || piece.source == Source::Notice) {
        if (m_column > 0) { // our lines always start on a line of their own
            m_cursor.insertText(QStringLiteral("\n"), formatFor(Source::Stdout, {}));
            m_column = 0;
        }
        renderText(piece.text, format);
        m_renderQueue.pop_front();
        return;
    }

    qsizetype take = qMin(kRenderStepCharacters, piece.text.size() - m_renderOffset);
    if (m_renderOffset + take < piece.text.size() && piece.text.at(m_renderOffset + take - 1).isHighSurrogate())
        ++take; // never split a surrogate pair
    renderText(QStringView(piece.text).sliced(m_renderOffset, take), format);
    m_renderOffset += take;
    if (m_renderOffset >= piece.text.size()) {
        m_renderQueue.pop_front();
        m_renderOffset = 0;
    }
}

// Inserts text at the end, breaking lines longer than maximumLineLength() into display lines.
void OutputConsole::renderText(QStringView text, const QTextCharFormat& format)
{
    const qsizetype maximum = m_maximumLineLength;
    QString out;
    out.reserve(text.size() + text.size() / maximum + 1);
    qsizetype column = m_column;
    qsizetype i = 0;
    while (i < text.size()) {
        const qsizetype newline = text.indexOf(QLatin1Char('\n'), i);
        const qsizetype lineEnd = newline < 0 ? text.size() : newline;
        while (i < lineEnd) {
            if (column >= maximum) {
                out += QLatin1Char('\n');
                column = 0;
            }
            qsizetype take = qMin(lineEnd - i, maximum - column);
            if (i + take < lineEnd && text[i + take - 1].isHighSurrogate()) { // never split a surrogate pair
                if (take > 1) {
                    --take;
                } else if (column > 0) {
                    out += QLatin1Char('\n');
                    column = 0;
                    continue;
                } else {
                    ++take;
                }
            }
            out += text.sliced(i, take);
            i += take;
            column += take;
        }
        if (newline >= 0) {
            out += QLatin1Char('\n');
            column = 0;
            i = newline + 1;
        }
    }
    m_cursor.insertText(out, format);
    m_column = column;
}

void OutputConsole::scrollToBottom()
{
    QScrollBar* scrollBar = m_view->verticalScrollBar();
    const bool wasAdjusting = m_adjusting;
    m_adjusting = true;
    scrollBar->setValue(scrollBar->maximum());
    m_adjusting = wasAdjusting;
}

void OutputConsole::updateColors()
{
    const QPalette palette = m_view->palette();
    m_colors.text = palette.color(QPalette::Active, QPalette::Text);
    m_colors.base = palette.color(QPalette::Active, QPalette::Base);
    const bool dark = luminance(m_colors.base) < 0.18;
    m_colors.stderrText =
        ensureContrast(dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x39, 0x2b), m_colors.base, 4.5);
    m_colors.notice = ensureContrast(dark ? QColor(0xff, 0xb8, 0x6c) : QColor(0xa8, 0x5c, 0x00), m_colors.base, 4.5);
    m_colors.system = ensureContrast(mix(m_colors.text, m_colors.base, 0.45), m_colors.base, kMinimumContrast);
    const auto& ansi = dark ? kAnsiOnDark : kAnsiOnLight;
    for (size_t i = 0; i < ansi.size(); ++i)
        m_colors.ansi[i] = QColor(ansi[i]);
    m_formatCache.clear();
}

QColor OutputConsole::resolve(const TermColor& color) const
{
    switch (color.kind) {
    case TermColor::Kind::Default:
        return {};
    case TermColor::Kind::Ansi16:
        return m_colors.ansi[color.index & 15];
    case TermColor::Kind::Indexed256: {
        const int index = color.index;
        if (index < 16)
            return m_colors.ansi[index];
        if (index < 232) { // 6×6×6 cube
            static constexpr int kLevels[] = {0, 95, 135, 175, 215, 255};
            const int n = index - 16;
            return QColor(kLevels[n / 36], kLevels[(n / 6) % 6], kLevels[n % 6]);
        }
        const int grey = 8 + 10 * (index - 232);
        return QColor(grey, grey, grey);
    }
    case TermColor::Kind::Rgb:
        return QColor(color.red, color.green, color.blue);
    }
    return {};
}

QTextCharFormat OutputConsole::formatFor(Source source, const TextStyle& style)
{
    const quint64 flags = (style.bold ? 1 : 0) | (style.dim ? 2 : 0) | (style.italic ? 4 : 0) |
                          (style.underline ? 8 : 0) | (style.inverse ? 16 : 0);
    const quint64 key =
        colorKey(style.foreground) | (colorKey(style.background) << 26) | (flags << 52) | (quint64(source) << 57);
    const auto cached = m_formatCache.constFind(key);
    if (cached != m_formatCache.constEnd())
        return *cached;

    QColor foreground;
    switch (source) {
    case Source::Stdout:
        foreground = m_colors.text;
        break;
    case Source::Stderr:
        foreground = m_colors.stderrText;
        break;
    case Source::System:
        foreground = m_colors.system;
        break;
    case Source::Notice:
        foreground = m_colors.notice;
        break;
    }
    if (!style.foreground.isDefault())
        foreground = resolve(style.foreground);
    QColor background = m_colors.base;
    bool hasBackground = false;
    if (!style.background.isDefault()) {
        background = resolve(style.background);
        hasBackground = true;
    }
    if (style.inverse) {
        std::swap(foreground, background);
        hasBackground = true;
    }
    if (style.dim)
        foreground = mix(foreground, background, 0.4);
    foreground = ensureContrast(foreground, background, style.dim ? kMinimumDimContrast : kMinimumContrast);

    QTextCharFormat format;
    format.setForeground(foreground);
    if (hasBackground)
        format.setBackground(background);
    if (style.bold || source == Source::Notice)
        format.setFontWeight(QFont::Bold);
    if (style.italic || source == Source::System)
        format.setFontItalic(true);
    if (style.underline)
        format.setFontUnderline(true);
    format.setAnchor(false);

    if (m_formatCache.size() >= kFormatCacheMaximum)
        m_formatCache.clear();
    m_formatCache.insert(key, format);
    return format;
}

} // namespace cc
