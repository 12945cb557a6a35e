#include "familyextras.h"

namespace tessera::ui {

FamilyExtras familyExtras(const QString &family)
{
    FamilyExtras e;
    const QStringList motions {QStringLiteral("low"), QStringLiteral("high")};
    const QList<int> batches {1, 2, 4};
    if (family == QLatin1String("kolersky")) {
        // §1: generate takes enableTranslation, waterMark, videoBatchSize 1|2|4 and motion low|high;
        // "15 requests per video".
        e.translate = true;
        e.watermark = true;
        e.videoMotions = motions;
        e.videoBatches = batches;
        e.videoRequests = 15;
    } else if (family == QLatin1String("kie")) {
        // §3: the same generate fields as kolersky.
        e.translate = true;
        e.watermark = true;
        e.videoMotions = motions;
        e.videoBatches = batches;
    } else if (family == QLatin1String("apixo")) {
        e.translate = true; // §2: input.enableTranslation
    } else if (family == QLatin1String("mjproxy")) {
        // §4: references travel as data URLs in base64Array; blend takes PORTRAIT|SQUARE|LANDSCAPE.
        e.localReferences = true;
        e.promptAsTyped = true;
        e.blendDimensions
            = {QStringLiteral("portrait"), QStringLiteral("square"), QStringLiteral("landscape")};
    }
    return e;
}

} // namespace tessera::ui
