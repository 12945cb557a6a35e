#include "demoadapter.h"

#include "mask/maskexport.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace tessera::demo {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("DemoAdapter", text);
}

const QStringList &aspectRatios()
{
    static const QStringList ratios {QStringLiteral("1:2"),  QStringLiteral("9:16"), QStringLiteral("2:3"),
                                     QStringLiteral("3:4"),  QStringLiteral("5:6"),  QStringLiteral("1:1"),
                                     QStringLiteral("6:5"),  QStringLiteral("4:3"),  QStringLiteral("3:2"),
                                     QStringLiteral("16:9"), QStringLiteral("2:1")};
    return ratios;
}

Result<QJsonObject> parseBody(const HttpResponse &response)
{
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(response.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return Error::make(Error::Kind::BadResponse, tr("The demo server sent something that is not JSON"),
                           response.status);
    const QJsonObject body = doc.object();
    if (!response.isSuccess()) {
        const QString message = body.value(QStringLiteral("error")).toString();
        Error::Kind kind = Error::Kind::ServerError;
        if (response.status == 400 || response.status == 409)
            kind = Error::Kind::InvalidRequest;
        else if (response.status == 404)
            kind = Error::Kind::NotFound;
        return Error::make(kind, message, response.status);
    }
    return body;
}

// The mask as the demo server takes it: fitted to `size` (the source image's pixel size, PROVIDERS.md
// "Mask PNGs everywhere"), or to its own size when that is unknown, and re-encoded black/white.
Result<QByteArray> fittedMask(const QByteArray &png, QSize size)
{
    if (png.isEmpty())
        return Error::make(Error::Kind::InvalidRequest, tr("mask: paint the region to vary"));
    if (size.isEmpty()) {
        QBuffer buffer;
        buffer.setData(png);
        buffer.open(QIODevice::ReadOnly);
        size = QImageReader(&buffer).size();
        if (size.isEmpty())
            return Error::make(Error::Kind::InvalidRequest,
                               tr("mask: not a readable image (a black and white PNG is expected)"));
    }
    const Result<QImage> fitted = mask::fit(png, size);
    if (!fitted)
        return fitted.error();
    return mask::encodePng(*fitted);
}

} // namespace

QString DemoAdapter::family() const
{
    return QStringLiteral("demo");
}

QString DemoAdapter::displayName() const
{
    return tr("Demo (offline)");
}

Capabilities DemoAdapter::capabilities(const Account &) const
{
    Capabilities c;
    c.generateTypes = {GenerateType::Text};
    c.operations
        = {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary, OperationKind::Reroll,
           OperationKind::Inpaint, OperationKind::Pan,     OperationKind::Zoom, OperationKind::Seed};
    c.varyVariants = {QStringLiteral("subtle"), QStringLiteral("strong")};
    c.aspectRatios = aspectRatios();
    c.versions = {QStringLiteral("7"), QStringLiteral("6.1"), QStringLiteral("6"), QStringLiteral("niji6")};
    c.speeds = {QStringLiteral("relaxed"), QStringLiteral("fast"), QStringLiteral("turbo")};
    c.chaos = {0, 100, 1, true};
    c.stylize = {0, 1000, 1, true};
    c.weird = {0, 3000, 1, true};
    c.maxPromptLength = 2000;
    c.maxReferences = 0;
    c.serverCancel = true;
    c.reportsProgress = true;
    c.resultRetentionDays = 0; // rendered locally: nothing expires
    c.maskWire = Capabilities::MaskWire::Base64Png;
    return c;
}

