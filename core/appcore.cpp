#include "appcore.h"

#include "secrets/keychainsecretstore.h"

#include <QCoreApplication>

namespace tessera {

Result<std::unique_ptr<AppCore>> AppCore::open(const Options &options)
{
    std::unique_ptr<AppCore> core(new AppCore);
    core->m_paths = options.paths;
    auto store = HistoryStore::open(options.paths.databasePath);
    if (!store)
        return store.error();
    core->m_store = std::move(*store);
    core->m_archive = std::make_unique<ImageArchive>(options.paths.archiveDir);
    core->m_providers = ProviderRegistry::createDefault();
    if (options.clock)
        core->m_clock = options.clock;
    core->m_demo = std::make_unique<demo::DemoBackend>(options.paths.demoStateDir, *core->m_clock);
    core->m_demo->setTileLongSide(options.demoTileLongSide);
    // One network access manager for the whole application (ARCHITECTURE.md, "Front ends").
    core->m_network = std::make_unique<QNetworkAccessManager>();
    core->m_http = std::make_unique<HttpClient>(*core->m_network, options.http);
    core->m_transport = std::make_unique<TransportRouter>(core->m_demo.get(), core->m_http.get());
    std::unique_ptr<SecretStore> persistent;
    if (options.secretStore)
        persistent = options.secretStore();
    else if (options.keychain)
        persistent = std::make_unique<KeychainSecretStore>(options.keychainService);
    else
        persistent = std::make_unique<MemorySecretStore>();
    core->m_secrets = std::make_unique<LayeredSecretStore>(std::move(persistent));
    core->m_engine = std::make_unique<TaskEngine>(*core->m_store, *core->m_archive, *core->m_providers,
                                                  *core->m_transport, *core->m_clock, options.engine);
    core->m_engine->setSecrets(core->m_secrets.get());
    return core;
}

AppCore::~AppCore()
{
    m_engine.reset(); // releases its leases while the store is still open
    m_transport.reset();
    m_http.reset(); // before the network access manager it uses
}

void AppCore::resumeWork()
{
    m_engine->resume();
    m_engine->recheckUnfinished();
}

Result<Account> AppCore::resolveAccount(const QString &nameOrId)
{
    if (nameOrId.isEmpty())
        return m_store->defaultAccount();
    const auto found = m_store->accountByName(nameOrId);
    if (!found)
        return found.error();
    if (!found->has_value())
        return Error::make(
            Error::Kind::InvalidRequest,
            QCoreApplication::translate("AppCore", "account: there is no account \"%1\"").arg(nameOrId));
    return **found;
}

} // namespace tessera
