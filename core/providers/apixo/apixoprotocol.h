#pragma once

#include "model/account.h"
#include "model/error.h"
#include "model/operation.h"
#include "model/result.h"

#include <QLatin1String>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

// Every spelling apixo's wire format uses, in one table (PROVIDERS.md §2 Decision): newer vendor pages
// rename fields (aspect_ratio, stylization, variety, weirdness) and modes (upload-paint → image-edit);
// following such a rename is a one-line change here. The adapter never spells a vendor name elsewhere.
// Values follow vendor-docs/apixo-midjourney-api.ru.md.
namespace tessera::apixo::wire {

// Endpoints and the status query.
inline constexpr QLatin1String kSubmitPath {"/api/v1/generateTask/midjourney"};
inline constexpr QLatin1String kStatusPath {"/api/v1/statusTask/midjourney"};
inline constexpr QLatin1String kStatusQueryId {"taskId"};

// The request envelope.
inline constexpr QLatin1String kRequestType {"request_type"};
inline constexpr QLatin1String kRequestTypeAsync {"async"};
inline constexpr QLatin1String kProvider {"provider"};
inline constexpr QLatin1String kInput {"input"};

// input.mode values.
inline constexpr QLatin1String kMode {"mode"};
inline constexpr QLatin1String kModeTextToImage {"text-to-image"};
inline constexpr QLatin1String kModeImageToImage {"image-to-image"};
inline constexpr QLatin1String kModeUploadPaint {"upload-paint"};
inline constexpr QLatin1String kModeVary {"vary"};
inline constexpr QLatin1String kModeUpscale {"upscale"};

// input fields.
inline constexpr QLatin1String kPrompt {"prompt"};
inline constexpr QLatin1String kImageUrls {"image_urls"};
inline constexpr QLatin1String kVersion {"version"};
inline constexpr QLatin1String kSpeed {"speed"};
inline constexpr QLatin1String kTranslate {"enableTranslation"};
inline constexpr QLatin1String kAspect {"aspect"};
inline constexpr QLatin1String kChaos {"chaos"};
inline constexpr QLatin1String kStylize {"stylize"};
inline constexpr QLatin1String kWeird {"weird"};
inline constexpr QLatin1String kTaskId {"taskId"};
inline constexpr QLatin1String kImageIndex {"imageIndex"};
inline constexpr QLatin1String kType {"type"};
inline constexpr QLatin1String kMask {"mask"};
inline constexpr QLatin1String kMaskUrl {"url"};
inline constexpr QLatin1String kMaskAreas {"areas"};
inline constexpr QLatin1String kCanvas {"canvas"};
inline constexpr QLatin1String kImgPos {"imgPos"};
inline constexpr QLatin1String kWidth {"width"};
inline constexpr QLatin1String kHeight {"height"};
inline constexpr QLatin1String kX {"x"};
inline constexpr QLatin1String kY {"y"};

// Answers: the envelope, the submit's data and the status's data.
inline constexpr QLatin1String kCode {"code"};
inline constexpr QLatin1String kMessage {"message"};
inline constexpr QLatin1String kData {"data"};
inline constexpr QLatin1String kState {"state"};
inline constexpr QLatin1String kResultJson {"resultJson"};
inline constexpr QLatin1String kResultUrls {"resultUrls"};
inline constexpr QLatin1String kFailCode {"failCode"};
inline constexpr QLatin1String kFailMsg {"failMsg"};
inline constexpr QLatin1String kCostTime {"costTime"};

inline constexpr int kCodeOk = 200;

// data.state values.
inline constexpr QLatin1String kStatePending {"pending"};
inline constexpr QLatin1String kStateProcessing {"processing"};
inline constexpr QLatin1String kStateSuccess {"success"};
inline constexpr QLatin1String kStateFailed {"failed"};

// data.failCode values.
inline constexpr QLatin1String kFailContent {"CONTENT_VIOLATION"};
inline constexpr QLatin1String kFailImageUrl {"INVALID_IMAGE_URL"};
inline constexpr QLatin1String kFailTaskId {"INVALID_TASK_ID"};

// The fields the vendor doc marks "обязательно" in text-to-image, image-to-image and upload-paint although
// its list of universal parameters gives them defaults: PROVIDERS.md §2 Decision — always sent, with
// these documented defaults when the user left them unset (Tessera's spelling of the version, "6.1").
inline constexpr QLatin1String kDefaultVersion {"6.1"};
inline constexpr QLatin1String kDefaultSpeed {"fast"};
// input.speed values: no relaxed mode at apixo.
inline constexpr std::array kSpeeds {"fast", "turbo"};

// Tessera's version spelling → apixo's.
struct VersionName
{
    const char *tessera;
    const char *vendor;
};
inline constexpr std::array kVersions {
    VersionName {"7", "v7"},         VersionName {"6.1", "v6.1"},     VersionName {"6", "v6"},
    VersionName {"niji7", "niji 7"}, VersionName {"niji6", "niji 6"},
};

// Tessera's variant → input.type. A plain U is "Standard HD" (0); a plain V is subtle (0).
struct VariantType
{
    const char *variant;
    int type;
};
inline constexpr std::array kUpscaleTypes {
    VariantType {"", 0},
    VariantType {"creative", 1},
    VariantType {"2x", 2},
    VariantType {"4x", 3},
};
inline constexpr std::array kVaryTypes {
    VariantType {"", 0},
    VariantType {"subtle", 0},
    VariantType {"strong", 1},
};

// Account options (PRODUCT.md, Settings) with their accepted values; the first is the default.
inline constexpr QLatin1String kRoutingOption {"routing"};
inline constexpr std::array kRoutings {"auto", "value", "official"};
inline constexpr QLatin1String kMaskFormatOption {"mask-format"};
inline constexpr std::array kMaskFormats {"raster", "polygons"};

} // namespace tessera::apixo::wire

// What the apixo adapter's source files share (apixoadapter.cpp defines it). Private to
// core/providers/apixo; the vendor's spellings are in namespace wire above.
namespace tessera::apixo::detail {

QString tr(const char *text);
Error invalid(const QString &message); // an InvalidRequest; `message` names the field

// The 11 aspect ratios of the vendor doc.
const QStringList &aspectRatios();

// Tessera's version ("7", "niji6") as apixo spells it ("v7", "niji 6"); empty when apixo has none.
QString vendorVersion(const QString &version);

// input.type of a vary or upscale for Tessera's variant ("" = plain V/U); nullopt when not offered.
std::optional<int> variantType(OperationKind kind, const QString &variant);
// The named variants a vary or upscale offers ("subtle", "strong" / "creative", "2x", "4x").
QStringList variantsOffered(OperationKind kind);

// The account options of PRODUCT.md, checked: "routing" (sent as `provider`, default "auto") and
// "mask-format" ("raster", the default, or "polygons").
Result<QString> routing(const Account &account);
Result<QString> maskFormat(const Account &account);

// What apixo does not offer at all, as the user calls it ("pan", "style reference"); empty when it does.
QString missingFeature(const Operation &op);

} // namespace tessera::apixo::detail