Availability DemoAdapter::availability(const Operation &op, const Task *parent, const Account &account) const
{
    const Capabilities caps = capabilities(account);
    if (!caps.supports(op.kind))
        return Availability::no(
            tr("The demo offers imagine, upscale, vary (subtle, strong), reroll, pan, zoom out, "
               "vary region and seed; %1 needs a real provider")
                .arg(op.label()));
    if (!isAction(op.kind))
        return Availability::yes();
    if (const auto refused = parentNotReady(parent, QString()))
        return *refused;
    if (!op.variant.isEmpty() && !(op.kind == OperationKind::Vary && caps.varyVariants.contains(op.variant)))
        return Availability::no(tr("The demo has no %1 variant; use plain %2").arg(op.variant, op.label()));
    if (op.kind == OperationKind::Seed)
        return Availability::yes(); // the seed of the whole task, whatever it shows
    if (op.kind == OperationKind::Zoom) {
        bool ok = false;
        const double factor = op.zoomFactor.toDouble(&ok);
        if (!ok || factor <= 1.0 || factor > 2.0)
            return Availability::no(tr("The demo zooms out by a factor above 1 and at most 2"));
    }
    // Unlike kolersky and mjproxy (PROVIDERS.md §1, §4), the demo varies, pans, zooms and repaints a
    // region of a grid tile directly, and of an upscale's single image (tile 0).
    const bool onSingle = op.kind == OperationKind::Inpaint || op.kind == OperationKind::Vary
        || op.kind == OperationKind::Pan || op.kind == OperationKind::Zoom;
    if (onSingle && !parent->isGrid()) {
        if (op.tile != 0)
            return Availability::no(tr("This is a single image: %1 acts on the whole of it").arg(op.label()));
        if (!parent->image(0))
            return Availability::no(tr("The task has no image to work on"));
        return Availability::yes();
    }
    if (!parent->isGrid()) {
        return Availability::no(op.kind == OperationKind::Upscale
                                    ? tr("This is already an upscaled single image")
                                    : tr("The demo offers %1 only on a grid of four images").arg(op.label()));
    }
    if (op.kind != OperationKind::Reroll && (op.tile < 1 || op.tile > 4))
        return Availability::no(tr("Select one of the four images (1-4)"));
    return Availability::yes();
}

Status DemoAdapter::validate(const Operation &op, const Account &account) const
{
    const Capabilities c = capabilities(account);
    if (op.prompt.size() > c.maxPromptLength)
        return Error::make(Error::Kind::InvalidRequest,
                           tr("prompt: %1 characters, at most %2 are accepted")
                               .arg(op.prompt.size())
                               .arg(c.maxPromptLength));
    if (op.kind == OperationKind::Inpaint) {
        // The source image's size is not known here; buildSubmit fits the mask to it.
        const Result<QByteArray> mask = fittedMask(op.mask, QSize());
        if (!mask)
            return mask.error();
        return {};
    }
    if (op.kind != OperationKind::Imagine)
        return {};
    if (op.type != GenerateType::Text)
        return Error::make(
            Error::Kind::InvalidRequest,
            tr("type: the demo generates from text only (reference images need a real provider)"));
    if (!op.references.isEmpty())
        return Error::make(Error::Kind::InvalidRequest,
                           tr("references: the demo does not use reference images"));
    if (op.omniWeight)
        return Error::make(Error::Kind::InvalidRequest, tr("omni weight: the demo has no omni reference"));
    if (!op.aspectRatio.isEmpty() && !c.aspectRatios.contains(op.aspectRatio))
        return Error::make(Error::Kind::InvalidRequest,
                           tr("aspect ratio: \"%1\" is not one of %2")
                               .arg(op.aspectRatio, c.aspectRatios.join(QStringLiteral(", "))));
    if (!op.version.isEmpty() && !c.versions.contains(op.version))
        return Error::make(
            Error::Kind::InvalidRequest,
            tr("version: \"%1\" is not one of %2").arg(op.version, c.versions.join(QStringLiteral(", "))));
    if (!op.speed.isEmpty() && !c.speeds.contains(op.speed))
        return Error::make(
            Error::Kind::InvalidRequest,
            tr("speed: \"%1\" is not one of %2").arg(op.speed, c.speeds.join(QStringLiteral(", "))));
    const auto checkRange
        = [](const char *name, const std::optional<int> &value, const IntRange &range) -> Status {
        if (value && !range.accepts(*value))
            return Error::make(Error::Kind::InvalidRequest,
                               tr("%1: %2 is outside %3-%4")
                                   .arg(QLatin1String(name))
                                   .arg(*value)
                                   .arg(range.min)
                                   .arg(range.max));
        return {};
    };
    if (Status s = checkRange("chaos", op.chaos, c.chaos); !s)
        return s;
    if (Status s = checkRange("stylize", op.stylize, c.stylize); !s)
        return s;
    return checkRange("weird", op.weird, c.weird);
}

