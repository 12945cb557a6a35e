#pragma once

#include "model/operation.h"
#include "model/task.h"

#include <QString>

// What an upscale made from a grid tile will offer (PROVIDERS.md §4, "Buttons"): midjourney-proxy runs
// pan, zoom, vary region, the upscale and vary variants and animate on an upscale, which Tessera makes
// first from the chosen tile (and pays for). Which buttons that upscale carries depends on the model
// version of the grid: asked before spending, so that no action is offered that cannot follow.
namespace tessera::mjproxy {

struct Forecast
{
    enum class Verdict {
        Offered, // the upscale of this version carries the button
        NotOffered, // it does not: the action is not offered
        Unsure, // it depends on the server or on a version the prompt does not name: said before spending
    };
    Verdict verdict = Verdict::Offered;
    QString why; // for NotOffered and Unsure, in the user's words
};

// The model version the grid was made with, as PromptFlags spells it ("7", "6.1", "5.2", "niji6"): the
// operation's own field, else the --v / --version / --niji flag of its prompt. Empty when neither names
// one (the server's default version then decides).
QString gridVersion(const Task &grid);

// Whether the upscale of a grid made with `version` will offer `op` (an action that needs a single image).
Forecast forecastOnUpscale(const Operation &op, const QString &version);

} // namespace tessera::mjproxy
