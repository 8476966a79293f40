#include "PlainLabel.h"

namespace cc {

PlainLabel::PlainLabel(const QString& objectName, QWidget* parent) : QLabel(parent)
{
    setObjectName(objectName);
    // Qt::AutoText would render "<b>…" as bold: what a sandbox wrote must stay those characters.
    setTextFormat(Qt::PlainText);
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
}

} // namespace cc
