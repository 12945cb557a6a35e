#include "accountoptions.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <algorithm>

namespace tessera {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AccountOptions", text);
}

AccountOption choice(const char *key, QStringList choices, QString label, QString help)
{
    AccountOption o;
    o.key = QString::fromLatin1(key);
    o.type = AccountOption::Type::Choice;
    o.placeholder = choices.value(0);
    o.choices = std::move(choices);
    o.label = std::move(label);
    o.help = std::move(help);
    return o;
}

AccountOption number(const char *key, AccountOption::Type type, QString label, QString help,
                     QString placeholder)
{
    AccountOption o;
    o.key = QString::fromLatin1(key);
    o.type = type;
    o.label = std::move(label);
    o.help = std::move(help);
    o.placeholder = std::move(placeholder);
    return o;
}

} // namespace

QStringList knownFamilies()
{
    return {QStringLiteral("kolersky"), QStringLiteral("apixo"), QStringLiteral("kie"),
            QStringLiteral("mjproxy")};
}

QString familyTitle(const QString &family)
{
    if (family == QLatin1String("kolersky"))
        return QStringLiteral("kolersky-style");
    if (family == QLatin1String("apixo"))
        return QStringLiteral("apixo-style");
    if (family == QLatin1String("kie"))
        return QStringLiteral("kie.ai-style");
    if (family == QLatin1String("mjproxy"))
        return QStringLiteral("midjourney-proxy");
    if (family == QLatin1String("demo"))
        return tr("Demo (offline)");
    return family;
}

QList<AccountOption> accountOptions(const QString &family)
{
    QList<AccountOption> options;
    if (family == QLatin1String("mjproxy")) {
        AccountOption prefix;
        prefix.key = QStringLiteral("prefix");
        prefix.label = tr("Speed prefix");
        prefix.help
            = tr("Put before /mj in every path to pick the speed: /mj-fast, /mj-relax or /mj-turbo on most "
                 "servers, /fast, /relax or /turbo on some gateways. Empty: the server's default.");
        prefix.placeholder = tr("(none)");
        options.append(prefix);
        options.append(choice("remix", {QStringLiteral("ask"), QStringLiteral("keep")}, tr("Remix prompt"),
                              tr("With Remix on at the server, V, reroll, pan and animate wait for a prompt: ask "
                                 "for it (pre-filled, Enter sends it) or keep the image's prompt as it is. The "
                                 "command line always keeps it unless --prompt is given.")));
        options.append(
            choice("auth", {QStringLiteral("bearer"), QStringLiteral("raw"), QStringLiteral("mj-api-secret")},
                   tr("Key header"),
                   tr("How the key is sent: bearer (\"Authorization: Bearer KEY\", gateways), raw "
                      "(\"Authorization: KEY\", self-hosted trueai) or mj-api-secret (self-hosted "
                      "novicezk). A 401 often means the wrong one.")));
    } else if (family == QLatin1String("apixo")) {
        options.append(
            choice("routing", {QStringLiteral("auto"), QStringLiteral("value"), QStringLiteral("official")},
                   tr("Routing"), tr("Which upstream apixo uses: auto, value (cheaper) or official.")));
        options.append(choice("mask-format", {QStringLiteral("raster"), QStringLiteral("polygons")},
                              tr("Mask format"),
                              tr("How Vary Region sends the mask: raster (a black and white PNG) or polygons "
                                 "(traced outlines).")));
    } else if (family == QLatin1String("kie")) {
        options.append(
            choice("vary-index-base", {QStringLiteral("1"), QStringLiteral("0")}, tr("Vary index base"),
                   tr("kie's documents disagree on whether V1–V4 count from 1 or 0. Keep 1 unless V2 "
                      "gives you the variations of image 3.")));
    } else if (family == QLatin1String("demo")) {
        options.append(number("duration", AccountOption::Type::Seconds, tr("Duration"),
                              tr("How long a demo task takes, in seconds."), QStringLiteral("4")));
    }
    if (family != QLatin1String("demo")) {
        options.append(number("first-poll", AccountOption::Type::Seconds, tr("First check after"),
                              tr("Seconds before the first status check of a new task."),
                              tr("family default")));
        AccountOption interval = number("poll-interval", AccountOption::Type::Seconds, tr("Check every"),
                                        tr("Seconds between status checks."), tr("family default"));
        if (family == QLatin1String("kolersky")) {
            // PROVIDERS.md §1 Limits: 60 status checks per task, 5 s apart.
            interval.help = tr("Seconds between status checks; kolersky allows one every 5 seconds at most. "
                               "Unset, checks come every 5 s for a minute, then further apart.");
            interval.least = 5;
            interval.limit = tr("kolersky allows one status check every 5 seconds at most; use 5 or more");
        }
        options.append(interval);
        options.append(number("timeout", AccountOption::Type::Seconds, tr("Give up after"),
                              tr("Seconds after which a task still running becomes \"unfinished\" (check it "
                                 "again later)."),
                              tr("10 minutes")));
        AccountOption maxPolls
            = number("max-polls", AccountOption::Type::Count, tr("Most checks"),
                     tr("Status checks per task before it becomes \"unfinished\" (Check again asks on); "
                        "0 = no limit."),
                     tr("family default"));
        if (family == QLatin1String("kolersky")) {
            maxPolls.help = tr("Status checks per run before the task becomes \"unfinished\"; 0 = no limit of "
                               "Tessera's own. kolersky allows 60 checks per task in all: once they are used, "
                               "the task cannot be checked again.");
            maxPolls.most = 60;
            maxPolls.limit = tr("kolersky allows at most 60 status checks per task");
        }
        options.append(maxPolls);
        options.append(number("concurrency", AccountOption::Type::Count, tr("Tasks at once"),
                              tr("How many tasks of this account run at the same time; the rest wait."),
                              QStringLiteral("3")));
    }
    return options;
}

