#pragma once

#include "RunSpec.h"

#include <QObject>
#include <QString>

namespace cc {

class Run;

/// A place where snippets run: the local Docker engine or a remote E2B service. Lives in the
/// thread that created it; the runs it starts live there too.
class Backend : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    /// Stable short name: "docker", "e2b".
    virtual QString name() const = 0;

    /// Starts a run. Never blocks and never fails synchronously: a spec that cannot run ends
    /// as a Run whose finished() carries `backend_error` and the reason. The Run is a child of
    /// parent (or of the backend when parent is null).
    virtual Run* start(const RunSpec& spec, QObject* parent = nullptr) = 0;

    /// Empty when runs can be attempted; otherwise a sentence saying what is missing and how to
    /// provide it ("Set E2B_API_KEY ..."). Cheap: no I/O.
    virtual QString unavailableReason() const { return {}; }

    /// A hint that a run like this is coming (the person is editing it): a backend may prepare a
    /// sandbox for it ahead of time. Never required, never blocks.
    virtual void prewarm(const RunSpec& spec) { Q_UNUSED(spec); }

signals:
    /// unavailableReason() may have changed (a key arrived, a setting changed).
    void availabilityChanged();
};

} // namespace cc
