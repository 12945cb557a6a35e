#include "promptflags.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace tessera {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("PromptFlags", text);
}

// Canonical name of a recognised flag, or empty.
QString canonical(const QString &flag)
{
    static const QHash<QString, QString> names {
        {QStringLiteral("ar"), QStringLiteral("ar")},
        {QStringLiteral("aspect"), QStringLiteral("ar")},
        {QStringLiteral("v"), QStringLiteral("v")},
        {QStringLiteral("version"), QStringLiteral("v")},
        {QStringLiteral("niji"), QStringLiteral("niji")},
        {QStringLiteral("c"), QStringLiteral("chaos")},
        {QStringLiteral("chaos"), QStringLiteral("chaos")},
        {QStringLiteral("s"), QStringLiteral("stylize")},
        {QStringLiteral("stylize"), QStringLiteral("stylize")},
        {QStringLiteral("w"), QStringLiteral("weird")},
        {QStringLiteral("weird"), QStringLiteral("weird")},
        {QStringLiteral("ow"), QStringLiteral("ow")},
        {QStringLiteral("seed"), QStringLiteral("seed")},
        {QStringLiteral("fast"), QStringLiteral("fast")},
        {QStringLiteral("relax"), QStringLiteral("relaxed")},
        {QStringLiteral("relaxed"), QStringLiteral("relaxed")},
        {QStringLiteral("turbo"), QStringLiteral("turbo")},
    };
    return names.value(flag.toLower());
}

bool takesValue(const QString &name)
{
    return name != QLatin1String("fast") && name != QLatin1String("relaxed") && name != QLatin1String("turbo")
        && name != QLatin1String("niji");
}

} // namespace

PromptFlags PromptFlags::parse(const QString &prompt)
{
    PromptFlags flags;
    const QStringList words = prompt.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    QStringList text;
    QSet<QString> seen;
    for (qsizetype i = 0; i < words.size(); ++i) {
        const QString &word = words[i];
        if (!word.startsWith(QLatin1String("--")) || word.size() < 3) {
            text.append(word);
            continue;
        }
        const QString name = canonical(word.mid(2));
        if (name.isEmpty()) {
            // Unknown here: kept in the text with its value(s), which run until the next flag.
            flags.kept.append(word);
            text.append(word);
            continue;
        }
        if (seen.contains(name))
            flags.problems.append(tr("%1 is given twice").arg(word));
        seen.insert(name);
        QString value;
        const bool hasNext = i + 1 < words.size() && !words[i + 1].startsWith(QLatin1String("--"));
        if (takesValue(name)
            || (name == QLatin1String("niji") && hasNext && words[i + 1].front().isDigit())) {
            if (!hasNext) {
                flags.problems.append(tr("%1 needs a value").arg(word));
                continue;
            }
            value = words[++i];
        }
        const auto number = [&](std::optional<int> &field) {
            bool ok = false;
            const int n = value.toInt(&ok);
            if (ok)
                field = n;
            else
                flags.problems.append(tr("%1: \"%2\" is not a whole number").arg(word, value));
        };
        if (name == QLatin1String("ar")) {
            static const QRegularExpression ratio(QStringLiteral("^\\d+:\\d+$"));
            if (ratio.match(value).hasMatch())
                flags.aspectRatio = value;
            else
                flags.problems.append(tr("%1: \"%2\" is not a ratio like 16:9").arg(word, value));
        } else if (name == QLatin1String("v")) {
            flags.version = value;
        } else if (name == QLatin1String("niji")) {
            flags.version = QStringLiteral("niji") + (value.isEmpty() ? QStringLiteral("6") : value);
        } else if (name == QLatin1String("chaos")) {
            number(flags.chaos);
        } else if (name == QLatin1String("stylize")) {
            number(flags.stylize);
        } else if (name == QLatin1String("weird")) {
            number(flags.weird);
        } else if (name == QLatin1String("ow")) {
            number(flags.omniWeight);
        } else if (name == QLatin1String("seed")) {
            bool ok = false;
            const qint64 s = value.toLongLong(&ok);
            if (ok && s >= 0)
                flags.seed = s;
            else
                flags.problems.append(tr("%1: \"%2\" is not a seed").arg(word, value));
        } else {
            flags.speed = name;
        }
    }
    flags.text = text.join(QLatin1Char(' '));
    return flags;
}

Result<Operation> liftPromptFlags(const Operation &op)
{
    const PromptFlags flags = PromptFlags::parse(op.prompt);
    if (!flags.problems.isEmpty())
        return Error::make(Error::Kind::InvalidRequest,
                           tr("prompt: %1").arg(flags.problems.join(QStringLiteral("; "))));
    Operation lifted = op;
    lifted.prompt = flags.text;
    QStringList conflicts;
    const auto merge = [&](auto &field, const auto &fromPrompt, const char *flag) {
        using T = std::decay_t<decltype(field)>;
        const bool promptSet = [&] {
            if constexpr (std::is_same_v<T, QString>)
                return !fromPrompt.isEmpty();
            else
                return fromPrompt.has_value();
        }();
        const bool fieldSet = [&] {
            if constexpr (std::is_same_v<T, QString>)
                return !field.isEmpty();
            else
                return field.has_value();
        }();
        if (!promptSet)
            return;
        if (fieldSet && field != fromPrompt)
            conflicts.append(QString::fromLatin1(flag));
        else
            field = fromPrompt;
    };
    merge(lifted.aspectRatio, flags.aspectRatio, "--ar");
    merge(lifted.version, flags.version, "--v");
    merge(lifted.speed, flags.speed, "--fast/--relax/--turbo");
    merge(lifted.chaos, flags.chaos, "--chaos");
    merge(lifted.stylize, flags.stylize, "--stylize");
    merge(lifted.weird, flags.weird, "--weird");
    merge(lifted.omniWeight, flags.omniWeight, "--ow");
    merge(lifted.seed, flags.seed, "--seed");
    if (!conflicts.isEmpty())
        return Error::make(Error::Kind::InvalidRequest,
                           tr("prompt: %1 in the prompt disagrees with the value chosen in the fields")
                               .arg(conflicts.join(QStringLiteral(", "))));
    return lifted;
}

} // namespace tessera
