#include "references.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QUrl>

namespace tessera {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("References", text);
}

QByteArray mimeFor(const QByteArray &bytes)
{
    if (bytes.startsWith("\x89PNG\r\n\x1a\n"))
        return "image/png";
    if (bytes.startsWith("\xFF\xD8\xFF"))
        return "image/jpeg";
    if (bytes.size() >= 12 && bytes.startsWith("RIFF") && bytes.mid(8, 4) == "WEBP")
        return "image/webp";
    if (bytes.startsWith("GIF87a") || bytes.startsWith("GIF89a"))
        return "image/gif";
    return {};
}

Result<QByteArray> readFile(const QString &path, qint64 maxBytes, const QString &what)
{
    QFile file(path);
    if (!file.exists())
        return Error::make(Error::Kind::InvalidRequest, tr("%1: there is no file \"%2\"").arg(what, path));
    if (file.size() > maxBytes)
        return Error::make(Error::Kind::InvalidRequest,
                           tr("%1: \"%2\" is %3 MB; the limit is %4 MB")
                               .arg(what, path)
                               .arg(static_cast<double>(file.size()) / (1024.0 * 1024.0), 0, 'f', 1)
                               .arg(maxBytes / (1024 * 1024)));
    if (!file.open(QIODevice::ReadOnly))
        return Error::make(Error::Kind::Io,
                           tr("%1: cannot read \"%2\": %3").arg(what, path, file.errorString()));
    return file.readAll();
}

} // namespace

bool isRemoteReference(const QString &reference)
{
    return reference.startsWith(QLatin1String("http://"), Qt::CaseInsensitive)
        || reference.startsWith(QLatin1String("https://"), Qt::CaseInsensitive)
        || reference.startsWith(QLatin1String("data:"), Qt::CaseInsensitive);
}

Result<QString> resolveReference(const QString &urlOrPath, qint64 maxBytes)
{
    const QString ref = urlOrPath.trimmed();
    if (isRemoteReference(ref))
        return ref;
    QString path = ref;
    if (path.startsWith(QLatin1String("file://")))
        path = QUrl(path).toLocalFile();
    const Result<QByteArray> bytes = readFile(path, maxBytes, tr("reference"));
    if (!bytes)
        return bytes.error();
    return imageDataUrl(*bytes, path);
}

Result<QString> imageDataUrl(const QByteArray &bytes, const QString &what)
{
    const QByteArray mime = mimeFor(bytes);
    if (mime.isEmpty())
        return Error::make(Error::Kind::InvalidRequest,
                           tr("reference: \"%1\" is not a PNG, JPEG, WebP or GIF image").arg(what));
    return QString(QStringLiteral("data:") + QString::fromLatin1(mime) + QStringLiteral(";base64,")
                   + QString::fromLatin1(bytes.toBase64()));
}

Result<QByteArray> readMaskFile(const QString &path, qint64 maxBytes)
{
    const Result<QByteArray> bytes = readFile(path, maxBytes, tr("mask"));
    if (!bytes)
        return bytes.error();
    QBuffer buffer;
    buffer.setData(*bytes);
    QImageReader reader(&buffer);
    if (!reader.canRead())
        return Error::make(Error::Kind::InvalidRequest, tr("mask: \"%1\" is not an image").arg(path));
    return *bytes;
}

QString referenceName(const QString &urlOrPath)
{
    const QString text = urlOrPath.trimmed();
    if (text.startsWith(QLatin1String("data:")))
        return QCoreApplication::translate("References", "pasted image");
    if (text.startsWith(QLatin1String("http://")) || text.startsWith(QLatin1String("https://"))) {
        const QString name = QUrl(text).fileName();
        return name.isEmpty() ? QUrl(text).host() : name;
    }
    const QString path = text.startsWith(QLatin1String("file:")) ? QUrl(text).toLocalFile() : text;
    return QFileInfo(path).fileName();
}

} // namespace tessera
