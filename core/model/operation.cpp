#include "operation.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>

#include <array>
#include <utility>

namespace tessera {

namespace {

struct KindName
{
    OperationKind kind;
    const char *name;
};

constexpr std::array kKindNames {
    KindName {OperationKind::Imagine, "imagine"},
    KindName {OperationKind::Upscale, "upscale"},
    KindName {OperationKind::Vary, "vary"},
    KindName {OperationKind::Reroll, "reroll"},
    KindName {OperationKind::Pan, "pan"},
    KindName {OperationKind::Zoom, "zoom"},
    KindName {OperationKind::Inpaint, "inpaint"},
    KindName {OperationKind::Seed, "seed"},
    KindName {OperationKind::Animate, "animate"},
    KindName {OperationKind::Describe, "describe"},
    KindName {OperationKind::Blend, "blend"},
    KindName {OperationKind::Shorten, "shorten"},
    KindName {OperationKind::VideoExtend, "video-extend"},
};

struct TypeName
{
    GenerateType type;
    const char *name;
};

constexpr std::array kTypeNames {
    TypeName {GenerateType::Text, "text"},   TypeName {GenerateType::Image, "image"},
    TypeName {GenerateType::Style, "style"}, TypeName {GenerateType::Omni, "omni"},
    TypeName {GenerateType::Video, "video"}, TypeName {GenerateType::VideoHd, "video-hd"},
};

QString tr(const char *text)
{
    return QCoreApplication::translate("Operation", text);
}

void insertIfSet(QJsonObject &o, const char *key, const QString &value)
{
    if (!value.isEmpty())
        o.insert(QLatin1String(key), value);
}

void insertIfSet(QJsonObject &o, const char *key, const std::optional<int> &value)
{
    if (value)
        o.insert(QLatin1String(key), *value);
}

std::optional<int> optionalInt(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isDouble())
        return std::nullopt;
    return v.toInt();
}

} // namespace

QString operationKindName(OperationKind kind)
{
    return QString::fromLatin1(kKindNames[static_cast<std::size_t>(kind)].name);
}

std::optional<OperationKind> operationKindFromName(const QString &name)
{
    for (const auto &k : kKindNames) {
        if (name == QLatin1String(k.name))
            return k.kind;
    }
    return std::nullopt;
}

QString generateTypeName(GenerateType type)
{
    return QString::fromLatin1(kTypeNames[static_cast<std::size_t>(type)].name);
}

std::optional<GenerateType> generateTypeFromName(const QString &name)
{
    for (const auto &t : kTypeNames) {
        if (name == QLatin1String(t.name))
            return t.type;
    }
    return std::nullopt;
}

QString generateTypeWords(GenerateType type)
{
    switch (type) {
    case GenerateType::Text:
        return tr("text-to-image");
    case GenerateType::Image:
        return tr("image-to-image");
    case GenerateType::Style:
        return tr("style reference");
    case GenerateType::Omni:
        return tr("omni reference");
    case GenerateType::Video:
    case GenerateType::VideoHd:
        return tr("video");
    }
    return generateTypeName(type);
}

bool isAction(OperationKind kind)
{
    switch (kind) {
    case OperationKind::Imagine:
    case OperationKind::Describe:
    case OperationKind::Blend:
    case OperationKind::Shorten:
        return false;
    default:
        return true;
    }
}

QString Operation::label() const
{
    const QString tileText = tile > 0 ? QString::number(tile) : QString();
    switch (kind) {
    case OperationKind::Imagine:
        return tr("Imagine");
    case OperationKind::Upscale:
        if (!variant.isEmpty())
            return tr("Upscale (%1)").arg(variant);
        return QStringLiteral("U") + tileText;
    case OperationKind::Vary:
        if (!variant.isEmpty())
            return tr("Vary (%1)").arg(variant);
        return QStringLiteral("V") + tileText;
    case OperationKind::Reroll:
        return tr("Reroll");
    case OperationKind::Pan: {
        static const QHash<QString, QString> arrows {{QStringLiteral("left"), QStringLiteral("←")},
                                                     {QStringLiteral("right"), QStringLiteral("→")},
                                                     {QStringLiteral("up"), QStringLiteral("↑")},
                                                     {QStringLiteral("down"), QStringLiteral("↓")}};
        return tr("Pan %1").arg(arrows.value(direction, direction));
    }
    case OperationKind::Zoom:
        return tr("Zoom %1x").arg(zoomFactor);
    case OperationKind::Inpaint:
        return tr("Vary Region");
    case OperationKind::Seed:
        return tr("Seed");
    case OperationKind::Animate:
        return tr("Animate");
    case OperationKind::Describe:
        return tr("Describe");
    case OperationKind::Blend:
        return tr("Blend");
    case OperationKind::Shorten:
        return tr("Shorten");
    case OperationKind::VideoExtend:
        return tr("Extend video");
    }
    return operationKindName(kind);
}

