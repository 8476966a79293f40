#pragma once

#include "Artifact.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace cc {

/// The entries a sandbox offered that CodeCourier refused (links, special files, bad names, past a
/// cap), each with the reason: a title and a two-column list, hidden while there are none. Shared
/// by the Artifacts and Changes tabs. Names came from the sandbox: item views draw them as text.
class RefusedEntryList : public QWidget
{
    Q_OBJECT
public:
    /// listObjectName names the list (tests find it by that name).
    RefusedEntryList(const QString& listObjectName, const QString& title, QWidget* parent = nullptr);

    /// Lists these entries, replacing the previous ones; hidden when there are none.
    void setEntries(const QList<RefusedArtifact>& entries);
    void clear() { setEntries({}); }

private:
    QLabel* m_title;
    QTreeWidget* m_list;
};

} // namespace cc
