#include "cli.h"
#include "command.h"
#include "model/accountoptions.h"
#include "model/baseurl.h"
#include "tasks/connectiontest.h"

#include <QEventLoop>
#include <QFile>
#include <QUuid>

#include <cstdio>

namespace tessera::cli {

// The commands that manage accounts (PRODUCT.md "tessera-cli"; issue "Accounts and secrets"). Keys go to
// the system keychain and are read from stdin only, never from an argument.

namespace {

// Runs the event loop until `done` is true.
void spinUntil(const bool &done)
{
    QEventLoop loop;
    while (!done)
        loop.processEvents(QEventLoop::WaitForMoreEvents);
}

// One line from stdin without its line break; a key typed or piped in.
QString readKeyFromStdin()
{
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(in.readLine(64 * 1024)).trimmed();
}

QString optionsText(const Account &a)
{
    QStringList parts;
    for (auto it = a.options.constBegin(); it != a.options.constEnd(); ++it)
        parts.append(it.key() + QLatin1Char('=') + it.value().toString());
    return parts.join(QLatin1Char(' '));
}

} // namespace

void Cli::useEnvironmentKey(const QString &accountId)
{
    // TESSERA_API_KEY serves scripts and CI for the account this command uses; it is never stored.
    const QString key = qEnvironmentVariable("TESSERA_API_KEY").trimmed();
    if (!key.isEmpty() && m_core)
        m_core->secrets().setOverride(accountId, key);
}

int Cli::accounts(const QStringList &args)
{
    const QString sub = args.value(1);
    const QString usage
        = tr("usage: tessera-cli accounts list [--json] | add --family F --name N --base-url U "
             "[--option K=V]... [--key-stdin] | remove NAME | test NAME | default NAME");
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        m_out << usage << Qt::endl;
        return Ok;
    }
    if (sub == QLatin1String("list"))
        return accountsList(args.mid(1));
    if (sub == QLatin1String("add"))
        return accountsAdd(args.mid(1));
    if (sub == QLatin1String("remove") || sub == QLatin1String("test") || sub == QLatin1String("default"))
        return accountsNamed(sub, args.mid(1));
    return fail(sub.isEmpty() ? usage : tr("unknown accounts command \"%1\"; %2").arg(sub, usage), Usage);
}

int Cli::accountsList(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli accounts list [--json]"));
    if (const auto done = parse(cmd, args, 0, tr("accounts list takes no arguments, only options")))
        return *done;
    if (!openCore())
        return DataError;
    const auto all = m_core->store().accounts();
    const auto preferred = m_core->store().defaultAccount();
    if (!all || !preferred)
        return fail(!all ? all.error().message : preferred.error().message, DataError);
    const bool asJson = cmd.isSet("json");
    QJsonArray list;
    for (const Account &a : *all) {
        const bool isDefault = a.id == preferred->id;
        if (!asJson) {
            m_out << (isDefault ? "* " : "  ") << a.displayName()
                  << (a.baseUrl.isEmpty() ? QString() : QStringLiteral("  ") + a.baseUrl);
            if (const QString options = optionsText(a); !options.isEmpty())
                m_out << "  " << options;
            m_out << "\n";
            continue;
        }
        list.append(QJsonObject {{QStringLiteral("id"), a.id},
                                 {QStringLiteral("name"), a.isDemo() ? QStringLiteral("demo") : a.name},
                                 {QStringLiteral("family"), a.family},
                                 {QStringLiteral("baseUrl"), a.baseUrl},
                                 {QStringLiteral("options"), a.options},
                                 {QStringLiteral("default"), isDefault}});
    }
    if (asJson)
        m_out << json(list) << "\n";
    m_out.flush();
    return Ok;
}

