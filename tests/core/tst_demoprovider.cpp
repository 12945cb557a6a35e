// The offline demo family: the adapter as a pure translator, and the backend as a server whose jobs
// survive a restart and whose pictures are deterministic per prompt and seed.
#include "providers/demo/demoadapter.h"
#include "providers/demo/demobackend.h"
#include "storage/imagearchive.h"
#include "tasks/clock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tessera;
using namespace tessera::demo;

namespace {

QJsonObject body(const HttpResponse &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

QByteArray fetch(DemoBackend &backend, const QString &url)
{
    TransportReply *reply = backend.download(QUrl(url), Account::demo(), 64 * 1024 * 1024);
    QSignalSpy done(reply, &TransportReply::finished);
    if (!done.wait(20000))
        return {};
    const QByteArray bytes = reply->result() ? reply->result()->body : QByteArray();
    delete reply;
    return bytes;
}

} // namespace

class TstDemoProvider : public QObject
{
    Q_OBJECT
private slots:
    void validation_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QString>("field");
        Operation ok = Operation::imagine(QStringLiteral("fox"));
        ok.aspectRatio = QStringLiteral("16:9");
        ok.version = QStringLiteral("niji6");
        ok.speed = QStringLiteral("turbo");
        ok.chaos = 100;
        ok.stylize = 0;
        ok.weird = 3000;
        QTest::newRow("all valid") << ok << QString();
        Operation ar = Operation::imagine(QStringLiteral("fox"));
        ar.aspectRatio = QStringLiteral("5:4");
        QTest::newRow("aspect") << ar << QStringLiteral("aspect ratio");
        Operation v = Operation::imagine(QStringLiteral("fox"));
        v.version = QStringLiteral("v7");
        QTest::newRow("version") << v << QStringLiteral("version");
        Operation chaos = Operation::imagine(QStringLiteral("fox"));
        chaos.chaos = 101;
        QTest::newRow("chaos") << chaos << QStringLiteral("chaos");
        Operation weird = Operation::imagine(QStringLiteral("fox"));
        weird.weird = -1;
        QTest::newRow("weird") << weird << QStringLiteral("weird");
        QTest::newRow("long prompt") << Operation::imagine(QString(2001, QLatin1Char('a')))
                                     << QStringLiteral("prompt");
        Operation refs = Operation::imagine(QStringLiteral("fox"));
        refs.type = GenerateType::Image;
        QTest::newRow("reference type") << refs << QStringLiteral("type");
    }
    void validation()
    {
        QFETCH(Operation, op);
        QFETCH(QString, field);
        const Status s = DemoAdapter().validate(op, Account::demo());
        if (field.isEmpty()) {
            QVERIFY(s.ok());
        } else {
            QVERIFY(!s.ok());
            QVERIFY2(s.error().message.startsWith(field), qPrintable(s.error().message));
        }
    }

    void submitBodiesOmitUnsetFields()
    {
        DemoAdapter adapter;
        Operation op = Operation::imagine(QStringLiteral("a red fox"));
        op.chaos = 0;
        op.seed = 77;
        SubmitContext context {Account::demo(), std::nullopt};
        const auto call = adapter.buildSubmit(op, context);
        QVERIFY(call.ok());
        QCOMPARE(call->method, QByteArray("POST"));
        QCOMPARE(call->path, QStringLiteral("/demo/tasks"));
        QCOMPARE(call->purpose, HttpCall::Purpose::Submit);
        const QJsonObject expected {{QStringLiteral("action"), QStringLiteral("imagine")},
                                    {QStringLiteral("prompt"), QStringLiteral("a red fox")},
                                    {QStringLiteral("chaos"), 0},
                                    {QStringLiteral("seed"), QStringLiteral("77")}};
        QCOMPARE(call->body->object(), expected);

        Task parent;
        parent.remoteId = QStringLiteral("demo-0123456789abcdef");
        context.parent = parent;
        const auto upscale
            = adapter.buildSubmit(Operation::action(OperationKind::Upscale, QStringLiteral("p"), 4), context);
        QCOMPARE(upscale->body->object(),
                 (QJsonObject {{QStringLiteral("action"), QStringLiteral("upscale")},
                               {QStringLiteral("parent"), parent.remoteId},
                               {QStringLiteral("index"), 4}}));
    }

