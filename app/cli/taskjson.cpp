#include "taskjson.h"

#include "storage/imagearchive.h"

#include <QJsonArray>

namespace tessera {

namespace {

QJsonValue textOrNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

QJsonValue timeOrNull(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue(QJsonValue::Null);
}

} // namespace

QJsonObject taskToJson(const Task &task, const Account &account, const ImageArchive &archive)
{
    QJsonArray images;
    QJsonArray videos;
    for (const ImageRef &img : task.images) {
        const QJsonValue path
            = img.isLocal() ? QJsonValue(archive.absolutePath(img.path)) : QJsonValue(QJsonValue::Null);
        if (img.role == ImageRole::Video) {
            videos.append(QJsonObject {{QStringLiteral("path"), path},
                                       {QStringLiteral("url"), textOrNull(img.remoteUrl)}});
            continue;
        }
        images.append(QJsonObject {
            {QStringLiteral("role"), imageRoleName(img.role)},
            {QStringLiteral("index"), img.index > 0 ? QJsonValue(img.index) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("path"), path},
            {QStringLiteral("width"),
             img.size.isValid() ? QJsonValue(img.size.width()) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("height"),
             img.size.isValid() ? QJsonValue(img.size.height()) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("url"), textOrNull(img.remoteUrl)},
        });
    }
    // Exactly the keys of PRODUCT.md; Error::toJson() (the database's form) carries more.
    QJsonValue error(QJsonValue::Null);
    if (task.error) {
        error = QJsonObject {
            {QStringLiteral("kind"), Error::kindName(task.error->kind)},
            {QStringLiteral("httpStatus"),
             task.error->httpStatus != 0 ? QJsonValue(task.error->httpStatus) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("message"), task.error->message},
        };
    }
    QJsonObject o {
        {QStringLiteral("id"), task.id},
        {QStringLiteral("remoteId"), textOrNull(task.remoteId)},
        {QStringLiteral("account"), account.isDemo() ? QStringLiteral("demo") : account.name},
        {QStringLiteral("family"), account.family},
        {QStringLiteral("operation"), operationKindName(task.operation.kind)},
        {QStringLiteral("state"), taskStateName(task.state)},
        {QStringLiteral("progress"),
         task.progress ? QJsonValue(*task.progress) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("prompt"), task.prompt},
        {QStringLiteral("parent"), textOrNull(task.parentId)},
        {QStringLiteral("tile"), task.tile > 0 ? QJsonValue(task.tile) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("error"), error},
        {QStringLiteral("images"), images},
        {QStringLiteral("videos"), videos},
        {QStringLiteral("created"), timeOrNull(task.created)},
        {QStringLiteral("finished"),
         isTerminal(task.state) ? timeOrNull(task.finished) : QJsonValue(QJsonValue::Null)},
    };
    // Text results (PRODUCT.md --json): the seed of a seed task, the prompts of describe / shorten.
    if (const QString seed = task.remote.value(QStringLiteral("seed")).toString();
        !seed.isEmpty() && task.operation.kind == OperationKind::Seed)
        o.insert(QStringLiteral("seed"), seed);
    if (task.operation.kind == OperationKind::Describe || task.operation.kind == OperationKind::Shorten) {
        const QString text = task.remote.value(QStringLiteral("finalPrompt")).toString();
        o.insert(QStringLiteral("text"), text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text));
    }
    return o;
}

} // namespace tessera