Result<HttpCall> DemoAdapter::buildSubmit(const Operation &op, const SubmitContext &context) const
{
    QJsonObject body;
    switch (op.kind) {
    case OperationKind::Imagine:
        body.insert(QStringLiteral("action"), QStringLiteral("imagine"));
        body.insert(QStringLiteral("prompt"), op.prompt);
        if (!op.aspectRatio.isEmpty())
            body.insert(QStringLiteral("aspectRatio"), op.aspectRatio);
        if (!op.version.isEmpty())
            body.insert(QStringLiteral("version"), op.version);
        if (!op.speed.isEmpty())
            body.insert(QStringLiteral("speed"), op.speed);
        if (op.chaos)
            body.insert(QStringLiteral("chaos"), *op.chaos);
        if (op.stylize)
            body.insert(QStringLiteral("stylize"), *op.stylize);
        if (op.weird)
            body.insert(QStringLiteral("weird"), *op.weird);
        break;
    case OperationKind::Upscale:
    case OperationKind::Vary:
    case OperationKind::Reroll:
        if (!context.parent || context.parent->remoteId.isEmpty())
            return Error::make(Error::Kind::InvalidRequest, tr("parent: the task has no demo id"));
        body.insert(QStringLiteral("action"), operationKindName(op.kind));
        body.insert(QStringLiteral("parent"), context.parent->remoteId);
        if (op.kind != OperationKind::Reroll)
            body.insert(QStringLiteral("index"), op.tile);
        if (!op.variant.isEmpty())
            body.insert(QStringLiteral("variant"), op.variant);
        break;
    case OperationKind::Seed:
        // The seed is part of the task's status: asked there, answered at once (as midjourney-proxy's
        // image-seed), nothing to poll.
        if (!context.parent || context.parent->remoteId.isEmpty())
            return Error::make(Error::Kind::InvalidRequest, tr("parent: the task has no demo id"));
        return HttpCall::get(QStringLiteral("/demo/tasks/") + context.parent->remoteId, {},
                             HttpCall::Purpose::Submit);
    case OperationKind::Pan:
    case OperationKind::Zoom:
        if (!context.parent || context.parent->remoteId.isEmpty())
            return Error::make(Error::Kind::InvalidRequest, tr("parent: the task has no demo id"));
        body.insert(QStringLiteral("action"), operationKindName(op.kind));
        body.insert(QStringLiteral("parent"), context.parent->remoteId);
        if (op.tile != 0)
            body.insert(QStringLiteral("index"), op.tile);
        if (op.kind == OperationKind::Pan)
            body.insert(QStringLiteral("direction"), op.direction);
        else
            body.insert(QStringLiteral("zoom"), op.zoomFactor);
        break;
    case OperationKind::Inpaint: {
        if (!context.parent || context.parent->remoteId.isEmpty())
            return Error::make(Error::Kind::InvalidRequest, tr("parent: the task has no demo id"));
        const ImageRef *source = context.parent->image(op.tile);
        const Result<QByteArray> mask = fittedMask(op.mask, source ? source->size : QSize());
        if (!mask)
            return mask.error();
        body.insert(QStringLiteral("action"), QStringLiteral("inpaint"));
        body.insert(QStringLiteral("parent"), context.parent->remoteId);
        if (op.tile != 0)
            body.insert(QStringLiteral("index"), op.tile);
        if (!op.prompt.trimmed().isEmpty())
            body.insert(QStringLiteral("prompt"), op.prompt.trimmed());
        body.insert(QStringLiteral("mask"), mask::base64(*mask)); // raw base64, as kolersky's `mask`
        break;
    }
    default:
        return Error::make(Error::Kind::Unsupported, tr("The demo cannot %1").arg(op.label()));
    }
    if (op.seed)
        body.insert(QStringLiteral("seed"), QString::number(*op.seed));
    return HttpCall::post(QStringLiteral("/demo/tasks"), body, HttpCall::Purpose::Submit);
}

