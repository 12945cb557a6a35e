#include "apixoadapter.h"
#include "apixomask.h"
#include "apixoprotocol.h"
#include "mask/maskexport.h"

#include <QBuffer>
#include <QImageReader>
#include <QJsonArray>

#include <algorithm>

// ApixoAdapter::buildSubmit(): the {request_type, provider, input} body of every mode (PROVIDERS.md §2).
namespace tessera::apixo {

using namespace detail;

namespace {

// Fields of the generating modes (text-to-image, image-to-image, upload-paint). `version` and `speed` are
// required there (PROVIDERS.md §2 Decision): the operation's own, else `fallback`'s (the image being
// repainted), else the documented defaults. Every other field only when the user set it (PROVIDERS.md
// general rules: unset optional fields are omitted).
void insertGenerationFields(QJsonObject &input, const Operation &op, const Operation *fallback = nullptr)
{
    const auto pick = [&](const QString &own, const QString Operation::*field, QLatin1String otherwise) {
        if (!own.isEmpty())
            return own;
        if (fallback && !(fallback->*field).isEmpty())
            return fallback->*field;
        return QString(otherwise);
    };
    QString version = vendorVersion(pick(op.version, &Operation::version, wire::kDefaultVersion));
    if (version.isEmpty()) // a parent made with a version apixo does not know
        version = vendorVersion(wire::kDefaultVersion);
    input.insert(wire::kVersion, version);
    QString speed = pick(op.speed, &Operation::speed, wire::kDefaultSpeed);
    if (std::none_of(wire::kSpeeds.begin(), wire::kSpeeds.end(),
                     [&speed](const char *known) { return speed == QLatin1String(known); }))
        speed = wire::kDefaultSpeed; // a parent's speed apixo does not have

    input.insert(wire::kSpeed, speed);
    if (op.translate)
        input.insert(wire::kTranslate, *op.translate);
    if (!op.aspectRatio.isEmpty())
        input.insert(wire::kAspect, op.aspectRatio);
    if (op.chaos)
        input.insert(wire::kChaos, *op.chaos);
    if (op.stylize)
        input.insert(wire::kStylize, *op.stylize);
    if (op.weird)
        input.insert(wire::kWeird, *op.weird);
}

// text-to-image, or image-to-image with the references as image_urls (validate() let only http(s) URLs
// through: the vendor takes no uploads).
QJsonObject generateInput(const Operation &op)
{
    QJsonObject input;
    const bool fromImages = op.type == GenerateType::Image;
    input.insert(wire::kMode, fromImages ? wire::kModeImageToImage : wire::kModeTextToImage);
    input.insert(wire::kPrompt, op.prompt);
    if (fromImages)
        input.insert(wire::kImageUrls, QJsonArray::fromStringList(op.references));
    insertGenerationFields(input, op);
    return input;
}

QJsonObject sizeObject(QSize size)
{
    QJsonObject o;
    o.insert(wire::kWidth, size.width());
    o.insert(wire::kHeight, size.height());
    return o;
}

// upload-paint (PROVIDERS.md §2 "Masks for upload-paint"): the source tile's own URL (apixo returns
// separate images, so no upscale is needed), the mask fitted to that image's pixel size, and a canvas
// equal to the image with the image at its origin.
Result<QJsonObject> paintInput(const Operation &op, const SubmitContext &context)
{
    if (!context.parent)
        return invalid(tr("parent: vary region needs the image it repaints"));
    const Task &parent = *context.parent;
    const ImageRef *source = parent.image(op.tile);
    if (!source || source->remoteUrl.isEmpty())
        return invalid(tr("image_urls: the source image has no remote URL for apixo to fetch"));

    QSize size = source->size;
    if (size.isEmpty()) {
        // Size not recorded (not downloaded yet): the mask as drawn is the best knowledge of it.
        QBuffer buffer;
        buffer.setData(op.mask);
        buffer.open(QIODevice::ReadOnly);
        size = QImageReader(&buffer).size();
        if (size.isEmpty())
            return invalid(tr("mask: not an image Tessera can read"));
    }
    const Result<QImage> fitted = mask::fit(op.mask, size);
    if (!fitted)
        return fitted.error();
    const Result<QString> format = maskFormat(context.account);
    if (!format)
        return format.error();

    QJsonObject maskObject;
    if (*format == QLatin1String("polygons")) {
        const QJsonArray areas = apixo::maskAreas(*fitted);
        if (areas.isEmpty())
            return invalid(tr("mask: no polygon could be traced from the painted region"));
        maskObject.insert(wire::kMaskAreas, areas);
    } else {
        // §2 Decision: mask.url carries the PNG as a data URL.
        maskObject.insert(wire::kMaskUrl, mask::dataUrl(mask::encodePng(*fitted)));
    }

    // The vendor requires a prompt; like Midjourney's own editor (and §4's modal), Tessera falls back to
    // the prompt of the image being repainted when the user wrote none.
    QString prompt = op.prompt.trimmed().isEmpty() ? parent.prompt.trimmed() : op.prompt;
    if (prompt.isEmpty())
        prompt = parent.operation.prompt.trimmed();
    if (prompt.isEmpty())
        return invalid(tr("prompt: apixo's vary region needs a prompt for the painted area"));

    QJsonObject input;
    input.insert(wire::kMode, wire::kModeUploadPaint);
    input.insert(wire::kPrompt, prompt);
    input.insert(wire::kImageUrls, QJsonArray {source->remoteUrl});
    input.insert(wire::kMask, maskObject);
    const QSize imageSize = fitted->size();
    input.insert(wire::kCanvas, sizeObject(imageSize));
    QJsonObject position = sizeObject(imageSize);
    position.insert(wire::kX, 0);
    position.insert(wire::kY, 0);
    input.insert(wire::kImgPos, position);
    // The region is repainted with the version and speed that made the image unless the user chose.
    insertGenerationFields(input, op, &parent.operation);
    return input;
}

// vary / upscale: the parent's apixo id and the image's index, 0-based (Tessera tile 1..4 → 0..3; the
// single image of an upscale is index 0).
Result<QJsonObject> actionInput(const Operation &op, const SubmitContext &context)
{
    if (!context.parent || context.parent->remoteId.isEmpty())
        return invalid(tr("taskId: the parent task has no apixo id"));
    const bool vary = op.kind == OperationKind::Vary;
    const std::optional<int> type = variantType(op.kind, op.variant);
    QJsonObject input;
    input.insert(wire::kMode, vary ? wire::kModeVary : wire::kModeUpscale);
    input.insert(wire::kTaskId, context.parent->remoteId);
    input.insert(wire::kImageIndex, op.tile > 0 ? op.tile - 1 : 0);
    input.insert(wire::kType, type.value_or(0));
    if (vary && !op.prompt.trimmed().isEmpty())
        input.insert(wire::kPrompt, op.prompt);
    if (!op.speed.isEmpty())
        input.insert(wire::kSpeed, op.speed);
    return input;
}

} // namespace

Result<HttpCall> ApixoAdapter::buildSubmit(const Operation &op, const SubmitContext &context) const
{
    // Checked again here: the account's options may have changed while the task waited for a slot.
    if (Status s = validate(op, context.account); !s)
        return s.error();
    const Result<QString> provider = routing(context.account);
    if (!provider)
        return provider.error();

    Result<QJsonObject> input = QJsonObject();
    switch (op.kind) {
    case OperationKind::Imagine:
        input = generateInput(op);
        break;
    case OperationKind::Inpaint:
        input = paintInput(op, context);
        break;
    case OperationKind::Vary:
    case OperationKind::Upscale:
        input = actionInput(op, context);
        break;
    default:
        return Error::make(Error::Kind::Unsupported, tr("apixo has no %1").arg(operationKindName(op.kind)));
    }
    if (!input)
        return input.error();

    QJsonObject body;
    body.insert(wire::kRequestType, wire::kRequestTypeAsync);
    body.insert(wire::kProvider, *provider);
    body.insert(wire::kInput, *input);
    return HttpCall::post(QString(wire::kSubmitPath), body, HttpCall::Purpose::Submit);
}

} // namespace tessera::apixo
