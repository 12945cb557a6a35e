#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace tessera {

// A provider account: which API family, where, and the family options of PRODUCT.md ("prefix", "auth",
// "routing", "vary-index-base", "mask-format", "first-poll", "poll-interval", "timeout", "max-polls",
// "concurrency", and for the demo "duration"). Never holds the API key: keys live in a SecretStore.
struct Account
{
    QString id;
    QString family; // "demo", "kolersky", "apixo", "kie", "mjproxy"
    QString name;
    QString baseUrl;
    QJsonObject options; // option name → string value, as the user typed it
    QDateTime created;
    QDateTime lastUsed;

    static constexpr const char *kDemoId = "demo";
    static Account demo(); // the built-in offline account

    bool isDemo() const { return family == QLatin1String("demo"); }

    QString option(const QString &key, const QString &fallback = {}) const;
    // A number option (seconds and counts accept decimals); `fallback` when unset or not a number.
    double numberOption(const QString &key, double fallback) const;

    // "Demo (offline)", "kie · my account"
    QString displayName() const;

    friend bool operator==(const Account &, const Account &) = default;
};

} // namespace tessera

Q_DECLARE_METATYPE(tessera::Account)