Result<SubmitOutcome> DemoAdapter::parseSubmit(const Operation &op, const HttpResponse &response) const
{
    const Result<QJsonObject> body = parseBody(response);
    if (!body)
        return body.error();
    if (op.kind == OperationKind::Seed) {
        const QString seed = body->value(QStringLiteral("seed")).toString();
        if (seed.isEmpty())
            return Error::make(Error::Kind::BadResponse, tr("The demo server answered without a seed"),
                               response.status);
        TaskSnapshot snap;
        snap.state = TaskState::Succeeded;
        snap.progress = 100;
        snap.remote.insert(QStringLiteral("seed"), seed);
        SubmitOutcome outcome;
        outcome.remote = snap.remote;
        outcome.immediate = std::make_shared<const TaskSnapshot>(snap);
        return outcome;
    }
    const QString id = body->value(QStringLiteral("id")).toString();
    if (id.isEmpty())
        return Error::make(Error::Kind::BadResponse, tr("The demo server answered without a task id"),
                           response.status);
    SubmitOutcome outcome;
    outcome.remoteId = id;
    return outcome;
}

HttpCall DemoAdapter::buildStatus(const QString &remoteId, const Account &) const
{
    return HttpCall::get(QStringLiteral("/demo/tasks/") + remoteId);
}

Result<TaskSnapshot> DemoAdapter::parseStatus(const HttpResponse &response) const
{
    const Result<QJsonObject> body = parseBody(response);
    if (!body)
        return body.error();
    TaskSnapshot snap;
    const QString status = body->value(QStringLiteral("status")).toString();
    if (body->contains(QStringLiteral("progress")))
        snap.progress = body->value(QStringLiteral("progress")).toInt();
    const QString seed = body->value(QStringLiteral("seed")).toString();
    if (!seed.isEmpty())
        snap.remote.insert(QStringLiteral("seed"), seed);
    if (status == QLatin1String("queued")) {
        snap.state = TaskState::Submitted;
    } else if (status == QLatin1String("running")) {
        snap.state = TaskState::Running;
    } else if (status == QLatin1String("cancelled")) {
        snap.state = TaskState::Cancelled;
    } else if (status == QLatin1String("succeeded")) {
        snap.state = TaskState::Succeeded;
        for (const auto &v : body->value(QStringLiteral("images")).toArray()) {
            const QJsonObject img = v.toObject();
            RemoteImage r;
            r.role
                = imageRoleFromName(img.value(QStringLiteral("role")).toString()).value_or(ImageRole::Grid);
            r.url = img.value(QStringLiteral("url")).toString();
            if (r.url.isEmpty())
                return Error::make(Error::Kind::BadResponse,
                                   tr("The demo server listed an image without a URL"));
            snap.results.append(r);
        }
        if (snap.results.isEmpty())
            return Error::make(Error::Kind::BadResponse, tr("The demo server finished without images"));
    } else {
        return Error::make(Error::Kind::BadResponse, tr("Unknown demo status \"%1\"").arg(status));
    }
    return snap;
}

std::optional<HttpCall> DemoAdapter::buildCancel(const QString &remoteId, const Account &) const
{
    return HttpCall::post(QStringLiteral("/demo/tasks/%1/cancel").arg(remoteId), QJsonObject(),
                          HttpCall::Purpose::Cancel);
}

Status DemoAdapter::parseCancel(const HttpResponse &response) const
{
    const Result<QJsonObject> body = parseBody(response);
    if (!body)
        return body.error();
    return {};
}

PollPolicy DemoAdapter::pollPolicy(const Operation &, const Account &account) const
{
    PollPolicy p;
    p.firstPollMs = 300;
    p.intervalMs = 400;
    p.maxIntervalMs = 400;
    p.maxPolls = 0;
    p.timeoutMs = 5LL * 60 * 1000;
    return p.withOverrides(account);
}

} // namespace tessera::demo
