#include "LineDiff.h"

#include <QList>

#include <algorithm>
#include <vector>

namespace cc {

namespace {

constexpr int kContext = 3;

QList<QByteArray> splitLines(const QByteArray& text)
{
    QList<QByteArray> lines = text.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast(); // a final newline ends the last line, it does not start another
    return lines;
}

enum class Op : char
{
    Equal = ' ',
    Remove = '-',
    Add = '+'
};

struct Step
{
    Op op;
    int oldLine; // index into the old lines (Equal, Remove)
    int newLine; // index into the new lines (Equal, Add)
};

/// The edit script of the middle part, by a longest-common-subsequence table (or coarsely).
void diffMiddle(const QList<QByteArray>& a, const QList<QByteArray>& b, int a0, int a1, int b0, int b1, qint64 maxCells,
                std::vector<Step>& steps)
{
    const qint64 n = a1 - a0;
    const qint64 m = b1 - b0;
    if (n == 0 || m == 0 || (n + 1) * (m + 1) > maxCells) {
        for (int i = a0; i < a1; ++i)
            steps.push_back({Op::Remove, i, b0});
        for (int j = b0; j < b1; ++j)
            steps.push_back({Op::Add, a1, j});
        return;
    }
    // lcs[i][j]: length of the LCS of a[a0+i..a1) and b[b0+j..b1).
    std::vector<quint32> lcs(size_t((n + 1) * (m + 1)), 0);
    auto at = [&](qint64 i, qint64 j) -> quint32& { return lcs[size_t(i * (m + 1) + j)]; };
    for (qint64 i = n - 1; i >= 0; --i)
        for (qint64 j = m - 1; j >= 0; --j)
            at(i, j) = a.at(a0 + i) == b.at(b0 + j) ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    qint64 i = 0;
    qint64 j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a.at(a0 + i) == b.at(b0 + j)) {
            steps.push_back({Op::Equal, int(a0 + i), int(b0 + j)});
            ++i;
            ++j;
        } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
            // On a tie the removal comes first, as diff(1) shows a replaced line.
            steps.push_back({Op::Remove, int(a0 + i), int(b0 + j)});
            ++i;
        } else {
            steps.push_back({Op::Add, int(a0 + i), int(b0 + j)});
            ++j;
        }
    }
}

} // namespace

LineDiff diffLines(const QByteArray& before, const QByteArray& after, qsizetype maxBytes, qint64 maxCells)
{
    LineDiff diff;
    if (before == after)
        return diff;
    const QList<QByteArray> a = splitLines(before);
    const QList<QByteArray> b = splitLines(after);
    int head = 0;
    while (head < a.size() && head < b.size() && a.at(head) == b.at(head))
        ++head;
    int tail = 0;
    while (tail < a.size() - head && tail < b.size() - head && a.at(a.size() - 1 - tail) == b.at(b.size() - 1 - tail))
        ++tail;

    std::vector<Step> steps;
    for (int i = 0; i < head; ++i)
        steps.push_back({Op::Equal, i, i});
    diffMiddle(a, b, head, int(a.size()) - tail, head, int(b.size()) - tail, maxCells, steps);
    for (int k = tail; k > 0; --k)
        steps.push_back({Op::Equal, int(a.size()) - k, int(b.size()) - k});

    QByteArray out;
    const size_t count = steps.size();
    size_t pos = 0;
    while (pos < count) {
        // The next change, then the hunk around it: changes closer than 2 * context share a hunk.
        while (pos < count && steps[pos].op == Op::Equal)
            ++pos;
        if (pos == count)
            break;
        const size_t start = pos >= size_t(kContext) ? pos - kContext : 0;
        size_t end = pos;
        size_t equalRun = 0;
        while (end < count) {
            if (steps[end].op == Op::Equal) {
                if (equalRun == size_t(2 * kContext))
                    break;
                ++equalRun;
            } else {
                equalRun = 0;
            }
            ++end;
        }
        // The hunk ends with equalRun unchanged lines: keep only context of them.
        while (end > pos && equalRun > size_t(kContext)) {
            --end;
            --equalRun;
        }
        int oldCount = 0;
        int newCount = 0;
        QByteArray body;
        for (size_t k = start; k < end; ++k) {
            const Step& s = steps[k];
            const QByteArray& line = s.op == Op::Add ? b.at(s.newLine) : a.at(s.oldLine);
            body += char(s.op);
            body += line;
            body += '\n';
            if (s.op != Op::Add)
                ++oldCount;
            if (s.op != Op::Remove)
                ++newCount;
            if (s.op == Op::Add)
                ++diff.added;
            if (s.op == Op::Remove)
                ++diff.removed;
        }
        const Step& first = steps[start];
        const int oldStart = first.oldLine + (oldCount > 0 ? 1 : 0);
        const int newStart = first.newLine + (newCount > 0 ? 1 : 0);
        out += "@@ -" + QByteArray::number(oldStart) + ',' + QByteArray::number(oldCount) + " +" +
               QByteArray::number(newStart) + ',' + QByteArray::number(newCount) + " @@\n";
        out += body;
        pos = end;
    }
    if (out.size() > maxBytes) {
        out.truncate(maxBytes);
        diff.truncated = true;
    }
    diff.text = QString::fromUtf8(out);
    return diff;
}

} // namespace cc