Status Operation::validate() const
{
    if (kind == OperationKind::Imagine || kind == OperationKind::Shorten) {
        if (prompt.trimmed().isEmpty())
            return Error::make(Error::Kind::InvalidRequest, tr("prompt: write what you want to see"));
    }
    if (isAction(kind)) {
        if (parentTaskId.isEmpty())
            return Error::make(Error::Kind::InvalidRequest, tr("parent: this action needs an earlier task"));
        if (tile < 0 || tile > 4)
            return Error::make(Error::Kind::InvalidRequest, tr("index: choose an image from 1 to 4"));
        const bool needsTile = kind == OperationKind::Upscale && variant.isEmpty();
        if (needsTile && tile == 0)
            return Error::make(Error::Kind::InvalidRequest, tr("index: choose which image to upscale (1-4)"));
    }
    if (kind == OperationKind::Pan) {
        static const QStringList directions {QStringLiteral("left"), QStringLiteral("right"),
                                             QStringLiteral("up"), QStringLiteral("down")};
        if (!directions.contains(direction))
            return Error::make(Error::Kind::InvalidRequest, tr("direction: use left, right, up or down"));
    }
    return {};
}

QJsonObject Operation::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("kind"), operationKindName(kind));
    insertIfSet(o, "prompt", prompt);
    if (!isAction(kind) || type != GenerateType::Text)
        o.insert(QStringLiteral("type"), generateTypeName(type));
    if (!references.isEmpty())
        o.insert(QStringLiteral("references"), QJsonArray::fromStringList(references));
    if (!referenceNames.isEmpty())
        o.insert(QStringLiteral("referenceNames"), QJsonArray::fromStringList(referenceNames));
    insertIfSet(o, "aspectRatio", aspectRatio);
    insertIfSet(o, "version", version);
    insertIfSet(o, "speed", speed);
    insertIfSet(o, "chaos", chaos);
    insertIfSet(o, "stylize", stylize);
    insertIfSet(o, "weird", weird);
    insertIfSet(o, "omniWeight", omniWeight);
    if (seed)
        o.insert(QStringLiteral("seed"), QString::number(*seed)); // a string: seeds may exceed 2^53
    if (translate)
        o.insert(QStringLiteral("translate"), *translate);
    insertIfSet(o, "watermark", watermark);
    insertIfSet(o, "motion", motion);
    insertIfSet(o, "videoBatch", videoBatch);
    insertIfSet(o, "dimensions", dimensions);
    insertIfSet(o, "parent", parentTaskId);
    if (tile > 0)
        o.insert(QStringLiteral("tile"), tile);
    insertIfSet(o, "variant", variant);
    insertIfSet(o, "direction", direction);
    insertIfSet(o, "zoomFactor", zoomFactor);
    if (!mask.isEmpty())
        o.insert(QStringLiteral("mask"), QString::fromLatin1(mask.toBase64()));
    return o;
}

Result<Operation> Operation::fromJson(const QJsonObject &json)
{
    const auto kind = operationKindFromName(json.value(QStringLiteral("kind")).toString());
    if (!kind)
        return Error::make(Error::Kind::BadResponse,
                           tr("Unknown operation \"%1\"").arg(json.value(QStringLiteral("kind")).toString()));
    Operation op;
    op.kind = *kind;
    op.prompt = json.value(QStringLiteral("prompt")).toString();
    if (json.contains(QStringLiteral("type"))) {
        const auto type = generateTypeFromName(json.value(QStringLiteral("type")).toString());
        if (!type)
            return Error::make(
                Error::Kind::BadResponse,
                tr("Unknown generation type \"%1\"").arg(json.value(QStringLiteral("type")).toString()));
        op.type = *type;
    }
    for (const auto &v : json.value(QStringLiteral("references")).toArray())
        op.references.append(v.toString());
    for (const auto &v : json.value(QStringLiteral("referenceNames")).toArray())
        op.referenceNames.append(v.toString());
    op.aspectRatio = json.value(QStringLiteral("aspectRatio")).toString();
    op.version = json.value(QStringLiteral("version")).toString();
    op.speed = json.value(QStringLiteral("speed")).toString();
    op.chaos = optionalInt(json, "chaos");
    op.stylize = optionalInt(json, "stylize");
    op.weird = optionalInt(json, "weird");
    op.omniWeight = optionalInt(json, "omniWeight");
    const QJsonValue seed = json.value(QStringLiteral("seed"));
    if (seed.isString()) {
        bool ok = false;
        const qint64 s = seed.toString().toLongLong(&ok);
        if (ok)
            op.seed = s;
    }
    if (const QJsonValue t = json.value(QStringLiteral("translate")); t.isBool())
        op.translate = t.toBool();
    op.watermark = json.value(QStringLiteral("watermark")).toString();
    op.motion = json.value(QStringLiteral("motion")).toString();
    op.videoBatch = optionalInt(json, "videoBatch");
    op.dimensions = json.value(QStringLiteral("dimensions")).toString();
    op.parentTaskId = json.value(QStringLiteral("parent")).toString();
    op.tile = json.value(QStringLiteral("tile")).toInt();
    op.variant = json.value(QStringLiteral("variant")).toString();
    op.direction = json.value(QStringLiteral("direction")).toString();
    op.zoomFactor = json.value(QStringLiteral("zoomFactor")).toString();
    op.mask = QByteArray::fromBase64(json.value(QStringLiteral("mask")).toString().toLatin1());
    return op;
}

Operation Operation::imagine(QString prompt)
{
    Operation op;
    op.kind = OperationKind::Imagine;
    op.prompt = std::move(prompt);
    return op;
}

Operation Operation::action(OperationKind kind, QString parentTaskId, int tile)
{
    Operation op;
    op.kind = kind;
    op.parentTaskId = std::move(parentTaskId);
    op.tile = tile;
    return op;
}

} // namespace tessera
