#pragma once

#include "demo/demobackend.h"
#include "model/clock.h"
#include "model/result.h"
#include "net/httpclient.h"
#include "net/transport.h"
#include "providers/providerregistry.h"
#include "secrets/secretstore.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"
#include "storage/paths.h"
#include "tasks/taskengine.h"

#include <QNetworkAccessManager>

#include <functional>
#include <memory>

namespace tessera {

// The object graph both front ends need, built in one place so that the GUI and the CLI cannot drift:
// one store, one archive, one transport, one engine. The composition roots (app/gui, app/cli) create it
// and hand references to the objects that need them. Must be created and destroyed on one thread.
class AppCore
{
public:
    struct Options
    {
        AppPaths paths;
        TaskEngine::Config engine;
        int demoTileLongSide = 512;
        HttpClient::Config http;
        // Keys in the system keychain (the product) or in memory only (tests that need no keychain).
        bool keychain = true;
        QString keychainService = QStringLiteral("tessera");
        // Tests: the persistent key store to use instead (a slow or failing keychain, say).
        std::function<std::unique_ptr<SecretStore>()> secretStore;
        // Tests: the engine's time (a faster clock, for vendors whose least interval between checks the
        // product never shortens). Null: the system clock. Must outlive the core.
        Clock *clock = nullptr;
    };

    static Result<std::unique_ptr<AppCore>> open(const Options &options);
    ~AppCore();

    const AppPaths &paths() const { return m_paths; }
    HistoryStore &store() { return *m_store; }
    ImageArchive &archive() { return *m_archive; }
    const ProviderRegistry &providers() const { return *m_providers; }
    TaskEngine &engine() { return *m_engine; }
    LayeredSecretStore &secrets() { return *m_secrets; }
    Transport &transport() { return *m_transport; }
    Clock &clock() { return *m_clock; }

    // What the GUI does once at start: takes over the tasks that were under way when Tessera last
    // stopped, and asks once more about those that ran out of status checks (TaskEngine::resume,
    // recheckUnfinished). Every request waits for its account's key.
    void resumeWork();

    // The account of `nameOrId`, or the default account when empty; an Error naming the account when
    // there is none.
    Result<Account> resolveAccount(const QString &nameOrId);

private:
    AppCore() = default;

    AppPaths m_paths;
    SystemClock m_systemClock;
    Clock *m_clock = &m_systemClock;
    std::unique_ptr<HistoryStore> m_store;
    std::unique_ptr<ImageArchive> m_archive;
    std::unique_ptr<ProviderRegistry> m_providers;
    std::unique_ptr<demo::DemoBackend> m_demo;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<LayeredSecretStore> m_secrets;
    std::unique_ptr<TransportRouter> m_transport;
    std::unique_ptr<TaskEngine> m_engine;
};

} // namespace tessera
