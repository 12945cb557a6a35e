#include "cli.h"
#include "command.h"
#include "mask/maskexport.h"
#include "providers/apixo/apixomask.h"
#include "tasks/references.h"

#include <QBuffer>
#include <QImageReader>
#include <QRegularExpression>

namespace tessera::cli {

// `tessera-cli mask export` (PRODUCT.md "tessera-cli"; issue "Mask editor and mask export"): prints a mask
// PNG exactly as a provider would receive it — thresholded to pure black and white at the PNG's own size
// (or the image size given with --size) — as raw base64 (kolersky), a data URL (mjproxy `maskBase64`,
// apixo `mask.url`) or the apixo polygon payload (PROVIDERS.md "Mask PNGs everywhere", §2, §4). Needs no
// account and opens no data: it is a pure function of the file.

namespace {

constexpr int kMaxSide = 16384;
constexpr double kMaxEpsilon = 64.0;

// "WxH" with both sides in 1..kMaxSide; otherwise `error` says what is wrong.
QSize parseSize(const QString &text, QString *error)
{
    static const QRegularExpression pattern(QStringLiteral("^\\s*(\\d{1,9})\\s*[xX×]\\s*(\\d{1,9})\\s*$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch()) {
        *error = tr("--size: write WIDTHxHEIGHT in pixels, e.g. 1024x1024 (got \"%1\")").arg(text);
        return {};
    }
    const int width = match.captured(1).toInt();
    const int height = match.captured(2).toInt();
    if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide) {
        *error = tr("--size: each side must be 1 to %1 pixels (got \"%2\")").arg(kMaxSide).arg(text);
        return {};
    }
    return {width, height};
}

// The image's own size from its header; formats that do not declare one are decoded.
QSize ownSize(const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    const QSize declared = reader.size();
    if (declared.isValid() && !declared.isEmpty())
        return declared;
    return reader.read().size();
}

} // namespace

int Cli::mask(const QStringList &args)
{
    const QString sub = args.value(1);
    const QString usage = tr("usage: tessera-cli mask export FILE.png --format base64|dataurl|polygons "
                             "[--epsilon E] [--size WxH]");
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        m_out << usage << Qt::endl;
        return Ok;
    }
    if (sub != QLatin1String("export"))
        return fail(sub.isEmpty() ? usage : tr("unknown mask command \"%1\"; %2").arg(sub, usage), Usage);

    Command cmd(QStringLiteral("tessera-cli mask export FILE.png --format base64|dataurl|polygons "
                               "[--epsilon E] [--size WxH]"));
    cmd.add(QStringLiteral("format"),
            tr("base64 (raw PNG base64), dataurl (data:image/png;base64,…) or polygons (the apixo mask "
               "payload as JSON)."),
            QStringLiteral("format"));
    cmd.add(QStringLiteral("epsilon"),
            tr("polygons only: simplification tolerance in pixels, 0 (exact) to 64; default 1."),
            QStringLiteral("e"));
    cmd.add(QStringLiteral("size"),
            tr("Fit the mask to an image of this size (as a provider would receive it) instead of its "
               "own size."),
            QStringLiteral("WxH"));
    if (const auto done = parse(cmd, args.mid(1), 1, tr("mask export takes one FILE.png (see --help)")))
        return *done;

    const QString format = cmd.value("format").trimmed().toLower();
    if (format.isEmpty())
        return fail(tr("mask export needs --format base64, dataurl or polygons"), Usage);
    if (format != QLatin1String("base64") && format != QLatin1String("dataurl")
        && format != QLatin1String("polygons"))
        return fail(tr("--format: use base64, dataurl or polygons (got \"%1\")").arg(cmd.value("format")),
                    Usage);

    double epsilon = 1.0;
    if (cmd.isSet("epsilon")) {
        if (format != QLatin1String("polygons"))
            return fail(tr("--epsilon applies only to --format polygons"), Usage);
        bool ok = false;
        epsilon = cmd.value("epsilon").trimmed().toDouble(&ok);
        // The negated comparison also refuses NaN.
        if (!ok || !(epsilon >= 0.0 && epsilon <= kMaxEpsilon))
            return fail(tr("--epsilon: a number of pixels from 0 to %1 (got \"%2\")")
                            .arg(kMaxEpsilon)
                            .arg(cmd.value("epsilon")),
                        Usage);
    }

    QSize size;
    if (cmd.isSet("size")) {
        QString error;
        size = parseSize(cmd.value("size"), &error);
        if (!error.isEmpty())
            return fail(error, Usage);
    }

    const QString path = cmd.positional().first();
    const Result<QByteArray> bytes = readMaskFile(path);
    if (!bytes)
        return fail(bytes.error().message, Usage);
    if (!size.isValid()) {
        size = ownSize(*bytes);
        if (size.isEmpty())
            return fail(tr("mask: \"%1\" is not a readable image").arg(path), Usage);
    }
    const Result<QImage> fitted = mask::fit(*bytes, size);
    if (!fitted)
        return fail(tr("%1 (%2)").arg(fitted.error().message, path), Usage);

    if (format == QLatin1String("polygons")) {
        m_out << QString::fromUtf8(
            QJsonDocument(apixo::maskPayload(*fitted, epsilon)).toJson(QJsonDocument::Compact));
    } else {
        const QByteArray png = mask::encodePng(*fitted);
        m_out << (format == QLatin1String("base64") ? mask::base64(png) : mask::dataUrl(png));
    }
    m_out << "\n";
    m_out.flush();
    return Ok;
}

} // namespace tessera::cli
