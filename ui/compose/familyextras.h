#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace tessera::ui {

// What Compose needs to know about a family that Capabilities does not (yet) say, from PROVIDERS.md
// §1–§4, kept in this one place so that it can move into Capabilities without touching the panel.
struct FamilyExtras
{
    bool translate = false; // enableTranslation (kolersky, apixo, kie)
    bool watermark = false; // waterMark (kolersky, kie)
    bool localReferences = false; // local files are sent as data URLs (midjourney-proxy's base64Array)
    QStringList videoMotions; // motion for image-to-video
    QList<int> videoBatches; // videoBatchSize for image-to-video
    QStringList blendDimensions; // blend's dimensions
    int videoRequests = 0; // what one video costs, where the vendor documents it in requests
    // The prompt goes to the vendor as typed (midjourney-proxy, §4): a flag value the fields do not list
    // (--v 5) is the user's to send, not a mistake.
    bool promptAsTyped = false;
};

FamilyExtras familyExtras(const QString &family);

} // namespace tessera::ui