    void statusAnswersTranslate()
    {
        DemoAdapter adapter;
        auto snap = adapter.parseStatus(HttpResponse::json(
            200, {{QStringLiteral("status"), QStringLiteral("running")}, {QStringLiteral("progress"), 42}}));
        QCOMPARE(snap->state, TaskState::Running);
        QCOMPARE(snap->progress, std::optional<int>(42));
        snap = adapter.parseStatus(HttpResponse::json(
            200,
            {{QStringLiteral("status"), QStringLiteral("succeeded")},
             {QStringLiteral("images"),
              QJsonArray {
                  QJsonObject {{QStringLiteral("role"), QStringLiteral("grid")},
                               {QStringLiteral("url"), QStringLiteral("demo://render/x/grid.png")}}}}}));
        QCOMPARE(snap->state, TaskState::Succeeded);
        QCOMPARE(snap->results.size(), 1);
        QCOMPARE(snap->results[0].role, ImageRole::Grid);
        const auto missing = adapter.parseStatus(HttpResponse::json(
            404, {{QStringLiteral("error"), QStringLiteral("The demo server has no task \"x\"")}}));
        QCOMPARE(missing.error().kind, Error::Kind::NotFound);
        QCOMPARE(missing.error().message, QStringLiteral("The demo server has no task \"x\""));
        HttpResponse garbage;
        garbage.status = 200;
        garbage.body = "<html>";
        QCOMPARE(adapter.parseStatus(garbage).error().kind, Error::Kind::BadResponse);
    }

    void availabilityExplainsWhy()
    {
        DemoAdapter adapter;
        Task grid;
        grid.state = TaskState::Succeeded;
        for (int i = 1; i <= 4; ++i)
            grid.images.append(ImageRef {ImageRole::Tile, i, {}, {}, 0, {}, {}, ImageState::Downloaded, {}});
        QVERIFY(adapter
                    .availability(Operation::action(OperationKind::Upscale, QStringLiteral("g"), 2), &grid,
                                  Account::demo())
                    .enabled);
        Task single;
        single.state = TaskState::Succeeded;
        single.images.append(ImageRef {ImageRole::Upscale, 0, {}, {}, 0, {}, {}, ImageState::Downloaded, {}});
        const Availability no = adapter.availability(
            Operation::action(OperationKind::Upscale, QStringLiteral("u"), 1), &single, Account::demo());
        QVERIFY(!no.enabled);
        QVERIFY(!no.reason.isEmpty());
        Operation pan = Operation::action(OperationKind::Pan, QStringLiteral("u"), 0);
        pan.direction = QStringLiteral("left");
        QVERIFY(adapter.availability(pan, &single, Account::demo())
                    .reason.contains(QStringLiteral("real provider")));
    }

    void jobsProgressOverTimeAndSurviveARestart()
    {
        QTemporaryDir dir;
        ManualClock clock;
        Account demo = Account::demo();
        demo.options.insert(QStringLiteral("duration"), QStringLiteral("10"));
        DemoBackend backend(dir.path(), clock);
        backend.setTileLongSide(32);
        const HttpResponse created
            = backend.handle(HttpCall::post(QStringLiteral("/demo/tasks"),
                                            {{QStringLiteral("action"), QStringLiteral("imagine")},
                                             {QStringLiteral("prompt"), QStringLiteral("fox")},
                                             {QStringLiteral("seed"), QStringLiteral("5")}}),
                             demo);
        QCOMPARE(created.status, 200);
        const QString id = body(created).value(QStringLiteral("id")).toString();
        const HttpCall status = HttpCall::get(QStringLiteral("/demo/tasks/") + id);
        QCOMPARE(body(backend.handle(status, demo)).value(QStringLiteral("status")).toString(),
                 QStringLiteral("queued"));
        clock.advance(5000);
        const QJsonObject mid = body(backend.handle(status, demo));
        QCOMPARE(mid.value(QStringLiteral("status")).toString(), QStringLiteral("running"));
        QVERIFY(mid.value(QStringLiteral("progress")).toInt() > 30
                && mid.value(QStringLiteral("progress")).toInt() < 70);

        // A new backend over the same folder (Tessera restarted) knows the job and finishes it.
        DemoBackend restarted(dir.path(), clock);
        restarted.setTileLongSide(32);
        clock.advance(5000);
        const QJsonObject done = body(restarted.handle(status, demo));
        QCOMPARE(done.value(QStringLiteral("status")).toString(), QStringLiteral("succeeded"));
        const QString url = done.value(QStringLiteral("images"))
                                .toArray()
                                .first()
                                .toObject()
                                .value(QStringLiteral("url"))
                                .toString();
        const QByteArray a = fetch(backend, url);
        const QByteArray b = fetch(restarted, url);
        QVERIFY(!a.isEmpty());
        QCOMPARE(a, b);
        const auto image = ImageArchive::decode(a, 64);
        QVERIFY(image.ok());
        QCOMPARE(image->size(), QSize(64, 64)); // 2×2 tiles of 32

        // Cancelling a finished job is refused; unknown ids are 404s; ids cannot name other files.
        QCOMPARE(
            backend.handle(HttpCall::post(QStringLiteral("/demo/tasks/%1/cancel").arg(id), {}), demo).status,
            409);
        QCOMPARE(
            backend.handle(HttpCall::get(QStringLiteral("/demo/tasks/demo-ffffffffffffffff")), demo).status,
            404);
        QCOMPARE(backend.handle(HttpCall::get(QStringLiteral("/demo/tasks/..%2F..%2Fetc")), demo).status,
                 404);
    }

