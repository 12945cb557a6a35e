#pragma once

#include "model/account.h"
#include "model/capabilities.h"
#include "model/operation.h"
#include "model/task.h"

#include <QCoreApplication>
#include <QLatin1String>
#include <QString>
#include <QStringList>

#include <optional>

// The kie vendor's names and the small rules the kie files share (PROVIDERS.md §3). Internal to
// core/providers/kie: nothing outside the family includes it.
namespace tessera::kie {

inline QString tr(const char *text)
{
    return QCoreApplication::translate("KieAdapter", text);
}

inline constexpr QLatin1String kGeneratePath("/api/v1/mj/generate");
inline constexpr QLatin1String kUpscalePath("/api/v1/mj/generateUpscale");
inline constexpr QLatin1String kVaryPath("/api/v1/mj/generateVary");
inline constexpr QLatin1String kVideoExtendPath("/api/v1/mj/generateVideoExtend");
inline constexpr QLatin1String kStatusPath("/api/v1/mj/record-info");

inline constexpr QLatin1String kExtendManual("mj_video_extend_manual");
inline constexpr QLatin1String kExtendAuto("mj_video_extend_auto");

// Where Tessera keeps the vendor's taskType in Task::remote: it tells a video task from an image task.
inline constexpr QLatin1String kRemoteTaskType("taskType");

// The account option of PROVIDERS.md §3 Decision: the base of generateVary's imageIndex.
inline constexpr QLatin1String kVaryIndexBaseOption("vary-index-base");

// Fields the vendor doc requires where the user may leave them unset; the documented default is sent
// (docs/decisions.md, "Required fields"): speed, which the doc calls "not required" only for mj_video,
// mj_video_hd and mj_omni_reference (its example is "relaxed"), and motion for video ("default: high").
inline constexpr QLatin1String kDefaultSpeed("relaxed");
inline constexpr QLatin1String kDefaultMotion("high");
bool requiresSpeed(GenerateType type);
bool isVideoType(GenerateType type);

// Ranges as kolersky (PROVIDERS.md §3): variety step 5, stylization step 50, weirdness step 100, ow 1-1000.
inline constexpr IntRange kChaos {0, 100, 5, true};
inline constexpr IntRange kStylize {0, 1000, 50, true};
inline constexpr IntRange kWeird {0, 3000, 100, true};
inline constexpr IntRange kOmniWeight {1, 1000, 1, true};
inline constexpr int kMaxPromptLength = 2000;
inline constexpr int kMaxReferences = 5;

// "mj_txt2img", "mj_img2img", ... for an imagine of that type.
QString taskTypeFor(GenerateType type);
// The generation and extension task types that produce videos ("mj_video", "mj_video_hd",
// "mj_video_extend_manual", "mj_video_extend_auto").
bool isVideoTaskType(const QString &taskType);

// Tessera's spelling ("7", "6.1", "niji6") of the versions kie accepts, and kie's spelling of one of them
// (nullopt when kie does not take it). One table so that a vendor rename is a one-line change.
QStringList versions();
std::optional<QString> vendorVersion(const QString &version);
QStringList aspectRatios();
QStringList speeds();

// 1 (the vendor doc, the default) or 0 from the account's "vary-index-base"; nullopt when the option holds
// anything else.
std::optional<int> varyIndexBase(const Account &account);

// The extension mode of a video-extend operation: the variant "manual" or "auto" when given, else
// manual when there is a prompt and auto when there is none. Empty for an unknown variant.
QString extendTaskType(const Operation &op);

// "kie has no pan" for the operations the family does not have; nullopt for the ones it has.
std::optional<QString> missingOperation(OperationKind kind);

// Whether a stored task is a kie video (by its images, the taskType the vendor reported, or the operation
// that created it), and how many videos it holds.
bool isVideoTask(const Task &task);
int videoCount(const Task &task);

} // namespace tessera::kie
