#pragma once

#include "model/error.h"
#include "model/httpcall.h"
#include "model/operation.h"
#include "model/task.h"

#include <QJsonObject>
#include <QLatin1String>
#include <QString>
#include <QStringList>

#include <optional>

// The kolersky vocabulary shared by the adapter's translation units (PROVIDERS.md §1): value sets,
// taskType names and the error envelope. Internal to core/providers/kolersky.
namespace tessera::kolersky {

inline constexpr int kMaxPromptLength = 2000;
inline constexpr int kMaxReferences = 5;
// "Максимум 60 проверок статуса (интервал 5 секунд)": the vendor stops answering after that many.
inline constexpr int kMaxPolls = 60;
// ... and at least this far apart (PROVIDERS.md §1 Limits: "5 s apart").
inline constexpr int kMinIntervalMs = 5000;
// motion is "обязательно" for image-to-video(-hd) with "по умолчанию: high": sent when the user chose none.
inline constexpr QLatin1String kDefaultMotion("high");

QString tr(const char *text);

// What a stored parent holds: a grid (U, V, reroll act on its tiles), a single image (an upscale: pan,
// zoom, inpaint act on it) or videos.
enum class ParentShape { Grid, Single, Video };
ParentShape shapeOf(const Task &parent);
QString familyName(); // "kolersky", as in "kolersky has no blend"

const QStringList &aspectRatios();
const QStringList &versions(); // Tessera's spelling, which is also the vendor's
const QStringList &speeds();
const QStringList &motions();

// "text-to-image" ... "image-to-video-hd".
QString taskTypeName(GenerateType type);
bool isVideo(GenerateType type);
// speed is "не используется" for image-to-video(-hd) and omni-reference (§1 generate fields).
bool takesSpeed(GenerateType type);

// The outpaint zoom_ratio as the vendor takes it, a string ("1.5", "2"), or nullopt when `factor` is not
// a number in (1, 2].
std::optional<QString> zoomRatio(const QString &factor);

// The vendor's envelope code as a number ({"code": 403} or {"code": "403"}); nullopt when absent.
std::optional<int> envelopeCode(const QJsonObject &body);

// The Error an answer carries, or nullopt when it carries none. An error is a non-2xx HTTP status, or an
// envelope {"err", "code", "message"} whose code is not 2xx (or which has an `err` text) while HTTP says
// 200 (PROVIDERS.md §1 Errors). The message is the vendor's `message`, falling back to `err`.
std::optional<Error> envelopeError(const HttpResponse &response, const QJsonObject &body);

// The Error kind for a vendor code and its words: "Insufficient requests" / "requests remaining" is
// PaymentRequired although the vendor sends it with 403 (PRODUCT.md "no credits (402/403 ...)").
Error::Kind kindFor(int code, const QString &words);

// True when a failure reason reads as a content-policy refusal (banned prompt, moderation).
bool isContentPolicy(const QString &text);

} // namespace tessera::kolersky
