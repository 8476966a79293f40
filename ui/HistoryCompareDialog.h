#pragma once

#include "HistoryRecord.h"

#include <QDialog>

class QLabel;
class QPlainTextEdit;

namespace cc {

/// Two runs' outputs side by side, scrolled together, with the lines that differ marked and a
/// sentence saying whether (and from where) they differ. Plain text only.
class HistoryCompareDialog : public QDialog
{
    Q_OBJECT
public:
    HistoryCompareDialog(const HistoryRecord& left, const HistoryRecord& right, QWidget* parent = nullptr);

    /// What one side shows: a title line, stdout, stderr and the truncation mark if any.
    static QString outputText(const HistoryRecord& record);
    /// 0-based index of the first line that differs, or -1 when the texts are the same.
    static int firstDifferentLine(const QString& left, const QString& right);

private:
    QPlainTextEdit* m_left;
    QPlainTextEdit* m_right;
    QLabel* m_summary;
};

} // namespace cc
