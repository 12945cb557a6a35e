#include "task.h"

#include <QCoreApplication>

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

QString Task::title(int promptChars) const
{
    QString shortPrompt = prompt.simplified();
    if (shortPrompt.size() > promptChars)
        shortPrompt = shortPrompt.left(promptChars - 1).trimmed() + QStringLiteral("…");
    if (operation.kind == OperationKind::Imagine)
        return QStringLiteral("\u201C") + shortPrompt + QStringLiteral("\u201D");
    return QCoreApplication::translate("Task", "%1 of \u201C%2\u201D").arg(operation.label(), shortPrompt);
}

} // namespace tessera