Result<QString> checkAccountOption(const QString &family, const QString &key, const QString &rawValue)
{
    const QList<AccountOption> options = accountOptions(family);
    const auto it = std::find_if(options.cbegin(), options.cend(),
                                 [&](const AccountOption &o) { return o.key == key; });
    if (it == options.cend()) {
        QStringList keys;
        for (const AccountOption &o : options)
            keys.append(o.key);
        return Error::make(Error::Kind::InvalidRequest,
                           tr("option %1: %2 accounts take %3")
                               .arg(key, familyTitle(family), keys.join(QStringLiteral(", "))));
    }
    const QString value = rawValue.trimmed();
    switch (it->type) {
    case AccountOption::Type::Choice:
        if (!it->choices.contains(value))
            return Error::make(Error::Kind::InvalidRequest,
                               tr("option %1: use %2").arg(key, it->choices.join(QStringLiteral(", "))));
        return value;
    case AccountOption::Type::Seconds: {
        bool ok = false;
        const double seconds = value.toDouble(&ok);
        if (!ok || seconds < 0 || seconds > 86400)
            return Error::make(
                Error::Kind::InvalidRequest,
                tr("option %1: use a number of seconds from 0 to 86400 (decimals allowed)").arg(key));
        if ((it->least >= 0 && seconds < it->least) || (it->most >= 0 && seconds > it->most))
            return Error::make(Error::Kind::InvalidRequest, tr("option %1: %2").arg(key, it->limit));
        return value;
    }
    case AccountOption::Type::Count: {
        bool ok = false;
        const int n = value.toInt(&ok);
        const int least = key == QLatin1String("concurrency") ? 1 : 0;
        if (!ok || n < least || n > 10000)
            return Error::make(Error::Kind::InvalidRequest,
                               tr("option %1: use a whole number from %2 to 10000").arg(key).arg(least));
        if ((it->least >= 0 && n < it->least) || (it->most >= 0 && n > it->most))
            return Error::make(Error::Kind::InvalidRequest, tr("option %1: %2").arg(key, it->limit));
        return value;
    }
    case AccountOption::Type::Text:
        break;
    }
    // The midjourney-proxy prefix: a path segment or two, "/mj-fast"; empty means none.
    if (value.isEmpty())
        return value;
    QString prefix = value;
    if (!prefix.startsWith(QLatin1Char('/')))
        prefix.prepend(QLatin1Char('/'));
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    static const QRegularExpression valid(QStringLiteral("^(/[A-Za-z0-9._~-]+)*$"));
    if (!valid.match(prefix).hasMatch())
        return Error::make(Error::Kind::InvalidRequest,
                           tr("option prefix: use a path like /mj-fast (letters, digits, - . _ ~ only)"));
    return prefix;
}

Result<Account> checkAccountOptions(const Account &account)
{
    Account checked = account;
    for (auto it = account.options.constBegin(); it != account.options.constEnd(); ++it) {
        const Result<QString> value = checkAccountOption(account.family, it.key(), it.value().toString());
        if (!value)
            return value.error();
        checked.options.insert(it.key(), *value);
    }
    return checked;
}

} // namespace tessera
