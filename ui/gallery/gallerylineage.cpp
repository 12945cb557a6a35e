// The Gallery and the tasks around the shown one: the badges of what was made from each image, the
// lineage strip of what led to it, walking along it (Ctrl+Up / Ctrl+Down), and comparing an image with
// its source (C).
#include "comparedialog.h"
#include "galleryview.h"
#include "lineagestrip.h"
#include "storage/imagearchive.h"
#include "tilewidget.h"

namespace tessera::ui {

namespace {

// Where the selected image of `shown` came from: the parent's image it was made from, when it is here.
const ImageRef *sourceImage(const QList<Task> &lineage)
{
    if (lineage.size() < 2)
        return nullptr;
    const Task &child = lineage.last();
    const ImageRef *img = lineage.at(lineage.size() - 2).image(child.tile);
    return img && img->isLocal() ? img : nullptr;
}

} // namespace

Availability GalleryView::compareAvailability() const
{
    if (!m_task)
        return Availability::no(tr("Select a task first"));
    if (selectedImagePath().isEmpty() || m_shape == Shape::Videos)
        return Availability::no(tr("The selected image is not in the archive yet"));
    if (sourceImage(m_lineage->path()))
        return Availability::yes();
    if (m_shape == Shape::Grid && m_tileCount > 1)
        return Availability::yes();
    return Availability::no(tr("Nothing to compare it with: it was made from a prompt"));
}

void GalleryView::compare()
{
    const Availability a = compareAvailability();
    if (!a.enabled) {
        emit message(tr("Compare is not available: %1").arg(a.reason));
        return;
    }
    CompareDialog::Side left;
    const CompareDialog::Side right {selectedImagePath(),
                                     m_shape == Shape::Grid ? tr("Image %1").arg(m_selected)
                                                            : m_task->operation.label()};
    if (const ImageRef *source = sourceImage(m_lineage->path())) {
        const Task &parent = m_lineage->path().at(m_lineage->path().size() - 2);
        left = {m_archive.absolutePath(source->path),
                m_task->tile > 0 ? tr("Image %1 it was made from").arg(m_task->tile)
                                 : parent.operation.label()};
    } else {
        int other = m_previousSelected >= 1 && m_previousSelected != m_selected
            ? m_previousSelected
            : m_selected % m_tileCount + 1;
        const ImageRef *img = m_task->image(other);
        if (!img || !img->isLocal()) {
            emit message(tr("Compare: image %1 is not in the archive yet").arg(other));
            return;
        }
        left = {m_archive.absolutePath(img->path), tr("Image %1").arg(other)};
    }
    auto *dialog = new CompareDialog(left, right, window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void GalleryView::setLineage(const QList<Task> &path)
{
    m_lineage->setPath(path);
    emit actionsChanged(); // Compare and Go to the parent depend on it
}

void GalleryView::setOffspring(const QList<Task> &children)
{
    m_offspring = children;
    applyOffspring();
    emit actionsChanged();
}

QList<const Task *> GalleryView::offspringOf(int tile) const
{
    QList<const Task *> found;
    if (!m_task)
        return found;
    for (const Task &child : m_offspring) {
        // Actions on the whole grid (reroll, seed) belong to no image.
        if (child.parentId == m_task->id && child.tile == tile
            && child.operation.kind != OperationKind::Reroll && child.operation.kind != OperationKind::Seed)
            found.append(&child);
    }
    return found;
}

void GalleryView::applyOffspring()
{
    const auto badges = [this](int tile) {
        QList<TileWidget::Offspring> list;
        for (const Task *child : offspringOf(tile)) {
            TileWidget::Offspring o;
            o.taskId = child->id;
            o.label = child->operation.label();
            o.state = child->state == TaskState::Succeeded ? TileWidget::Offspring::State::Done
                : isActive(child->state)                   ? TileWidget::Offspring::State::Running
                                                           : TileWidget::Offspring::State::Failed;
            list.append(o);
        }
        return list;
    };
    const bool grid = m_shape == Shape::Grid;
    for (int i = 0; i < 4; ++i)
        m_tiles[static_cast<std::size_t>(i)]->setOffspring(grid ? badges(i + 1)
                                                                : QList<TileWidget::Offspring>());
    m_single->setOffspring(m_shape == Shape::Single ? badges(0) : QList<TileWidget::Offspring>());
}

Availability GalleryView::newestOffspringAvailability() const
{
    if (!m_task)
        return Availability::no(tr("Select a task first"));
    if (m_shape != Shape::Grid && m_shape != Shape::Single)
        return Availability::no(tr("Nothing is made from this result here"));
    if (offspringOf(m_shape == Shape::Grid ? m_selected : 0).isEmpty())
        return Availability::no(m_shape == Shape::Grid
                                    ? tr("Nothing was made from image %1 yet").arg(m_selected)
                                    : tr("Nothing was made from this image yet"));
    return Availability::yes();
}

Availability GalleryView::parentAvailability() const
{
    if (!m_task)
        return Availability::no(tr("Select a task first"));
    if (m_task->parentId.isEmpty())
        return Availability::no(tr("This task was made from a prompt, not from another task"));
    return Availability::yes();
}

void GalleryView::openNewestOffspring()
{
    const Availability a = newestOffspringAvailability();
    if (!a.enabled) {
        emit message(a.reason);
        return;
    }
    // Copies: showing the task replaces both the shown task and its offspring.
    const QString id = offspringOf(m_shape == Shape::Grid ? m_selected : 0).constLast()->id;
    emit openTaskRequested(id);
}

void GalleryView::openParent()
{
    const Availability a = parentAvailability();
    if (!a.enabled) {
        emit message(a.reason);
        return;
    }
    const QString id = m_task->parentId;
    emit openTaskRequested(id);
}

} // namespace tessera::ui
