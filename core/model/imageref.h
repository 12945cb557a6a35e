#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QSize>
#include <QString>

#include <optional>

namespace tessera {

enum class ImageRole { Grid, Tile, Upscale, Video };
// Pending: known remotely, not yet in the archive. Downloaded: in the archive and decoded once.
// Failed: the download or decode failed (see `error`). Expired: the remote copy is gone (404/403).
enum class ImageState { Pending, Downloaded, Failed, Expired };

QString imageRoleName(ImageRole role); // "grid", "tile", "upscale", "video"
std::optional<ImageRole> imageRoleFromName(const QString &name);
QString imageStateName(ImageState state);
std::optional<ImageState> imageStateFromName(const QString &name);

// One image (or video) that belongs to a task. `path` is relative to the archive root so that the
// archive folder can move; ImageArchive::absolutePath() resolves it.
struct ImageRef
{
    ImageRole role = ImageRole::Tile;
    int index = 0; // 1..4 for tiles, 0 for a grid or a single image
    QString path;
    QSize size;
    qint64 bytes = 0;
    QString hash; // SHA-256 hex of the file's bytes
    QString remoteUrl;
    ImageState state = ImageState::Pending;
    QString error; // why a download failed, for the user
    // When `remoteUrl` stops working (creation + the family's Capabilities::resultRetentionDays);
    // invalid = unknown or never. Past it, an image not yet downloaded is marked Expired, never deleted.
    QDateTime expires;

    bool isLocal() const { return state == ImageState::Downloaded && !path.isEmpty(); }

    friend bool operator==(const ImageRef &, const ImageRef &) = default;
};

} // namespace tessera
