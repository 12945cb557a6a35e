#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace tessera {

enum class OperationKind {
    Imagine,
    Upscale,
    Vary,
    Reroll,
    Pan,
    Zoom,
    Inpaint,
    Seed,
    Animate,
    Describe,
    Blend,
    Shorten,
    VideoExtend,
};

// What an imagine generates from: text alone or with references (PRODUCT.md "Type").
enum class GenerateType { Text, Image, Style, Omni, Video, VideoHd };

QString operationKindName(OperationKind kind); // "imagine", "upscale", ..., "video-extend"
std::optional<OperationKind> operationKindFromName(const QString &name);
QString generateTypeName(GenerateType type); // "text", "image", "style", "omni", "video", "video-hd"
std::optional<GenerateType> generateTypeFromName(const QString &name);
// As users call it in messages: "text-to-image", "image-to-image", "style reference", "omni reference",
// "video" (translated).
QString generateTypeWords(GenerateType type);

// True for operations that act on an earlier task's result rather than starting from a prompt.
bool isAction(OperationKind kind);

// One request of the user, independent of any vendor. Adapters translate it; the engine never looks
// inside beyond `kind` and the parent reference. Fields that do not apply to `kind` stay empty and are
// neither stored nor sent: an unset optional means "the user did not choose", never a vendor default.
struct Operation
{
    OperationKind kind = OperationKind::Imagine;

    // Imagine and friends.
    QString prompt; // also the optional prompt of pan / zoom / inpaint / vary
    GenerateType type = GenerateType::Text;
    QStringList references; // URLs or local file paths
    // How the user named each reference (a file name, or a URL's last part), for titles and lists: a local
    // file travels as a data URL and its name would be lost. Empty where a front end gave none.
    QStringList referenceNames;
    QString aspectRatio; // "16:9"
    QString version; // "7", "6.1", "niji6" — Tessera's spelling, adapters convert
    QString speed; // "relaxed" | "fast" | "turbo"
    std::optional<int> chaos; // 0-100 ("variety" at some vendors)
    std::optional<int> stylize; // 0-1000
    std::optional<int> weird; // 0-3000
    std::optional<int> omniWeight; // 1-1000
    std::optional<qint64> seed;
    std::optional<bool> translate; // enableTranslation
    QString watermark; // waterMark text (kie, kolersky)
    QString motion; // video and animate: "low" | "high"
    std::optional<int> videoBatch; // video: 1 | 2 | 4
    QString dimensions; // blend: "portrait" | "square" | "landscape"

    // Actions on a parent task (Tessera's task id). Tiles are 1..4, row-major; 0 = the parent's single image.
    QString parentTaskId;
    int tile = 0;
    QString variant; // upscale: "subtle" | "creative" | "2x" | "4x"; vary: "subtle" | "strong"
    QString direction; // pan: "left" | "right" | "up" | "down"
    QString zoomFactor; // "1.5", "2" or a custom value in (1, 2]
    // Vary region: the mask as an opaque black/white PNG (white = regenerate), any size; adapters fit it
    // to the source image's pixel size (core/mask) and send it in the family's format.
    QByteArray mask;
    // Video extend: variant "auto" or "manual" (manual needs a prompt); `tile` = which video (1-based).

    // Short label for lists: "Imagine", "U3", "V2", "Reroll", "Pan ←", "Zoom 2x", ...
    QString label() const;

    // Checks what holds for every family: a prompt for imagine, a parent and a tile in 1..4 for actions
    // that need one. Family-specific value sets are checked by the provider adapters.
    Status validate() const;

    QJsonObject toJson() const;
    static Result<Operation> fromJson(const QJsonObject &json);

    static Operation imagine(QString prompt);
    static Operation action(OperationKind kind, QString parentTaskId, int tile);

    friend bool operator==(const Operation &, const Operation &) = default;
};

} // namespace tessera

Q_DECLARE_METATYPE(tessera::Operation)
