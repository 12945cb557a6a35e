#pragma once

#include "model/account.h"
#include "model/task.h"

#include <QJsonObject>

namespace tessera {

class ImageArchive;

// A task in the shape of PRODUCT.md's `--json` (one object per task; `history list` prints a list):
// id, remoteId, account, family, operation, state, progress, prompt, parent, tile, error {kind,
// httpStatus, message}, images [{role, index, path (absolute), width, height, url}], videos [{path, url}],
// created, finished — those keys and no others. Absent values are null, never missing.
QJsonObject taskToJson(const Task &task, const Account &account, const ImageArchive &archive);

} // namespace tessera
