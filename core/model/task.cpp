#include "task.h"

#include <QCoreApplication>
#include <QUrl>

namespace tessera {

bool Task::isGrid() const
{
    int tiles = 0;
    for (const ImageRef &img : images) {
        if (img.role == ImageRole::Tile)
            ++tiles;
    }
    return tiles == 4;
}

const ImageRef *Task::image(int which) const
{
    for (const ImageRef &img : images) {
        if (which == 0 && (img.role == ImageRole::Upscale))
            return &img;
        if (which > 0 && img.role == ImageRole::Tile && img.index == which)
            return &img;
    }
    return nullptr;
}

const ImageRef *Task::thumbnailImage() const
{
    if (const ImageRef *tile = image(1); tile && tile->isLocal())
        return tile;
    for (const ImageRef &img : images) {
        if (img.isLocal() && img.role != ImageRole::Video)
            return &img;
    }
    return nullptr;
}

QString Task::title(int promptChars) const
{
    QString shortPrompt = prompt.simplified();
    if (shortPrompt.size() > promptChars)
        shortPrompt = shortPrompt.left(promptChars - 1).trimmed() + QStringLiteral("…");
    if (operation.kind == OperationKind::Imagine)
        return QStringLiteral("\u201C") + shortPrompt + QStringLiteral("\u201D");
    // Describe and blend have no prompt: they are named by their input (issue 12).
    if (operation.kind == OperationKind::Describe) {
        QString name = operation.referenceNames.value(0);
        if (name.isEmpty()) {
            const QString ref = operation.references.value(0);
            if (ref.startsWith(QLatin1String("http://")) || ref.startsWith(QLatin1String("https://")))
                name = QUrl(ref).fileName();
        }
        if (name.isEmpty())
            return QCoreApplication::translate("Task", "Describe of an image");
        if (name.size() > promptChars)
            name = name.left(promptChars - 1) + QStringLiteral("…");
        return QCoreApplication::translate("Task", "Describe of %1").arg(name);
    }
    if (operation.kind == OperationKind::Blend)
        return QCoreApplication::translate("Task", "Blend of %n images", nullptr,
                                           int(operation.references.size()));
    return QCoreApplication::translate("Task", "%1 of \u201C%2\u201D").arg(operation.label(), shortPrompt);
}

} // namespace tessera
