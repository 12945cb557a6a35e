#pragma once

#include "account.h"
#include "result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace tessera {

// The family options of PRODUCT.md ("Account options"), with what each accepts and a sentence for the
// settings dialog. One table shared by the CLI (`accounts add --option K=V`) and the dialog.
struct AccountOption
{
    enum class Type { Choice, Text, Seconds, Count };

    QString key; // "prefix", "auth", ...
    Type type = Type::Text;
    QStringList choices; // for Choice; the first is the default
    QString label; // "Speed prefix"
    QString help; // one or two sentences for people
    QString placeholder; // what is used when unset
    // A vendor's own limit on a number (kolersky: a check every 5 s at most, 60 checks per task): values
    // beyond it are refused with `limit`, which says why. Unset when -1.
    double least = -1;
    double most = -1;
    QString limit;
};

// The options an account of `family` takes: the family's own, then poll timings and concurrency.
QList<AccountOption> accountOptions(const QString &family);

// Checks one option for `family` and returns its value as stored (trimmed; a prefix gets its leading
// slash); the message names the option and what it accepts.
Result<QString> checkAccountOption(const QString &family, const QString &key, const QString &value);

// Checks every option of `account` (unknown keys included) and returns the account with them normalised.
Result<Account> checkAccountOptions(const Account &account);

// The four real families and the demo, as users name them.
QStringList knownFamilies(); // "kolersky", "apixo", "kie", "mjproxy"
QString familyTitle(const QString &family); // "midjourney-proxy", "kie.ai-style", ...

} // namespace tessera
