#include "mjproxyprompt.h"

#include "mjproxybuttons.h"
#include "model/promptflags.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace tessera::mjproxy {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MjproxyAdapter", text);
}

bool typedFlag(const PromptFlags &typed, const char *flag)
{
    for (const QString &word : typed.kept) {
        if (word.compare(QLatin1String(flag), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// "7.0" and "7" are the same version.
bool sameVersion(const QString &a, const QString &b)
{
    if (a == b)
        return true;
    bool okA = false;
    bool okB = false;
    const double x = a.toDouble(&okA);
    const double y = b.toDouble(&okB);
    return okA && okB && x == y;
}

Error differs(const char *field, const QString &chosen, const QString &typedFlag)
{
    return Error::make(Error::Kind::InvalidRequest,
                       tr("%1: \"%2\" differs from \"%3\" typed in the prompt; keep one of them")
                           .arg(QLatin1String(field), chosen, typedFlag));
}

template<class T> QString text(const T &value)
{
    return QString::number(value);
}

} // namespace

bool isDataUrl(const QString &reference)
{
    return reference.startsWith(QLatin1String("data:"), Qt::CaseInsensitive)
        && reference.contains(QLatin1String(";base64,"));
}

bool isHttpUrl(const QString &reference)
{
    return reference.startsWith(QLatin1String("https://"), Qt::CaseInsensitive)
        || reference.startsWith(QLatin1String("http://"), Qt::CaseInsensitive);
}

QString versionFlag(const QString &version)
{
    if (version.startsWith(QLatin1String("niji")))
        return QStringLiteral("--niji ") + version.mid(4);
    return QStringLiteral("--v ") + version;
}

Status checkTypedFlags(const Operation &op)
{
    const PromptFlags typed = PromptFlags::parse(op.prompt);
    if (!op.aspectRatio.isEmpty() && !typed.aspectRatio.isEmpty() && op.aspectRatio != typed.aspectRatio)
        return differs("aspect ratio", op.aspectRatio, QStringLiteral("--ar ") + typed.aspectRatio);
    if (!op.version.isEmpty() && !typed.version.isEmpty() && !sameVersion(op.version, typed.version))
        return differs("version", op.version, versionFlag(typed.version));
    const auto number
        = [](const char *field, const auto &chosen, const auto &fromPrompt, const char *flag) -> Status {
        if (chosen && fromPrompt && *chosen != *fromPrompt)
            return differs(field, text(*chosen), QLatin1String(flag) + QLatin1Char(' ') + text(*fromPrompt));
        return {};
    };
    if (Status s = number("chaos", op.chaos, typed.chaos, "--chaos"); !s)
        return s;
    if (Status s = number("stylize", op.stylize, typed.stylize, "--stylize"); !s)
        return s;
    if (Status s = number("weird", op.weird, typed.weird, "--weird"); !s)
        return s;
    if (Status s = number("omni weight", op.omniWeight, typed.omniWeight, "--ow"); !s)
        return s;
    if (Status s = number("seed", op.seed, typed.seed, "--seed"); !s)
        return s;
    if (op.type == GenerateType::Style && !op.references.isEmpty() && typedFlag(typed, "--sref"))
        return Error::make(
            Error::Kind::InvalidRequest,
            tr("references: the prompt already has --sref; remove it or the style references"));
    if (op.type == GenerateType::Omni && !op.references.isEmpty() && typedFlag(typed, "--oref"))
        return Error::make(Error::Kind::InvalidRequest,
                           tr("references: the prompt already has --oref; remove it or the omni reference"));
    return {};
}

ImagineBody imagineBody(const Operation &op)
{
    const PromptFlags typed = PromptFlags::parse(op.prompt);
    ImagineBody body;
    QStringList words;
    if (op.type == GenerateType::Image) {
        // Midjourney reads image prompts as links at the start of the prompt; local files travel in
        // base64Array and the proxy uploads them (PROVIDERS.md §4 imagine).
        for (const QString &reference : op.references) {
            if (isDataUrl(reference))
                body.base64Array.append(reference);
            else
                words.append(reference);
        }
    }
    words.append(op.prompt.trimmed());
    if (!op.aspectRatio.isEmpty() && typed.aspectRatio.isEmpty())
        words.append(QStringLiteral("--ar ") + op.aspectRatio);
    if (!op.version.isEmpty() && typed.version.isEmpty())
        words.append(versionFlag(op.version));
    if (op.chaos && !typed.chaos)
        words.append(QStringLiteral("--chaos ") + text(*op.chaos));
    if (op.stylize && !typed.stylize)
        words.append(QStringLiteral("--stylize ") + text(*op.stylize));
    if (op.weird && !typed.weird)
        words.append(QStringLiteral("--weird ") + text(*op.weird));
    if (op.seed && !typed.seed)
        words.append(QStringLiteral("--seed ") + text(*op.seed));
    if (op.type == GenerateType::Style && !op.references.isEmpty() && !typedFlag(typed, "--sref"))
        words.append(QStringLiteral("--sref ") + op.references.join(QLatin1Char(' ')));
    if (op.type == GenerateType::Omni && !op.references.isEmpty() && !typedFlag(typed, "--oref"))
        words.append(QStringLiteral("--oref ") + op.references.constFirst());
    if (op.omniWeight && !typed.omniWeight)
        words.append(QStringLiteral("--ow ") + text(*op.omniWeight));
    words.removeAll(QString());
    body.prompt = words.join(QLatin1Char(' '));

    const QString version = op.version.isEmpty() ? typed.version : op.version;
    if (version.startsWith(QLatin1String("niji")))
        body.botType = QStringLiteral("NIJI_JOURNEY");
    else if (!version.isEmpty())
        body.botType = QStringLiteral("MID_JOURNEY");
    return body;
}

QString modalPrompt(const Operation &op, const Task *parent, std::optional<double> customZoom)
{
    QString prompt = op.prompt.trimmed();
    if (prompt.isEmpty() && parent) {
        for (const char *key : {"finalPrompt", "promptEn", "prompt"}) {
            prompt = parent->remote.value(QLatin1String(key)).toString().trimmed();
            if (!prompt.isEmpty())
                break;
        }
        if (prompt.isEmpty())
            prompt = parent->prompt.trimmed();
        if (prompt.isEmpty())
            prompt = parent->operation.prompt.trimmed();
        // finalPrompt is Discord's message text: links are wrapped in <> to stop embeds.
        static const QRegularExpression wrappedLink(QStringLiteral("<(https?://[^>\\s]+)>"));
        prompt.replace(wrappedLink, QStringLiteral("\\1"));
    }
    if (customZoom) {
        // The factor chosen now wins over a --zoom the prompt may already carry.
        static const QRegularExpression zoomFlag(QStringLiteral("\\s*--zoom\\s+\\S+"));
        prompt.remove(zoomFlag);
        prompt = prompt.trimmed();
        if (!prompt.isEmpty())
            prompt += QLatin1Char(' ');
        prompt += QStringLiteral("--zoom ") + zoomText(*customZoom);
    }
    return prompt;
}

} // namespace tessera::mjproxy
