// The calls MjproxyAdapter builds (PROVIDERS.md §4 endpoint table): {base}{prefix}/mj/..., JSON bodies,
// the account's auth style on every call.

#include "mask/maskexport.h"
#include "mjproxyadapter.h"
#include "mjproxybuttons.h"
#include "mjproxyprompt.h"
#include "mjproxyprotocol.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QImageReader>
#include <QJsonArray>

namespace tessera::mjproxy {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MjproxyAdapter", text);
}

QString path(const Account &account, const QString &rest)
{
    return MjproxyAdapter::pathPrefix(account) + QStringLiteral("/mj") + rest;
}

HttpCall post(const Account &account, const QString &rest, const QJsonObject &body, HttpCall::Purpose purpose)
{
    HttpCall call = HttpCall::post(path(account, rest), body, purpose);
    call.auth = MjproxyAdapter::authStyle(account);
    return call;
}

HttpCall get(const Account &account, const QString &rest, HttpCall::Purpose purpose)
{
    HttpCall call = HttpCall::get(path(account, rest), {}, purpose);
    call.auth = MjproxyAdapter::authStyle(account);
    return call;
}

Error noParent()
{
    return Error::make(Error::Kind::InvalidRequest, tr("parent: the task has no midjourney-proxy id"));
}

// The vary-region mask as maskBase64 wants it: a data URL of a PNG exactly the size of the upscale it
// repaints (PROVIDERS.md §4 Decisions), or of the mask's own size when that size was never stored.
Result<QString> maskDataUrl(const Operation &op, const Task *parent)
{
    QSize size;
    if (const ImageRef *source = parent ? parent->image(op.tile) : nullptr)
        size = source->size;
    if (size.isEmpty()) {
        QBuffer buffer;
        buffer.setData(op.mask);
        buffer.open(QIODevice::ReadOnly);
        size = QImageReader(&buffer).size();
    }
    const Result<QImage> fitted = mask::fit(op.mask, size);
    if (!fitted)
        return fitted.error();
    return mask::dataUrl(mask::encodePng(*fitted));
}

Result<HttpCall> buildAction(const Operation &op, const SubmitContext &context)
{
    if (!context.parent || context.parent->remoteId.isEmpty())
        return noParent();
    const Task &parent = *context.parent;
    if (op.kind == OperationKind::Seed)
        return get(context.account, QStringLiteral("/task/%1/image-seed").arg(parent.remoteId),
                   HttpCall::Purpose::Submit);
    // Only a customId the parent listed is ever sent (PROVIDERS.md §4: never synthesise one).
    const auto button = findButton(op, storedButtons(parent));
    if (!button)
        return Error::make(Error::Kind::Unsupported, tr("This result has no %1 button").arg(buttonLabel(op)));
    QJsonObject body;
    body.insert(QStringLiteral("customId"), button->customId);
    body.insert(QStringLiteral("taskId"), parent.remoteId);
    return post(context.account, QStringLiteral("/submit/action"), body, HttpCall::Purpose::Submit);
}

} // namespace

Result<HttpCall> MjproxyAdapter::buildSubmit(const Operation &op, const SubmitContext &context) const
{
    const Account &account = context.account;
    QJsonObject body;
    switch (op.kind) {
    case OperationKind::Imagine: {
        const ImagineBody imagine = imagineBody(op);
        body.insert(QStringLiteral("prompt"), imagine.prompt);
        if (!imagine.base64Array.isEmpty())
            body.insert(QStringLiteral("base64Array"), QJsonArray::fromStringList(imagine.base64Array));
        if (!imagine.botType.isEmpty())
            body.insert(QStringLiteral("botType"), imagine.botType);
        return post(account, QStringLiteral("/submit/imagine"), body, HttpCall::Purpose::Submit);
    }
    case OperationKind::Blend:
        body.insert(QStringLiteral("base64Array"), QJsonArray::fromStringList(op.references));
        if (!op.dimensions.isEmpty())
            body.insert(QStringLiteral("dimensions"), op.dimensions.toUpper());
        return post(account, QStringLiteral("/submit/blend"), body, HttpCall::Purpose::Submit);
    case OperationKind::Describe:
        if (op.references.isEmpty())
            return Error::make(Error::Kind::InvalidRequest, tr("references: describe needs an image"));
        body.insert(QStringLiteral("base64"), op.references.constFirst());
        return post(account, QStringLiteral("/submit/describe"), body, HttpCall::Purpose::Submit);
    case OperationKind::Shorten:
        body.insert(QStringLiteral("prompt"), op.prompt);
        return post(account, QStringLiteral("/submit/shorten"), body, HttpCall::Purpose::Submit);
    case OperationKind::VideoExtend:
        return Error::make(Error::Kind::Unsupported, tr("midjourney-proxy has no video extend"));
    default:
        return buildAction(op, context);
    }
}

