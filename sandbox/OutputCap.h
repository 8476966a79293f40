#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace cc {

/// The output limit, byte-exact over stdout and stderr together, the same on every backend: the
/// program's output is delivered until the cap, the byte that would exceed it is the first one
/// dropped, and from then on the run is ended for output_limit.
class OutputCap
{
public:
    explicit OutputCap(qint64 capBytes) : m_cap(capBytes) {}

    /// The part of bytes that may still be delivered (all of it, a prefix, or nothing). When
    /// something had to be dropped, reached() is true from then on.
    QByteArray admit(const QByteArray& bytes)
    {
        if (m_reached)
            return {};
        const qint64 room = m_cap - m_delivered;
        if (bytes.size() <= room) {
            m_delivered += bytes.size();
            return bytes;
        }
        m_reached = true;
        m_delivered = m_cap;
        return room > 0 ? bytes.left(room) : QByteArray();
    }

    /// Output went beyond the cap: the run must end (output_limit) and its output is truncated.
    bool reached() const { return m_reached; }
    /// Bytes delivered so far (never more than the cap).
    qint64 delivered() const { return m_delivered; }
    qint64 cap() const { return m_cap; }

private:
    qint64 m_cap;
    qint64 m_delivered = 0;
    bool m_reached = false;
};

} // namespace cc
