#pragma once

#include "demo/demobackend.h"
#include "model/clock.h"
#include "net/transport.h"
#include "providers/providerregistry.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"
#include "storage/paths.h"
#include "tasks/taskengine.h"

#include <QList>
#include <QTemporaryDir>

#include <functional>
#include <memory>

namespace tessera::test {

// A transport whose answers the test scripts: every call is recorded; `handler` answers it (return
// std::nullopt to leave the request hanging until the test finishes it or aborts it).
class ScriptedTransport final : public Transport
{
public:
    using Handler = std::function<std::optional<Result<HttpResponse>>(const HttpCall &call)>;

    struct Sent
    {
        HttpCall call;
        QPointer<TransportReply> reply;
        QString apiKey;
    };

    Handler handler;
    std::function<Result<HttpResponse>(const QUrl &url)> downloads;
    QList<Sent> sent;

    TransportReply *send(const HttpCall &call, const Account &account, const QString &apiKey) override;
    TransportReply *download(const QUrl &url, const Account &account, qint64 maxBytes) override;
    // Finishes a hanging request.
    static void answer(TransportReply *reply, Result<HttpResponse> result);
    int count(const QByteArray &method, const QString &pathPrefix) const;
};

// A whole Tessera core over a temporary folder: store, archive, demo backend, engine. `restart()`
// builds a new engine (and store) over the same files, like a second run of the application.
class TestEnv
{
public:
    explicit TestEnv(bool manualClock = true);
    ~TestEnv();

    QTemporaryDir dir;
    AppPaths paths;
    ManualClock manual;
    SystemClock system;
    Clock *clock;
    std::unique_ptr<HistoryStore> store;
    std::unique_ptr<ImageArchive> archive;
    std::unique_ptr<ProviderRegistry> providers;
    std::unique_ptr<demo::DemoBackend> demo;
    std::unique_ptr<TransportRouter> router;
    TaskEngine::Config config;
    std::unique_ptr<TaskEngine> engine;

    // Creates (or re-creates) the engine; with `freshStore` also re-opens the database.
    void restart(bool freshStore = true);
    // Uses `transport` instead of the demo backend for every account (engine rebuilt).
    void useTransport(Transport *transport);

    // Advances the manual clock in steps, spinning the event loop, until `done` or `maxMs` passed.
    bool runUntil(const std::function<bool()> &done, qint64 maxMs = 120'000, qint64 stepMs = 50);

    Task task(const QString &id) const; // from the store; QFAIL-style empty Task when absent
    // An imagine on the demo account run to its end.
    QString imagineAndWait(const QString &prompt, qint64 seed = 42);

private:
    Transport *m_override = nullptr;
};

} // namespace tessera::test
