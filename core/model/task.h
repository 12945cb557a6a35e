#pragma once

#include "error.h"
#include "imageref.h"
#include "operation.h"
#include "taskstate.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace tessera {

// One task as Tessera stores it: the operation asked for, where it is, what came back.
struct Task
{
    QString id; // Tessera's own id (a UUID without braces)
    QString accountId;
    Operation operation;
    QString prompt; // the prompt shown and searched: the operation's, or inherited from the parent
    TaskState state = TaskState::Queued;
    std::optional<int> progress; // 0-100 when the family reports it
    QString remoteId; // the vendor's id, a string always
    QString parentId; // Tessera id of the parent task for actions
    int tile = 0; // 1..4: which of the parent's images the action used; 0 = its single image
    QDateTime created;
    QDateTime updated;
    QDateTime finished;
    std::optional<Error> error;
    QList<ImageRef> images;
    // What the vendor told us that later steps need (mjproxy buttons, kolersky actions, final prompt,
    // seed, preview URL). Adapters write and read it; the engine stores it opaquely.
    QJsonObject remote;
    int pollCount = 0;
    // Marked by the user in the history browser. Only HistoryStore::setFavourite changes it in the
    // database: saveTask leaves it alone so that an engine holding an older copy cannot undo a click.
    bool favourite = false;

    bool isGrid() const; // has four tiles (a grid result)
    // The image the user means by `which`: a tile (1..4) or, with 0, the single image of an upscale.
    const ImageRef *image(int which) const;
    // The image that stands for the task in lists and thumbnails: tile 1 when it is saved, else the first
    // saved image that is not a video; null when none is saved.
    const ImageRef *thumbnailImage() const;
    // A short line for lists: "U3 of 'a red fox…'".
    QString title(int promptChars = 40) const;
};

} // namespace tessera

Q_DECLARE_METATYPE(tessera::Task)
