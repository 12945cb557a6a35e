#pragma once

#include "model/operation.h"
#include "model/result.h"
#include "model/task.h"

#include <QString>
#include <QStringList>

#include <optional>

// midjourney-proxy takes Midjourney's parameters inside the prompt text (PROVIDERS.md §4: "parameters go
// inside it"). The prompt is sent as the user typed it; the structured fields the user set are appended
// as flags unless the same flag was typed already.
namespace tessera::mjproxy {

// What /mj/submit/imagine gets besides the prompt.
struct ImagineBody
{
    QString prompt; // link references first, then the typed prompt, then the appended flags
    QStringList base64Array; // data: URL references (local files), image type only
    QString botType; // "MID_JOURNEY" / "NIJI_JOURNEY" when a version is known, else empty (omitted)
};

bool isDataUrl(const QString &reference);
bool isHttpUrl(const QString &reference);

// "7" → "--v 7", "niji6" → "--niji 6".
QString versionFlag(const QString &version);

// A field that disagrees with the same flag typed in the prompt ("--ar 3:2" typed, 16:9 chosen) is an
// InvalidRequest naming the field; the user must keep one.
Status checkTypedFlags(const Operation &op);

ImagineBody imagineBody(const Operation &op);

// The prompt of /mj/submit/modal (PROVIDERS.md §4 Decisions): the user's prompt, or else the parent's own
// (properties.finalPrompt, promptEn, prompt), with " --zoom x" for a custom zoom.
QString modalPrompt(const Operation &op, const Task *parent, std::optional<double> customZoom);

} // namespace tessera::mjproxy
