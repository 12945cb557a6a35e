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

namespace {

// Every spelling of a field's flag with its value, if it takes one: "(^|\s)--ar\s+16:9".
QRegularExpression flagPattern(const QString &field)
{
    QString alternatives;
    if (field == QLatin1String("ar"))
        alternatives = QStringLiteral("(?:ar|aspect)\\s+(?!--)\\S+|(?:ar|aspect)(?=\\s|$)");
    else if (field == QLatin1String("v"))
        alternatives = QStringLiteral("(?:v|version)\\s+(?!--)\\S+|(?:v|version)(?=\\s|$)|niji(?:\\s+\\d+)?");
    else if (field == QLatin1String("speed"))
        alternatives = QStringLiteral("(?:fast|relax|relaxed|turbo)(?=\\s|$)");
    else if (field == QLatin1String("chaos"))
        alternatives = QStringLiteral("(?:c|chaos)\\s+(?!--)\\S+|(?:c|chaos)(?=\\s|$)");
    else if (field == QLatin1String("stylize"))
        alternatives = QStringLiteral("(?:s|stylize)\\s+(?!--)\\S+|(?:s|stylize)(?=\\s|$)");
    else if (field == QLatin1String("weird"))
        alternatives = QStringLiteral("(?:w|weird)\\s+(?!--)\\S+|(?:w|weird)(?=\\s|$)");
    else
        return {};
    return QRegularExpression(QStringLiteral("(^|\\s)--(?:%1)").arg(alternatives),
                              QRegularExpression::CaseInsensitiveOption);
}

QString flagText(const QString &field, const QString &value)
{
    if (field == QLatin1String("v"))
        return value.startsWith(QLatin1String("niji")) ? QStringLiteral("--niji %1").arg(value.mid(4))
                                                       : QStringLiteral("--v %1").arg(value);
    if (field == QLatin1String("speed"))
        return value == QLatin1String("relaxed") ? QStringLiteral("--relax") : QStringLiteral("--") + value;
    return QStringLiteral("--%1 %2").arg(field, value);
}

} // namespace

bool PromptFlags::has(const QString &prompt, const QString &field)
{
    const QRegularExpression pattern = flagPattern(field);
    return pattern.isValid() && !pattern.pattern().isEmpty() && pattern.match(prompt).hasMatch();
}

QString PromptFlags::withFlag(const QString &prompt, const QString &field, const QString &value)
{
    const QRegularExpression pattern = flagPattern(field);
    if (pattern.pattern().isEmpty())
        return prompt;
    QList<QRegularExpressionMatch> matches;
    for (auto it = pattern.globalMatch(prompt); it.hasNext();)
        matches.append(it.next());
    const QString text = value.isEmpty() ? QString() : flagText(field, value);
    if (matches.isEmpty()) {
        if (text.isEmpty())
            return prompt;
        QString trimmed = prompt;
        while (!trimmed.isEmpty() && trimmed.back().isSpace())
            trimmed.chop(1);
        return trimmed.isEmpty() ? text : trimmed + QLatin1Char(' ') + text;
    }
    // From the last match to the first, so that earlier positions stay valid: the first is rewritten in
    // place, the others (and the first too when removing) go with the space before them.
    QString out = prompt;
    for (qsizetype i = matches.size() - 1; i >= 0; --i) {
        const QRegularExpressionMatch &m = matches.at(i);
        if (i == 0 && !text.isEmpty())
            out.replace(m.capturedEnd(1), m.capturedEnd(0) - m.capturedEnd(1), text);
        else
            out.remove(m.capturedStart(0), m.capturedLength(0));
    }
    if (text.isEmpty() && matches.first().capturedStart(0) == 0) {
        while (!out.isEmpty() && out.front().isSpace())
            out.remove(0, 1);
    }
    return out;
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