Result<HttpCall> MjproxyAdapter::buildModal(const Operation &op, const SubmitContext &context,
                                            const QString &modalTaskId) const
{
    if (modalTaskId.isEmpty())
        return Error::make(Error::Kind::BadResponse,
                           tr("midjourney-proxy asked for a modal without a task id"));
    const Task *parent = context.parent ? &*context.parent : nullptr;
    std::optional<double> customZoom;
    if (op.kind == OperationKind::Zoom) {
        const auto button = parent ? findButton(op, storedButtons(*parent)) : std::nullopt;
        if (button && button->customZoom)
            customZoom = zoomFactor(op.zoomFactor);
    }
    QJsonObject body;
    body.insert(QStringLiteral("taskId"), modalTaskId);
    body.insert(QStringLiteral("prompt"), modalPrompt(op, parent, customZoom));
    if (op.kind == OperationKind::Inpaint) {
        const Result<QString> mask = maskDataUrl(op, parent);
        if (!mask)
            return mask.error();
        body.insert(QStringLiteral("maskBase64"), *mask);
    }
    return post(context.account, QStringLiteral("/submit/modal"), body, HttpCall::Purpose::Submit);
}

std::optional<QString> MjproxyAdapter::remixPrompt(const Operation &op, const SubmitContext &context) const
{
    // PROVIDERS.md §4 "Buttons": V, reroll, vary subtle/strong, pan and animate open a modal only when the
    // account's Remix is on, and that modal takes the prompt. Custom zoom (its factor) and vary region
    // (the mask editor has its own prompt field) are asked before they are sent.
    if (context.account.option(QStringLiteral("remix")).trimmed() == QLatin1String("keep"))
        return std::nullopt;
    if (!op.prompt.trimmed().isEmpty())
        return std::nullopt;
    switch (op.kind) {
    case OperationKind::Vary:
    case OperationKind::Reroll:
    case OperationKind::Pan:
    case OperationKind::Animate:
        break;
    default:
        return std::nullopt;
    }
    return modalPrompt(op, context.parent ? &*context.parent : nullptr, std::nullopt);
}

HttpCall MjproxyAdapter::buildStatus(const QString &remoteId, const Account &account) const
{
    return get(account, QStringLiteral("/task/%1/fetch").arg(remoteId), HttpCall::Purpose::Status);
}

std::optional<HttpCall> MjproxyAdapter::buildCancel(const QString &remoteId, const Account &account) const
{
    return post(account, QStringLiteral("/task/%1/cancel").arg(remoteId), QJsonObject(),
                HttpCall::Purpose::Cancel);
}

HttpCall MjproxyAdapter::buildBatchStatus(const QStringList &remoteIds, const Account &account)
{
    QJsonObject body;
    body.insert(QStringLiteral("ids"), QJsonArray::fromStringList(remoteIds));
    return post(account, QStringLiteral("/task/list-by-condition"), body, HttpCall::Purpose::Status);
}

Result<QMap<QString, TaskSnapshot>> MjproxyAdapter::parseBatchStatus(const HttpResponse &response)
{
    return readBatch(response);
}

} // namespace tessera::mjproxy
