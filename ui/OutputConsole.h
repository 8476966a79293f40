#pragma once

#include "AnsiFilter.h"
#include "Run.h"

#include <QColor>
#include <QHash>
#include <QTextCharFormat>
#include <QTextCursor>
#include <QTimer>
#include <QWidget>

#include <array>
#include <deque>

class QComboBox;
class QPlainTextEdit;

namespace cc {

/// The live output of a run: stdout, stderr (in a red/orange tone) and dimmed italic system lines
/// in one read-only monospace view, with a stream filter above it.
///
/// A composite widget: this QWidget (object name "outputConsole") holds a filter bar with a
/// QComboBox "streamFilter" (All / stdout only / stderr only) and the text view, a QPlainTextEdit
/// "outputText" (also reachable through textView()).
///
/// Output is hostile input. It goes through one AnsiFilter per stream (so a sequence split across
/// chunks never mixes streams): SGR colours are shown, every other control is removed. Text only
/// ever enters the document through QTextCursor::insertText with a plain QTextCharFormat — never
/// as HTML or rich text, never as an anchor — so markup shows literally and nothing is a link.
///
/// Everything is bounded, so a flood cannot freeze the GUI or eat memory:
/// - incoming bytes wait in a backlog flushed by a timer at most every kFlushIntervalMs; one flush
///   stops after about kFlushBudgetMs of work and the rest waits for the next one;
/// - the backlog keeps at most maximumBacklog() bytes, and drops older output that the newer
///   output would push out of the view anyway (it already holds maximumLineCount() lines); what
///   is dropped is announced in place by a dimmed "… N bytes not shown …" line;
/// - the view keeps maximumLineCount() lines; a longer line is broken into display lines of at
///   most maximumLineLength() characters;
/// - for re-filtering, a model of what was shown (stream, text, style) keeps at most
///   maximumLineCount() lines and kModelMaximumCharacters characters.
///
/// Lives in the GUI thread; connect Run::output, Run::progress directly to the slots.
class OutputConsole : public QWidget
{
    Q_OBJECT
public:
    enum class StreamFilter
    {
        All,
        StdoutOnly,
        StderrOnly
    };
    Q_ENUM(StreamFilter)

    static constexpr int kDefaultMaximumLineCount = 5000;
    static constexpr int kDefaultMaximumLineLength = 2000;
    static constexpr qint64 kDefaultMaximumBacklog = 4 * 1024 * 1024;
    static constexpr qsizetype kModelMaximumCharacters = 4 * 1024 * 1024;
    static constexpr int kFlushIntervalMs = 100;
    static constexpr int kFlushBudgetMs = 20;

    explicit OutputConsole(QWidget* parent = nullptr);
    ~OutputConsole() override;

    QPlainTextEdit* textView() const { return m_view; }

    StreamFilter streamFilter() const { return m_streamFilter; }

    int maximumLineCount() const { return m_maximumLineCount; }
    /// Also applies to what is already shown (older lines go).
    void setMaximumLineCount(int lines);
    int maximumLineLength() const { return m_maximumLineLength; }
    /// Applies to text shown from now on.
    void setMaximumLineLength(int characters);
    qint64 maximumBacklog() const { return m_maximumBacklog; }
    void setMaximumBacklog(qint64 bytes);

    /// True while bytes wait to be shown (a flush is scheduled).
    bool hasPendingOutput() const
    {
        return !m_backlog.empty() || !m_renderQueue.empty() || !m_partial[0].empty() || !m_partial[1].empty();
    }

public slots:
    /// Raw bytes from the program; shown within kFlushIntervalMs.
    void appendOutput(cc::Run::Stream stream, const QByteArray& bytes);
    /// A dimmed, italic line of our own ("container created"), on a line of its own, in order
    /// with the output around it. Shown whatever the filter.
    void appendSystemLine(const QString& text);
    /// Says clearly that the output stopped at the run's output limit (of `bytes` bytes).
    void markTruncated(qint64 bytes);
    /// Forgets everything shown and waiting.
    void clear();
    void setStreamFilter(cc::OutputConsole::StreamFilter filter);

signals:
    void streamFilterChanged(cc::OutputConsole::StreamFilter filter);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    enum class Source : quint8
    {
        Stdout,
        Stderr,
        System,
        Notice
    };

    // A run of text as shown: where it came from, what it says, how it looks.
    struct Piece
    {
        Source source;
        QString text;
        TextStyle style;
        qsizetype lines; // '\n' in text
    };

    // Waiting to be filtered and shown: raw output bytes or a line of our own.
    struct Pending
    {
        Source source;
        QByteArray bytes;         // output, from offset on
        qsizetype offset = 0;     // bytes before it are done or dropped
        qint64 newlines = 0;      // '\n' in bytes from offset on
        qint64 skippedBefore = 0; // output dropped just before this item
        QString text;             // System / Notice
    };

    struct Colors
    {
        QColor text;
        QColor base;
        QColor stderrText;
        QColor system;
        QColor notice;
        std::array<QColor, 16> ansi;
    };

    void enqueueLine(Source source, const QString& text);
    void trimBacklog();
    void scheduleFlush();
    void flush();
    void processStep();
    void renderStep();
    void addPiece(Piece piece);
    void addOutputPieces(Source source, std::vector<Piece> pieces);
    void releasePartial(int stream);
    void releasePartials();
    void trimModel();
    bool isShown(Source source) const;
    void rerender();
    void clearDocument();
    void renderText(QStringView text, const QTextCharFormat& format);
    void scrollToBottom();
    void updateColors();
    QTextCharFormat formatFor(Source source, const TextStyle& style);
    QColor resolve(const TermColor& color) const;

    QComboBox* m_filterBox;
    QPlainTextEdit* m_view;
    QTextCursor m_cursor; // always at the end of the document
    QTimer m_flushTimer;

    std::array<AnsiFilter, 2> m_filters; // stdout, stderr
    std::deque<Pending> m_backlog;
    qint64 m_backlogBytes = 0;
    qint64 m_backlogNewlines = 0;

    std::deque<Piece> m_model; // what the view would show unfiltered, bounded
    qsizetype m_modelCharacters = 0;
    qsizetype m_modelLines = 0;

    // The unfinished last line of each stream, held back for a moment so that stdout and stderr
    // never interleave inside one line; shown when its newline comes or after two flushes.
    std::array<std::vector<Piece>, 2> m_partial;
    std::array<int, 2> m_partialAge{};
    std::deque<Piece> m_renderQueue; // pieces not yet (fully) in the document
    qsizetype m_renderOffset = 0;    // characters of the front piece already inserted
    qsizetype m_column = 0;          // length of the document's last line

    Colors m_colors;
    QHash<quint64, QTextCharFormat> m_formatCache;

    StreamFilter m_streamFilter = StreamFilter::All;
    int m_maximumLineCount = kDefaultMaximumLineCount;
    int m_maximumLineLength = kDefaultMaximumLineLength;
    qint64 m_maximumBacklog = kDefaultMaximumBacklog;
    bool m_followTail = true; // keep the newest output in view until the user scrolls up
    bool m_adjusting = false; // scroll bar changes made by us, not the user
};

} // namespace cc