    void picturesAreDeterministicPerPromptAndSeed()
    {
        QTemporaryDir one;
        QTemporaryDir two;
        ManualClock clock;
        Account demo = Account::demo();
        demo.options.insert(QStringLiteral("duration"), QStringLiteral("0"));
        const auto render = [&](const QString &folder, const QString &prompt, const QString &seed) {
            DemoBackend backend(folder, clock);
            backend.setTileLongSide(24);
            const QString id
                = body(backend.handle(HttpCall::post(QStringLiteral("/demo/tasks"),
                                                     {{QStringLiteral("action"), QStringLiteral("imagine")},
                                                      {QStringLiteral("prompt"), prompt},
                                                      {QStringLiteral("seed"), seed}}),
                                      demo))
                      .value(QStringLiteral("id"))
                      .toString();
            clock.advance(10);
            return fetch(backend, QStringLiteral("demo://render/%1/grid.png").arg(id));
        };
        const QByteArray a = render(one.path(), QStringLiteral("a red fox"), QStringLiteral("1"));
        QCOMPARE(render(two.path(), QStringLiteral("a red fox"), QStringLiteral("1")), a);
        QVERIFY(render(two.path(), QStringLiteral("a red fox"), QStringLiteral("2")) != a);
        QVERIFY(render(two.path(), QStringLiteral("a blue whale"), QStringLiteral("1")) != a);
    }

    void actionsNeedAFinishedParent()
    {
        QTemporaryDir dir;
        ManualClock clock;
        DemoBackend backend(dir.path(), clock);
        const Account demo = Account::demo();
        const QString id
            = body(backend.handle(HttpCall::post(QStringLiteral("/demo/tasks"),
                                                 {{QStringLiteral("action"), QStringLiteral("imagine")},
                                                  {QStringLiteral("prompt"), QStringLiteral("x")}}),
                                  demo))
                  .value(QStringLiteral("id"))
                  .toString();
        const auto upscale = [&](int index) {
            return backend.handle(HttpCall::post(QStringLiteral("/demo/tasks"),
                                                 {{QStringLiteral("action"), QStringLiteral("upscale")},
                                                  {QStringLiteral("parent"), id},
                                                  {QStringLiteral("index"), index}}),
                                  demo);
        };
        QCOMPARE(upscale(1).status, 400); // still running
        clock.advance(60'000);
        QCOMPARE(upscale(5).status, 400);
        const HttpResponse ok = upscale(2);
        QCOMPARE(ok.status, 200);
        clock.advance(60'000);
        const QString up = body(ok).value(QStringLiteral("id")).toString();
        // U on an upscale is refused; V on it is allowed (varies the single image).
        const HttpResponse uu
            = backend.handle(HttpCall::post(QStringLiteral("/demo/tasks"),
                                            {{QStringLiteral("action"), QStringLiteral("upscale")},
                                             {QStringLiteral("parent"), up},
                                             {QStringLiteral("index"), 1}}),
                             demo);
        QCOMPARE(uu.status, 400);
        QVERIFY(body(uu).value(QStringLiteral("error")).toString().contains(QStringLiteral("single image")));
    }
};

QTEST_GUILESS_MAIN(TstDemoProvider)
#include "tst_demoprovider.moc"
