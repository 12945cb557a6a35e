#pragma once

#include "model/operation.h"
#include "model/task.h"

#include <QJsonArray>
#include <QString>

#include <optional>

// Which of a result's Discord buttons an operation presses (PROVIDERS.md §4, "Buttons"). midjourney-proxy
// runs every action as "press the button whose customId is X on task Y"; Tessera never builds a customId
// itself, it only copies one the parent task listed in its `buttons[]` (stored in Task::remote["buttons"]).
namespace tessera::mjproxy {

struct ButtonChoice
{
    QString customId;
    // The button is "Custom Zoom": the factor travels in the modal prompt as "--zoom x".
    bool customZoom = false;
};

// The buttons a task listed when it finished (Task::remote["buttons"]); empty when none were stored.
QJsonArray storedButtons(const Task &task);

// The button `op` presses among `buttons`, or nothing when the result has none for it. Zoom 2x and 1.5x use
// "Zoom Out 2x"/"Zoom Out 1.5x" and fall back to "Custom Zoom" when only that one is offered; any other
// factor is a custom zoom.
std::optional<ButtonChoice> findButton(const Operation &op, const QJsonArray &buttons);

// True when `buttons` has the plain U button of `tile` (1..4): `MJ::JOB::upsample::<tile>::<hash>`.
bool hasUpscaleButton(const QJsonArray &buttons, int tile);

// True when `buttons` belong to a 2x2 grid: plain U or V buttons (an upscaled image has neither).
bool hasGridButtons(const QJsonArray &buttons);

// How people know the button `op` needs: "U3", "Pan ←", "Zoom Out 2x", "Vary (Region)"...
QString buttonLabel(const Operation &op);

// The zoom factor as a number; nothing when it is not a number above 1 and at most 2.
std::optional<double> zoomFactor(const QString &text);

// The factor as written into "--zoom x": "1.8", "1.25".
QString zoomText(double factor);

} // namespace tessera::mjproxy
