// The offline demo family: the adapter as a pure translator, and the backend as a server whose jobs
// survive a restart and whose pictures are deterministic per prompt and seed.
#include "demo/demobackend.h"
#include "model/clock.h"
#include "providers/demo/demoadapter.h"
#include "storage/imagearchive.h"

#include <QBuffer>
#include <QImage>
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

ImageRef imageRef(ImageRole role, int index, QSize size = {})
{
    ImageRef ref;
    ref.role = role;
    ref.index = index;
    ref.size = size;
    ref.state = ImageState::Downloaded;
    return ref;
}

// A finished task as the engine stores it: a grid split into four tiles, or a single upscale.
Task finishedTask(const QString &remoteId, bool grid, QSize imageSize = {})
{
    Task task;
    task.remoteId = remoteId;
    task.state = TaskState::Succeeded;
    if (grid) {
        for (int i = 1; i <= 4; ++i)
            task.images.append(imageRef(ImageRole::Tile, i, imageSize));
    } else {
        task.images.append(imageRef(ImageRole::Upscale, 0, imageSize));
    }
    return task;
}

QByteArray png(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

// A black mask of `size` with `white` painted white (regenerate).
QByteArray maskPng(QSize size, const QRect &white)
{
    QImage mask(size, QImage::Format_Grayscale8);
    mask.fill(0);
    for (int y = white.top(); y <= white.bottom(); ++y)
        for (int x = white.left(); x <= white.right(); ++x)
            mask.scanLine(y)[x] = 255;
    return png(mask);
}

QImage decoded(const QByteArray &bytes)
{
    return QImage::fromData(bytes, "PNG").convertToFormat(QImage::Format_RGB32);
}

QImage tileOf(const QImage &grid, int index)
{
    const QSize size = grid.size() / 2;
    return grid.copy(QRect(QPoint((index - 1) % 2 * size.width(), (index - 1) / 2 * size.height()), size));
}

// The demo server with instant jobs, and the adapter that talks to it.
struct DemoServer
{
    explicit DemoServer(const QString &folder)
        : backend(folder, clock)
    {
        backend.setTileLongSide(32);
        account.options.insert(QStringLiteral("duration"), QStringLiteral("0"));
    }

    QString post(const QJsonObject &json)
    {
        const HttpResponse r = backend.handle(HttpCall::post(QStringLiteral("/demo/tasks"), json), account);
        clock.advance(10);
        return body(r).value(QStringLiteral("id")).toString();
    }
    QString imagine(const QString &prompt, const QString &seed)
    {
        return post({{QStringLiteral("action"), QStringLiteral("imagine")},
                     {QStringLiteral("prompt"), prompt},
                     {QStringLiteral("seed"), seed}});
    }
    QString upscale(const QString &parent, int index)
    {
        return post({{QStringLiteral("action"), QStringLiteral("upscale")},
                     {QStringLiteral("parent"), parent},
                     {QStringLiteral("index"), index}});
    }
    // Vary region through the adapter's own submit body, as the engine sends it.
    HttpResponse varyRegion(const Task &parent, int tile, const QByteArray &mask, const QString &prompt = {},
                            qint64 seed = 9)
    {
        Operation op = Operation::action(OperationKind::Inpaint, QStringLiteral("p"), tile);
        op.mask = mask;
        op.prompt = prompt;
        op.seed = seed;
        const Result<HttpCall> call = DemoAdapter().buildSubmit(op, SubmitContext {account, parent});
        if (!call)
            return HttpResponse::json(400, {{QStringLiteral("error"), call.error().message}});
        const HttpResponse r = backend.handle(*call, account);
        clock.advance(10);
        return r;
    }
    QImage image(const QString &id, bool grid = true)
    {
        return decoded(fetch(backend,
                             QStringLiteral("demo://render/%1/%2.png")
                                 .arg(id, grid ? QStringLiteral("grid") : QStringLiteral("image"))));
    }

    ManualClock clock;
    DemoBackend backend;
    Account account = Account::demo();
};

// Counts the pixels of `result` that differ from `source`, inside and outside `region`.
struct Difference
{
    int inside = 0;
    int outside = 0;
};

Difference compare(const QImage &result, const QImage &source, const QRect &region)
{
    Difference d;
    for (int y = 0; y < source.height(); ++y) {
        for (int x = 0; x < source.width(); ++x) {
            if (result.pixel(x, y) == source.pixel(x, y))
                continue;
            ++(region.contains(x, y) ? d.inside : d.outside);
        }
    }
    return d;
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
            grid.images.append(imageRef(ImageRole::Tile, i));
        QVERIFY(adapter
                    .availability(Operation::action(OperationKind::Upscale, QStringLiteral("g"), 2), &grid,
                                  Account::demo())
                    .enabled);
        Task single;
        single.state = TaskState::Succeeded;
        single.images.append(imageRef(ImageRole::Upscale, 0));
        const Availability no = adapter.availability(
            Operation::action(OperationKind::Upscale, QStringLiteral("u"), 1), &single, Account::demo());
        QVERIFY(!no.enabled);
        QVERIFY(!no.reason.isEmpty());
        // Issue 14: pan, zoom out and vary (subtle, strong) on an upscale are the demo's too.
        Operation pan = Operation::action(OperationKind::Pan, QStringLiteral("u"), 0);
        pan.direction = QStringLiteral("left");
        QVERIFY(adapter.availability(pan, &single, Account::demo()).enabled);
        Operation subtle = Operation::action(OperationKind::Vary, QStringLiteral("u"), 0);
        subtle.variant = QStringLiteral("subtle");
        QVERIFY(adapter.availability(subtle, &single, Account::demo()).enabled);
        Operation twice = Operation::action(OperationKind::Upscale, QStringLiteral("g"), 2);
        twice.variant = QStringLiteral("2x");
        QVERIFY(!adapter.availability(twice, &grid, Account::demo()).enabled);
        // What it does not do says so and names what it does.
        const Operation seed = Operation::action(OperationKind::Seed, QStringLiteral("g"), 0);
        QVERIFY(adapter.availability(seed, &grid, Account::demo()).enabled);
        const Operation animate = Operation::action(OperationKind::Animate, QStringLiteral("g"), 1);
        QVERIFY(adapter.availability(animate, &grid, Account::demo())
                    .reason.contains(QStringLiteral("real provider")));
        QVERIFY(adapter.availability(animate, &grid, Account::demo())
                    .reason.contains(QStringLiteral("vary region")));
    }

    void varyRegionAvailability_data()
    {
        QTest::addColumn<bool>("grid");
        QTest::addColumn<bool>("finished");
        QTest::addColumn<int>("tile");
        QTest::addColumn<QString>("variant");
        QTest::addColumn<QString>("reason"); // empty = available
        QTest::newRow("grid tile") << true << true << 3 << QString() << QString();
        QTest::newRow("grid without tile") << true << true << 0 << QString() << QStringLiteral("1-4");
        QTest::newRow("upscale") << false << true << 0 << QString() << QString();
        QTest::newRow("upscale with tile")
            << false << true << 2 << QString() << QStringLiteral("single image");
        QTest::newRow("not finished") << true << false << 1 << QString() << QStringLiteral("not finished");
        QTest::newRow("variant") << true << true << 1 << QStringLiteral("strong")
                                 << QStringLiteral("variant");
    }
    void varyRegionAvailability()
    {
        QFETCH(bool, grid);
        QFETCH(bool, finished);
        QFETCH(int, tile);
        QFETCH(QString, variant);
        QFETCH(QString, reason);
        Task parent = finishedTask(QStringLiteral("demo-0123456789abcdef"), grid);
        if (!finished)
            parent.state = TaskState::Running;
        Operation op = Operation::action(OperationKind::Inpaint, QStringLiteral("p"), tile);
        op.variant = variant;
        DemoAdapter adapter;
        QVERIFY(adapter.capabilities(Account::demo()).supports(OperationKind::Inpaint));
        const Availability a = adapter.availability(op, &parent, Account::demo());
        QCOMPARE(a.enabled, reason.isEmpty());
        QVERIFY2(a.reason.contains(reason), qPrintable(a.reason));
    }

    void varyRegionValidation_data()
    {
        QTest::addColumn<QByteArray>("mask");
        QTest::addColumn<QString>("message"); // empty = valid
        QTest::newRow("valid") << maskPng(QSize(40, 30), QRect(5, 5, 10, 10)) << QString();
        QTest::newRow("no mask") << QByteArray() << QStringLiteral("mask: paint the region");
        QTest::newRow("not an image")
            << QByteArray("GIF89a, or so it says") << QStringLiteral("mask: not a readable");
        QTest::newRow("all black") << maskPng(QSize(40, 30), QRect())
                                   << QStringLiteral("mask: no white pixel");
    }
    void varyRegionValidation()
    {
        QFETCH(QByteArray, mask);
        QFETCH(QString, message);
        Operation op = Operation::action(OperationKind::Inpaint, QStringLiteral("p"), 1);
        op.mask = mask;
        const Status s = DemoAdapter().validate(op, Account::demo());
        QCOMPARE(s.ok(), message.isEmpty());
        if (!s.ok()) {
            QCOMPARE(s.error().kind, Error::Kind::InvalidRequest);
            QVERIFY2(s.error().message.startsWith(message), qPrintable(s.error().message));
        }
    }

    void varyRegionSubmitBodyCarriesTheFittedMask()
    {
        DemoAdapter adapter;
        Operation op = Operation::action(OperationKind::Inpaint, QStringLiteral("p"), 2);
        op.mask = maskPng(QSize(200, 100), QRect(0, 0, 100, 100)); // any size: fitted to the tile
        op.prompt = QStringLiteral("  a red balloon ");
        const Task grid = finishedTask(QStringLiteral("demo-0123456789abcdef"), true, QSize(64, 32));
        const auto call = adapter.buildSubmit(op, SubmitContext {Account::demo(), grid});
        QVERIFY(call.ok());
        QCOMPARE(call->path, QStringLiteral("/demo/tasks"));
        const QJsonObject sent = call->body->object();
        QCOMPARE(sent.value(QStringLiteral("action")).toString(), QStringLiteral("inpaint"));
        QCOMPARE(sent.value(QStringLiteral("parent")).toString(), grid.remoteId);
        QCOMPARE(sent.value(QStringLiteral("index")).toInt(), 2);
        QCOMPARE(sent.value(QStringLiteral("prompt")).toString(), QStringLiteral("a red balloon"));
        const QByteArray mask
            = QByteArray::fromBase64(sent.value(QStringLiteral("mask")).toString().toLatin1());
        const QImage image = QImage::fromData(mask, "PNG");
        QCOMPARE(image.size(), QSize(64, 32));
        QCOMPARE(image.format(), QImage::Format_Grayscale8);
        QCOMPARE(qGray(image.pixel(10, 10)), 255);
        QCOMPARE(qGray(image.pixel(40, 10)), 0);

        // On an upscale: no index, no prompt when none was given; an unknown size keeps the mask's.
        op.tile = 0;
        op.prompt.clear();
        const auto single = adapter.buildSubmit(
            op,
            SubmitContext {Account::demo(), finishedTask(QStringLiteral("demo-00000000000000aa"), false)});
        QVERIFY(single.ok());
        QVERIFY(!single->body->object().contains(QStringLiteral("index")));
        QVERIFY(!single->body->object().contains(QStringLiteral("prompt")));
        QCOMPARE(
            QImage::fromData(QByteArray::fromBase64(
                                 single->body->object().value(QStringLiteral("mask")).toString().toLatin1()))
                .size(),
            QSize(200, 100));

        op.mask = maskPng(QSize(8, 8), QRect());
        QVERIFY(adapter.buildSubmit(op, SubmitContext {Account::demo(), grid})
                    .error()
                    .message.startsWith(QStringLiteral("mask:")));
    }

    void varyRegionReplacesOnlyTheMaskedPixels()
    {
        QTemporaryDir dir;
        DemoServer server(dir.path());
        const QString parent = server.imagine(QStringLiteral("a red fox"), QStringLiteral("1"));
        const QImage source = server.image(parent);
        QCOMPARE(source.size(), QSize(64, 64));
        const QRect region(8, 4, 16, 20);
        const Task grid = finishedTask(parent, true, QSize(32, 32));
        const HttpResponse submitted = server.varyRegion(grid, 3, maskPng(QSize(32, 32), region));
        QCOMPARE(submitted.status, 200);
        const QString id = body(submitted).value(QStringLiteral("id")).toString();
        const QJsonObject done
            = body(server.backend.handle(HttpCall::get(QStringLiteral("/demo/tasks/") + id), server.account));
        QCOMPARE(done.value(QStringLiteral("status")).toString(), QStringLiteral("succeeded"));
        QCOMPARE(
            done.value(QStringLiteral("images")).toArray().first().toObject().value(QStringLiteral("role")),
            QJsonValue(QStringLiteral("grid")));

        const QImage result = server.image(id);
        QCOMPARE(result.size(), QSize(64, 64));
        const QImage tile3 = tileOf(source, 3);
        QList<QImage> tiles;
        for (int i = 1; i <= 4; ++i) {
            tiles.append(tileOf(result, i));
            const Difference d = compare(tiles.last(), tile3, region);
            QCOMPARE(d.outside, 0); // exactly the source outside the mask
            QVERIFY2(d.inside > region.width() * region.height() * 3 / 4,
                     qPrintable(QStringLiteral("tile %1: %2 pixels changed").arg(i).arg(d.inside)));
        }
        QVERIFY(tiles[0] != tiles[1] && tiles[1] != tiles[2] && tiles[2] != tiles[3]); // four new regions

        // The region's prompt seeds the new content.
        const QString prompted
            = body(server.varyRegion(grid, 3, maskPng(QSize(32, 32), region), QStringLiteral("neon city")))
                  .value(QStringLiteral("id"))
                  .toString();
        const QImage withPrompt = server.image(prompted);
        QCOMPARE(compare(tileOf(withPrompt, 1), tile3, region).outside, 0);
        QVERIFY(withPrompt != result);

        // The mask reached the server only through the submit body; bad masks are refused there too.
        const auto refused = server.backend.handle(
            HttpCall::post(
                QStringLiteral("/demo/tasks"),
                {{QStringLiteral("action"), QStringLiteral("inpaint")},
                 {QStringLiteral("parent"), parent},
                 {QStringLiteral("index"), 1},
                 {QStringLiteral("mask"), QString::fromLatin1(maskPng(QSize(4, 4), QRect()).toBase64())}}),
            server.account);
        QCOMPARE(refused.status, 400);
        QVERIFY(body(refused).value(QStringLiteral("error")).toString().startsWith(QStringLiteral("mask:")));
        const auto missing
            = server.backend.handle(HttpCall::post(QStringLiteral("/demo/tasks"),
                                                   {{QStringLiteral("action"), QStringLiteral("inpaint")},
                                                    {QStringLiteral("parent"), parent},
                                                    {QStringLiteral("index"), 1}}),
                                    server.account);
        QCOMPARE(missing.status, 400);
    }

    void varyRegionIsDeterministicAndSurvivesARestart()
    {
        QTemporaryDir one;
        QTemporaryDir two;
        const QByteArray mask = maskPng(QSize(32, 32), QRect(0, 16, 32, 16));
        const auto run = [&](const QString &folder, const QString &prompt, QString *id) {
            DemoServer server(folder);
            const QString parent = server.imagine(QStringLiteral("misty forest"), QStringLiteral("4"));
            *id = body(server.varyRegion(finishedTask(parent, true, QSize(32, 32)), 1, mask, prompt))
                      .value(QStringLiteral("id"))
                      .toString();
            return fetch(server.backend, QStringLiteral("demo://render/%1/grid.png").arg(*id));
        };
        QString id;
        const QByteArray a = run(one.path(), QStringLiteral("gold"), &id);
        QVERIFY(!a.isEmpty());
        QString other;
        QCOMPARE(run(two.path(), QStringLiteral("gold"), &other), a);
        QVERIFY(run(two.path(), QStringLiteral("blue"), &other) != a);
        // A restarted server re-renders the job from its record, mask included.
        DemoServer restarted(one.path());
        QCOMPARE(fetch(restarted.backend, QStringLiteral("demo://render/%1/grid.png").arg(id)), a);
    }

    void varyRegionScalesAMaskOfAnotherSize()
    {
        QTemporaryDir dir;
        DemoServer server(dir.path());
        const QString parent = server.imagine(QStringLiteral("ocean at dawn"), QStringLiteral("2"));
        const QImage source = tileOf(server.image(parent), 2);
        // The parent's size is unknown to the adapter, so the 4× mask reaches the server as it is.
        const Task grid = finishedTask(parent, true);
        for (const QSize maskSize : {QSize(128, 128), QSize(8, 8)}) {
            const int f = maskSize.width();
            const QRect painted(f / 4, 0, f / 2, f / 4); // a quarter-high band in the middle
            const QString id = body(server.varyRegion(grid, 2, maskPng(maskSize, painted)))
                                   .value(QStringLiteral("id"))
                                   .toString();
            const QImage result = server.image(id);
            QCOMPARE(result.size(), QSize(64, 64));
            const QRect region(8, 0, 16, 8); // the band at the tile's 32 pixels
            const Difference d = compare(tileOf(result, 1), source, region);
            QCOMPARE(d.outside, 0);
            QVERIFY(d.inside > region.width() * region.height() * 3 / 4);
        }
    }

    void varyRegionOnAnUpscaleAndUpscaledAgain()
    {
        QTemporaryDir dir;
        DemoServer server(dir.path());
        const QString parent = server.imagine(QStringLiteral("a desert canyon"), QStringLiteral("3"));
        const QImage grid = server.image(parent);
        const QString up = server.upscale(parent, 2);
        const QImage upscaled = server.image(up, false);
        QCOMPARE(upscaled.size(), QSize(64, 64));

        // Painted on the 64-pixel upscale; the result is a grid of 32-pixel tiles of the same picture.
        const QRect painted(0, 0, 32, 64);
        const HttpResponse r
            = server.varyRegion(finishedTask(up, false, upscaled.size()), 0, maskPng(QSize(64, 64), painted));
        QCOMPARE(r.status, 200);
        const QString inpainted = body(r).value(QStringLiteral("id")).toString();
        const QImage result = server.image(inpainted);
        QCOMPARE(result.size(), QSize(64, 64));
        const QRect region(0, 0, 16, 32);
        const Difference d = compare(tileOf(result, 4), tileOf(grid, 2), region);
        QCOMPARE(d.outside, 0);
        QVERIFY(d.inside > region.width() * region.height() * 3 / 4);

        // Upscaling a varied tile keeps the picture: outside the region it is the first upscale.
        const QString again = server.upscale(inpainted, 4);
        const QImage twice = server.image(again, false);
        QCOMPARE(twice.size(), QSize(64, 64));
        const Difference u = compare(twice, upscaled, painted);
        QCOMPARE(u.outside, 0);
        QVERIFY(u.inside > painted.width() * painted.height() * 3 / 4);
    }

    // Issue 14: the demo pans and zooms out. A pan is half as wide (or tall) again, the picture it came
    // from reappearing on the side it left; a zoom out keeps the aspect with the picture in the middle.
    void panAndZoomShowThePictureWider()
    {
        QTemporaryDir dir;
        DemoServer server(dir.path());
        const QString parent = server.imagine(QStringLiteral("a harbour at dusk"), QStringLiteral("5"));
        const QString up = server.upscale(parent, 2);
        const QImage upscaled = server.image(up, false);
        QCOMPARE(upscaled.size(), QSize(64, 64));
        const Task source = finishedTask(up, false, upscaled.size());
        const auto act = [&](Operation op) {
            op.parentTaskId = QStringLiteral("p");
            op.seed = 4;
            if (!DemoAdapter().availability(op, &source, server.account).enabled)
                return QStringLiteral("not available");
            const Result<HttpCall> call
                = DemoAdapter().buildSubmit(op, SubmitContext {server.account, source});
            if (!call)
                return QString();
            const HttpResponse r = server.backend.handle(*call, server.account);
            server.clock.advance(10);
            return r.status == 200 ? body(r).value(QStringLiteral("id")).toString() : QString();
        };
        // How far apart two pictures are: the mean difference of their grey levels, both at 16 × 16.
        const auto distance = [](const QImage &a, const QImage &b) {
            const QImage x = a.scaled(16, 16, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                                 .convertToFormat(QImage::Format_Grayscale8);
            const QImage y = b.scaled(16, 16, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                                 .convertToFormat(QImage::Format_Grayscale8);
            double sum = 0;
            for (int row = 0; row < 16; ++row)
                for (int col = 0; col < 16; ++col)
                    sum += std::abs(int(x.constScanLine(row)[col]) - int(y.constScanLine(row)[col]));
            return sum / 256.0;
        };

        Operation pan;
        pan.kind = OperationKind::Pan;
        pan.direction = QStringLiteral("left");
        const QString left = act(pan);
        QVERIFY2(!left.isEmpty() && left.startsWith(QStringLiteral("demo-")), qPrintable(left));
        const QImage panned = tileOf(server.image(left), 1);
        QCOMPARE(panned.size(), QSize(32, 21)); // 3:2 from 1:1
        const QImage kept
            = panned.copy(QRect(panned.width() / 3, 0, panned.width() - panned.width() / 3, panned.height()));
        const QImage added = panned.copy(QRect(0, 0, panned.width() / 3, panned.height()));
        qInfo() << "pan kept" << distance(kept, upscaled) << "added" << distance(added, upscaled);
        QVERIFY(distance(kept, upscaled) < 12);

        pan.direction = QStringLiteral("up");
        const QString upward = act(pan);
        QVERIFY2(upward.startsWith(QStringLiteral("demo-")), qPrintable(upward));
        QCOMPARE(tileOf(server.image(upward), 1).size(), QSize(21, 32)); // 2:3

        Operation zoom;
        zoom.kind = OperationKind::Zoom;
        zoom.zoomFactor = QStringLiteral("2");
        const QString out = act(zoom);
        QVERIFY2(out.startsWith(QStringLiteral("demo-")), qPrintable(out));
        const QImage zoomed = tileOf(server.image(out), 3);
        QCOMPARE(zoomed.size(), QSize(32, 32));
        const QImage middle = zoomed.copy(QRect(8, 8, 16, 16));
        qInfo() << "zoom middle" << distance(middle, upscaled);
        QVERIFY(distance(middle, upscaled) < 12);

        // A factor the demo does not take is refused before anything is sent.
        zoom.zoomFactor = QStringLiteral("3");
        QVERIFY(!DemoAdapter().availability(zoom, &source, server.account).enabled);
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