int Cli::accountsAdd(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli accounts add --family F --name N --base-url U [--option K=V]... "
                               "[--key-stdin]"));
    cmd.add(QStringLiteral("family"), tr("kolersky, apixo, kie or mjproxy."), QStringLiteral("family"));
    cmd.add(QStringLiteral("name"), tr("A name of your choice, unique."), QStringLiteral("name"));
    cmd.add(QStringLiteral("base-url"), tr("The API's address, e.g. https://api.kie.ai."),
            QStringLiteral("url"));
    cmd.add(QStringLiteral("option"), tr("A family option (repeatable), e.g. prefix=/mj-fast."),
            QStringLiteral("key=value"));
    cmd.add(QStringLiteral("key-stdin"),
            tr("Read the API key from stdin and keep it in the system keychain."));
    if (const auto done = parse(cmd, args, 0, tr("accounts add takes options only (see --help)")))
        return *done;
    const QString family = cmd.value("family").trimmed().toLower();
    if (!knownFamilies().contains(family))
        return fail(tr("--family: use %1").arg(knownFamilies().join(QStringLiteral(", "))), Usage);
    const QString name = cmd.value("name").trimmed();
    if (name.isEmpty())
        return fail(tr("--name: give the account a name"), Usage);
    if (name.compare(QLatin1String("demo"), Qt::CaseInsensitive) == 0)
        return fail(tr("--name: \"demo\" is the built-in offline account; choose another name"), Usage);
    const Result<QString> baseUrl = normalizeBaseUrl(cmd.value("base-url"));
    if (!baseUrl)
        return fail(baseUrl.error().message, Usage);
    Account account;
    account.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    account.family = family;
    account.name = name;
    account.baseUrl = *baseUrl;
    for (const QString &option : cmd.parser.values(QStringLiteral("option"))) {
        const qsizetype eq = option.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return fail(tr("--option: write KEY=VALUE, e.g. prefix=/mj-fast (got \"%1\")").arg(option),
                        Usage);
        account.options.insert(option.left(eq).trimmed(), option.mid(eq + 1).trimmed());
    }
    const Result<Account> checked = checkAccountOptions(account);
    if (!checked)
        return fail(checked.error().message, Usage);
    QString key;
    if (cmd.isSet("key-stdin")) {
        key = readKeyFromStdin();
        if (key.isEmpty())
            return fail(tr("--key-stdin: no key arrived on stdin"), Usage);
    }
    if (!openCore())
        return DataError;
    const auto existing = m_core->store().accountByName(name);
    if (!existing)
        return fail(existing.error().message, DataError);
    if (existing->has_value())
        return fail(tr("--name: there is already an account \"%1\"").arg(name), Usage);

    account = *checked;
    account.created = QDateTime::currentDateTimeUtc();
    if (const Status s = m_core->store().saveAccount(account); !s)
        return fail(s.error().message, DataError);
    m_out << tr("Added %1 (%2).").arg(account.displayName(), account.baseUrl) << Qt::endl;
    if (key.isEmpty()) {
        m_out << tr(
            "No key stored: add it in Settings > Accounts, or set TESSERA_API_KEY when running commands.")
              << Qt::endl;
        return Ok;
    }
    QObject context;
    bool done = false;
    Status stored;
    m_core->secrets().writeKey(account.id, key, &context, [&](const Status &s) {
        stored = s;
        done = true;
    });
    spinUntil(done);
    if (!stored)
        return fail(tr("the account was added, but its key was NOT stored: %1. Nothing was written in plain "
                       "text; use TESSERA_API_KEY for this account until the keychain works.")
                        .arg(stored.error().message),
                    TaskFailed);
    m_out << tr("The key is in the system keychain.") << Qt::endl;
    return Ok;
}

int Cli::accountsNamed(const QString &sub, const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli accounts %1 NAME").arg(sub));
    cmd.parser.addPositionalArgument(QStringLiteral("name"), tr("The account."));
    if (const auto done = parse(cmd, args, 1, tr("usage: tessera-cli accounts %1 NAME").arg(sub)))
        return *done;
    if (!openCore())
        return DataError;
    const Result<Account> account = m_core->resolveAccount(cmd.positional().first());
    if (!account)
        return fail(account.error().message, account.error().kind == Error::Kind::Io ? DataError : Usage);

    if (sub == QLatin1String("default")) {
        if (const Status s = m_core->store().setDefaultAccount(account->id); !s)
            return fail(s.error().message, DataError);
        m_out << tr("New tasks use %1.").arg(account->displayName()) << Qt::endl;
        return Ok;
    }
    if (sub == QLatin1String("remove")) {
        if (account->isDemo())
            return fail(tr("the demo account is built in and cannot be removed"), Usage);
        if (const Status s = m_core->store().removeAccount(account->id); !s)
            return fail(s.error().message, DataError);
        QObject context;
        bool done = false;
        Status removed;
        m_core->secrets().removeKey(account->id, &context, [&](const Status &s) {
            removed = s;
            done = true;
        });
        spinUntil(done);
        m_out << tr("Removed %1; its tasks stay in the history.").arg(account->displayName()) << Qt::endl;
        if (!removed)
            return fail(tr("its key could not be removed from the keychain: %1").arg(removed.error().message),
                        TaskFailed);
        return Ok;
    }

    // test
    const ProviderAdapter *adapter = m_core->providers().adapter(account->family);
    if (!adapter || account->isDemo()) {
        m_out << tr("The demo account works offline; there is nothing to test.") << Qt::endl;
        return Ok;
    }
    useEnvironmentKey(account->id);
    QObject context;
    bool keyDone = false;
    Result<QString> key = QString();
    m_core->secrets().readKey(account->id, &context, [&](const Result<QString> &k) {
        key = k;
        keyDone = true;
    });
    spinUntil(keyDone);
    if (!key && key.error().kind != Error::Kind::NotFound)
        return fail(key.error().message, TaskFailed);
    bool testDone = false;
    ConnectionReport report;
    testConnection(m_core->transport(), *adapter, *account, key ? *key : QString(), &context,
                   [&](const ConnectionReport &r) {
                       report = r;
                       testDone = true;
                   });
    spinUntil(testDone);
    const QString line = connectionVerdictText(report.verdict)
        + (report.message.isEmpty() ? QString() : QStringLiteral(": ") + report.message);
    if (report.verdict == ConnectionReport::Verdict::KeyAccepted) {
        m_out << account->displayName() << ": " << line << Qt::endl;
        return Ok;
    }
    // Without a key nothing was sent (verdict NoKey): the line says how to add one.
    return fail(account->displayName() + QStringLiteral(": ") + line, TaskFailed);
}

} // namespace tessera::cli
