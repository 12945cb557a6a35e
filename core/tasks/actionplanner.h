#pragma once

#include "model/operation.h"
#include "model/result.h"
#include "model/task.h"

#include <QList>
#include <QString>

namespace tessera {

class ProviderAdapter;

// Splits an action asked on a grid tile into the steps the family needs (PROVIDERS.md §1 and §4
// Decisions): pan, zoom, vary region and the other single-image actions of kolersky and midjourney-proxy
// run on the upscale of the tile, so the U of that tile comes first — unless one exists already (done or
// still under way), which is then reused. Pure: it reads values and says what to do.
struct ActionPlan
{
    enum class Step {
        Direct, // run `action` as asked
        ReuseUpscale, // run `action` on the existing upscale task `upscaleTaskId`
        UpscaleFirst, // run `upscale` first, then `action` on its result
    };

    Step step = Step::Direct;
    QString upscaleTaskId; // ReuseUpscale: the upscale to act on
    Operation upscale; // UpscaleFirst: the U to run first (on the grid)
    // The action as it will be stored. For ReuseUpscale and UpscaleFirst its parent is the upscale and
    // its tile 0; the engine fills in the parent id of a new upscale once that task exists.
    Operation action;

    // `children` are the tasks whose parent is `parent` (HistoryStore::children).
    static ActionPlan plan(const Operation &op, const Task &parent, const ProviderAdapter &adapter,
                           const QList<Task> &children);
};

} // namespace tessera
