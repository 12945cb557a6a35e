#pragma once

#include "model/account.h"
#include "providers/provideradapter.h"

#include <QObject>
#include <QString>

#include <functional>

namespace tessera {

class Transport;

// "Test connection" (Settings and `tessera-cli accounts test`): one cheap authenticated request of the
// account's family (ProviderAdapter::buildConnectionTest) through the application's transport, read by the
// family (parseConnectionTest) into key accepted / key rejected / unreachable / not this family's API.
// `done` runs exactly once, on `context`'s thread, unless `context` is gone first.
void testConnection(Transport &transport, const ProviderAdapter &adapter, const Account &account,
                    const QString &apiKey, QObject *context,
                    std::function<void(const ConnectionReport &)> done);

// "Key accepted", "Key rejected", ... for people.
QString connectionVerdictText(ConnectionReport::Verdict verdict);

} // namespace tessera
