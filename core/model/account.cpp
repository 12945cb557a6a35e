#include "account.h"

#include <QCoreApplication>

namespace tessera {

Account Account::demo()
{
    Account a;
    a.id = QString::fromLatin1(kDemoId);
    a.family = QStringLiteral("demo");
    a.name = QCoreApplication::translate("Account", "Demo (offline)");
    return a;
}

QString Account::option(const QString &key, const QString &fallback) const
{
    const QJsonValue v = options.value(key);
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble());
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return fallback;
}

double Account::numberOption(const QString &key, double fallback) const
{
    const QJsonValue v = options.value(key);
    if (v.isDouble())
        return v.toDouble();
    bool ok = false;
    const double d = v.toString().trimmed().toDouble(&ok);
    return ok ? d : fallback;
}

QString Account::displayName() const
{
    if (isDemo())
        return QCoreApplication::translate("Account", "Demo (offline)");
    return family + QStringLiteral(" · ") + name;
}

} // namespace tessera
