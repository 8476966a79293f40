#include "RefusedEntryList.h"

#include "PlainLabel.h"

#include <QTreeWidget>
#include <QVBoxLayout>

namespace cc {

RefusedEntryList::RefusedEntryList(const QString& listObjectName, const QString& title, QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new PlainLabel(listObjectName + QStringLiteral("Title"), this);
    m_title->setText(title);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(listObjectName);
    m_list->setHeaderLabels({tr("Name"), tr("Why")});
    m_list->setRootIsDecorated(false);
    m_list->setWordWrap(true);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->setMaximumHeight(100);
    layout->addWidget(m_title);
    layout->addWidget(m_list);
    clear();
}

void RefusedEntryList::setEntries(const QList<RefusedArtifact>& entries)
{
    m_list->clear();
    for (const RefusedArtifact& refused : entries) {
        auto* item = new QTreeWidgetItem(m_list, {refused.path, refused.reason});
        item->setToolTip(1, refused.reason);
    }
    // Hidden with the list inside it, so that tests (and people) see the list as hidden too.
    setVisible(!entries.isEmpty());
    m_list->setVisible(!entries.isEmpty());
}

} // namespace cc
