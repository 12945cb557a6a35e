#include "testenv.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QTest>

namespace tessera::test {

namespace {

class TestReply final : public TransportReply
{
public:
    using TransportReply::finish;
};

} // namespace

TransportReply *ScriptedTransport::send(const HttpCall &call, const Account &, const QString &apiKey)
{
    auto *reply = new TestReply;
    sent.append({call, reply, apiKey});
    const std::optional<Result<HttpResponse>> answer = handler ? handler(call) : std::nullopt;
    if (answer)
        reply->finish(*answer);
    return reply;
}

TransportReply *ScriptedTransport::download(const QUrl &url, const Account &, qint64)
{
    auto *reply = new TestReply;
    reply->finish(downloads ? downloads(url)
                            : Result<HttpResponse>(Error::make(
                                Error::Kind::NotFound, QStringLiteral("no downloads scripted"), 404)));
    return reply;
}

void ScriptedTransport::answer(TransportReply *reply, Result<HttpResponse> result)
{
    static_cast<TestReply *>(reply)->finish(std::move(result));
}

int ScriptedTransport::count(const QByteArray &method, const QString &pathPrefix) const
{
    int n = 0;
    for (const Sent &s : sent) {
        if (s.call.method == method && s.call.path.startsWith(pathPrefix))
            ++n;
    }
    return n;
}

TestEnv::TestEnv(bool manualClock)
    : paths(AppPaths::under(dir.path()))
    , clock(manualClock ? static_cast<Clock *>(&manual) : static_cast<Clock *>(&system))
{
    config.leaseMs = 30'000;
    archive = std::make_unique<ImageArchive>(paths.archiveDir);
    providers = ProviderRegistry::createDefault();
    demo = std::make_unique<demo::DemoBackend>(paths.demoStateDir, *clock);
    demo->setTileLongSide(48);
    restart();
}

TestEnv::~TestEnv()
{
    engine.reset();
    router.reset();
}

void TestEnv::restart(bool freshStore)
{
    engine.reset();
    if (freshStore || !store) {
        store.reset();
        auto opened = HistoryStore::open(paths.databasePath);
        if (!opened)
            qFatal("cannot open test history: %s", qPrintable(opened.error().message));
        store = std::move(*opened);
    }
    router = std::make_unique<TransportRouter>(m_override ? m_override : demo.get(), m_override);
    engine = std::make_unique<TaskEngine>(*store, *archive, *providers, *router, *clock, config);
}

void TestEnv::useTransport(Transport *transport)
{
    m_override = transport;
    restart(false);
}

bool TestEnv::runUntil(const std::function<bool()> &done, qint64 maxMs, qint64 stepMs)
{
    qint64 spent = 0;
    while (!done()) {
        if (spent >= maxMs)
            return false;
        // Let queued signals and pool results arrive, then move time on.
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QTest::qWait(1);
        if (done())
            return true;
        if (clock == &manual) {
            manual.advance(stepMs);
            spent += stepMs;
        } else {
            QTest::qWait(static_cast<int>(stepMs));
            spent += stepMs;
        }
    }
    return true;
}

Task TestEnv::task(const QString &id) const
{
    const auto found = store->task(id);
    if (!found || !found->has_value())
        return {};
    return **found;
}

QString TestEnv::imagineAndWait(const QString &prompt, qint64 seed)
{
    Operation op = Operation::imagine(prompt);
    op.seed = seed;
    const Result<QString> id = engine->submit(op, QString::fromLatin1(Account::kDemoId));
    if (!id)
        return {};
    runUntil([&] { return isTerminal(task(*id).state); });
    return *id;
}

} // namespace tessera::test
