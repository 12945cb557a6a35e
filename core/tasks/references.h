#pragma once

#include "model/result.h"

#include <QString>

namespace tessera {

// Reference images as the user names them (PRODUCT.md: "--ref URL|FILE", drag-and-drop, paste): an
// http(s) URL or a data: URL is kept as it is; a local file is read, checked to be an image by its bytes
// (PNG, JPEG, WebP or GIF) and turned into a data URL, which midjourney-proxy sends as base64 and which
// the URL-only families refuse with a clear message. Reads the disk: call it from front ends, never from
// an adapter. Files over `maxBytes` (vendors take up to 10 MB) are refused.
Result<QString> resolveReference(const QString &urlOrPath, qint64 maxBytes = 10LL * 1024 * 1024);

// An image's bytes (PNG, JPEG, WebP or GIF, judged by the bytes) as a data URL; `what` names the source
// in the error.
Result<QString> imageDataUrl(const QByteArray &bytes, const QString &what);

// How the user named a reference, for titles: a file's name, a URL's last part, "pasted image" for data.
QString referenceName(const QString &urlOrPath);

// True for "http://", "https://" and "data:" references.
bool isRemoteReference(const QString &reference);

// A PNG mask file for vary region, read and checked (decodable, at most `maxBytes`).
Result<QByteArray> readMaskFile(const QString &path, qint64 maxBytes = 32LL * 1024 * 1024);

} // namespace tessera
