#include "connectiontest.h"

#include "net/transport.h"

#include <QCoreApplication>
#include <QPointer>

namespace tessera {

void testConnection(Transport &transport, const ProviderAdapter &adapter, const Account &account,
                    const QString &apiKey, QObject *context,
                    std::function<void(const ConnectionReport &)> done)
{
    HttpCall call = adapter.buildConnectionTest(account);
    TransportReply *reply = transport.send(call, account, apiKey);
    const ProviderAdapter *family = &adapter; // adapters live as long as the registry, i.e. the app
    QObject::connect(reply, &TransportReply::finished, context, [reply, family, done = std::move(done)] {
        reply->deleteLater();
        const Result<HttpResponse> &result = reply->result();
        if (!result && result.error().kind == Error::Kind::MissingKey) {
            done({ConnectionReport::Verdict::NoKey, result.error().message});
            return;
        }
        done(family->parseConnectionTest(result));
    });
    // Without a context the reply would never be collected: tie its life to the context as well.
    QObject::connect(context, &QObject::destroyed, reply, [reply] {
        reply->abort();
        reply->deleteLater();
    });
}

QString connectionVerdictText(ConnectionReport::Verdict verdict)
{
    switch (verdict) {
    case ConnectionReport::Verdict::KeyAccepted:
        return QCoreApplication::translate("ConnectionTest", "Key accepted");
    case ConnectionReport::Verdict::KeyRejected:
        return QCoreApplication::translate("ConnectionTest", "Key rejected");
    case ConnectionReport::Verdict::Unreachable:
        return QCoreApplication::translate("ConnectionTest", "Server unreachable");
    case ConnectionReport::Verdict::NotThisApi:
        return QCoreApplication::translate("ConnectionTest", "Not this family's API");
    case ConnectionReport::Verdict::NoKey:
        return QCoreApplication::translate("ConnectionTest", "No API key");
    }
    return {};
}

} // namespace tessera
