#pragma once

#include <QString>

namespace cc {

/// The concise user guide of Help ▸ User guide: what each grant and limit does and what each
/// verdict means. Rich text, all of it ours: no string from an engine or a snippet goes in.
class UserGuide
{
public:
    static QString html();
};

} // namespace cc
