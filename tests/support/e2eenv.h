#pragma once

#include "fakehttpserver.h"
#include "model/clock.h"
#include "net/httpclient.h"
#include "providers/providerregistry.h"
#include "scaledclock.h"
#include "secrets/secretstore.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"
#include "storage/paths.h"
#include "tasks/taskengine.h"

#include <QColor>
#include <QNetworkAccessManager>
#include <QTemporaryDir>

#include <memory>

namespace tessera::test {

// End-to-end rig for one real family: the product's provider registry, HttpClient and TaskEngine (real
// time, short poll timings and back-offs) talking to a FakeHttpServer on 127.0.0.1 that the test scripts
// to speak the family's protocol. The account "e2e" of `family` points at the server; its key is
// kKey (in a MemorySecretStore).
class E2EEnv
{
public:
    static constexpr const char *kKey = "sk-e2e-4242";

    explicit E2EEnv(const QString &family, const QJsonObject &options = {});
    ~E2EEnv();

    QTemporaryDir dir;
    AppPaths paths;
    // Real time; kolersky's tests run it faster (the vendor's 5 s between checks is never shortened).
    ScaledClock clock;
    FakeHttpServer server;
    std::unique_ptr<HistoryStore> store;
    std::unique_ptr<ImageArchive> archive;
    std::unique_ptr<ProviderRegistry> providers;
    QNetworkAccessManager network;
    std::unique_ptr<HttpClient> http;
    MemorySecretStore secrets;
    std::unique_ptr<TaskEngine> engine;
    Account account;

    // A new engine over the same history, as after a restart of the app (the old one's tasks stay as
    // stored; resume() or check() takes them over).
    void restartEngine();

    // Submits on the e2e account; the error message when refused (the test prints it).
    Result<QString> submit(const Operation &op);
    // Waits (spinning the event loop, real time) until the task is terminal; returns it as stored.
    Task runToEnd(const QString &taskId, int timeoutMs = 20'000);
    Task task(const QString &taskId) const;
    // Submit + runToEnd; an empty Task (id empty) when the submit was refused.
    Task run(const Operation &op, int timeoutMs = 20'000);

    // A URL on the fake server, for result files: "http://127.0.0.1:<port>/files/<name>".
    QString fileUrl(const QString &name) const;
    // Serves `bytes` at fileUrl(name).
    void serveFile(const QString &name, const QByteArray &bytes, const QByteArray &contentType = "image/png");

    // A PNG of `size` filled with `color` (with a darker border, so that grid tiles differ).
    static QByteArray png(QSize size, QColor color = QColor(40, 120, 200));
    // A mask PNG: white rectangle `rect` on black, of `size`.
    static QByteArray maskPng(QSize size, QRect rect);
    // The absolute path of a stored image.
    QString pathOf(const ImageRef &image) const;
};

} // namespace tessera::test
