#pragma once

#include <QLabel>

namespace cc {

/// A label for text that came from elsewhere (an engine message quoting a snippet's output, a
/// name chosen inside a sandbox): always plain text, never markup, word-wrapped and selectable.
class PlainLabel : public QLabel
{
    Q_OBJECT
public:
    PlainLabel(const QString& objectName, QWidget* parent);
};

} // namespace cc
