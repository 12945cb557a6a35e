// MjproxyAdapter's actions (PROVIDERS.md §4): every button a result carries and the customId sent for it,
// what a parent does not offer (and why the Gallery says so), the modal flow (code 21, /submit/modal) with
// its prompt fallbacks and the mask fitted to the upscale. Requests and validation are in
// tst_mjproxyadapter, answers in tst_mjproxyadapter_answers.

#include "mjproxyadapter_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

class TestMjproxyAdapterButtons : public QObject
{
    Q_OBJECT

private slots:
    void buttons_data();
    void buttons();
    void actionBodyMatchesTheVendorExample();
    void missingButtons_data();
    void missingButtons();
    void availability_data();
    void availability();
    void offeredOnGridTiles_data();
    void offeredOnGridTiles();
    void needsSingleImage_data();
    void needsSingleImage();
    void modalFlow();
    void modalPromptFallbacks();
    void inpaintModalCarriesTheFittedMask();
};

void TestMjproxyAdapterButtons::buttons_data()
{
    QTest::addColumn<QString>("parentFixture");
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("customId");

    const QString grid = QStringLiteral("task-imagine-success.json");
    const QString gridHash = QStringLiteral("26d56b92-4ed6-45e2-8561-563797923135");
    for (int tile = 1; tile <= 4; ++tile) {
        QTest::addRow("U%d", tile) << grid << act(OperationKind::Upscale, tile)
                                   << QStringLiteral("MJ::JOB::upsample::%1::%2").arg(tile).arg(gridHash);
        QTest::addRow("V%d", tile) << grid << act(OperationKind::Vary, tile)
                                   << QStringLiteral("MJ::JOB::variation::%1::%2").arg(tile).arg(gridHash);
    }
    QTest::newRow("reroll") << grid << act(OperationKind::Reroll)
                            << QStringLiteral("MJ::JOB::reroll::0::%1::SOLO").arg(gridHash);
    QTest::newRow("reroll with a tile selected")
        << grid << act(OperationKind::Reroll, 3)
        << QStringLiteral("MJ::JOB::reroll::0::%1::SOLO").arg(gridHash);

    const QString v7 = QStringLiteral("task-upscale-v7.json");
    const auto solo = [](const QString &name) {
        return QStringLiteral("MJ::JOB::%1::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO").arg(name);
    };
    QTest::newRow("v7 upscale subtle") << v7 << act(OperationKind::Upscale, 0, QStringLiteral("subtle"))
                                       << solo(QStringLiteral("upsample_v7_2x_subtle"));
    QTest::newRow("v7 upscale creative") << v7 << act(OperationKind::Upscale, 0, QStringLiteral("creative"))
                                         << solo(QStringLiteral("upsample_v7_2x_creative"));
    QTest::newRow("vary subtle") << v7 << act(OperationKind::Vary, 0, QStringLiteral("subtle"))
                                 << solo(QStringLiteral("low_variation"));
    QTest::newRow("vary strong") << v7 << act(OperationKind::Vary, 0, QStringLiteral("strong"))
                                 << solo(QStringLiteral("high_variation"));
    QTest::newRow("vary region") << v7 << inpaint()
                                 << QStringLiteral(
                                        "MJ::Inpaint::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO");
    QTest::newRow("zoom 2x") << v7 << zoom(QStringLiteral("2"))
                             << QStringLiteral(
                                    "MJ::Outpaint::50::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO");
    QTest::newRow("zoom 2.0") << v7 << zoom(QStringLiteral("2.0"))
                              << QStringLiteral(
                                     "MJ::Outpaint::50::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO");
    QTest::newRow("zoom 1.5x") << v7 << zoom(QStringLiteral("1.5"))
                               << QStringLiteral(
                                      "MJ::Outpaint::75::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO");
    QTest::newRow("custom zoom 1.8") << v7 << zoom(QStringLiteral("1.8"))
                                     << QStringLiteral(
                                            "MJ::CustomZoom::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11");
    QTest::newRow("pan left") << v7 << pan(QStringLiteral("left")) << solo(QStringLiteral("pan_left"));
    QTest::newRow("pan right") << v7 << pan(QStringLiteral("right")) << solo(QStringLiteral("pan_right"));
    QTest::newRow("pan up") << v7 << pan(QStringLiteral("up")) << solo(QStringLiteral("pan_up"));
    QTest::newRow("pan down") << v7 << pan(QStringLiteral("down")) << solo(QStringLiteral("pan_down"));
    QTest::newRow("animate high") << v7 << animate(QStringLiteral("high"))
                                  << solo(QStringLiteral("animate_high"));
    QTest::newRow("animate low") << v7 << animate(QStringLiteral("low"))
                                 << solo(QStringLiteral("animate_low"));
    QTest::newRow("animate, motion unset = low")
        << v7 << animate(QString()) << solo(QStringLiteral("animate_low"));

    QTest::newRow("v6 upscale subtle")
        << QStringLiteral("task-upscale-v6.json") << act(OperationKind::Upscale, 0, QStringLiteral("subtle"))
        << QStringLiteral("MJ::JOB::upsample_v6_2x_subtle::1::7af96d1a-67c7-4d74-b173-8430c98c7631::SOLO");
    QTest::newRow("v6 upscale creative")
        << QStringLiteral("task-upscale-v6.json")
        << act(OperationKind::Upscale, 0, QStringLiteral("creative"))
        << QStringLiteral("MJ::JOB::upsample_v6_2x_creative::1::7af96d1a-67c7-4d74-b173-8430c98c7631::SOLO");
    QTest::newRow("v6.1 upscale subtle")
        << QStringLiteral("task-upscale-v6r1.json")
        << act(OperationKind::Upscale, 0, QStringLiteral("subtle"))
        << QStringLiteral("MJ::JOB::upsample_v6r1_2x_subtle::1::4b0f3a52-9a6e-4e4c-8f9a-0b0b6b7b1c11::SOLO");
    QTest::newRow("v6.1 upscale creative")
        << QStringLiteral("task-upscale-v6r1.json")
        << act(OperationKind::Upscale, 0, QStringLiteral("creative"))
        << QStringLiteral(
               "MJ::JOB::upsample_v6r1_2x_creative::1::4b0f3a52-9a6e-4e4c-8f9a-0b0b6b7b1c11::SOLO");
    QTest::newRow("v5 upscale 2x")
        << QStringLiteral("task-upscale-v5.json") << act(OperationKind::Upscale, 0, QStringLiteral("2x"))
        << QStringLiteral("MJ::JOB::upsample_v5_2x::1::39d7cf9f-c2f0-4adf-a124-0020fb9f867f::SOLO");
    QTest::newRow("v5 upscale 4x")
        << QStringLiteral("task-upscale-v5.json") << act(OperationKind::Upscale, 0, QStringLiteral("4x"))
        << QStringLiteral("MJ::JOB::upsample_v5_4x::1::39d7cf9f-c2f0-4adf-a124-0020fb9f867f::SOLO");
    QTest::newRow("zoom 2x without Zoom Out button: custom zoom")
        << QStringLiteral("task-upscale-v5.json") << zoom(QStringLiteral("2"))
        << QStringLiteral("MJ::CustomZoom::39d7cf9f-c2f0-4adf-a124-0020fb9f867f");
}

void TestMjproxyAdapterButtons::buttons()
{
    QFETCH(QString, parentFixture);
    QFETCH(Operation, op);
    QFETCH(QString, customId);
    const bool grid = parentFixture == QLatin1String("task-imagine-success.json");
    const Task parent = parentFrom(parentFixture, grid);
    QVERIFY(op.validate());
    QVERIFY(adapter().validate(op, account()));
    const Availability available = adapter().availability(op, &parent, account());
    QVERIFY2(available.enabled, qPrintable(available.reason));

    const auto call = adapter().buildSubmit(op, contextWith(parent));
    QVERIFY2(call, call ? "" : qPrintable(call.error().message));
    QCOMPARE(call->method, QByteArray("POST"));
    QCOMPARE(call->path, QStringLiteral("/mj/submit/action"));
    QCOMPARE(call->purpose, HttpCall::Purpose::Submit);
    QCOMPARE(call->auth, HttpCall::Auth::Bearer);
    QJsonObject expected;
    expected.insert(QStringLiteral("customId"), customId);
    expected.insert(QStringLiteral("taskId"), parent.remoteId);
    QCOMPARE(bodyOf(*call), compact(expected));
}

void TestMjproxyAdapterButtons::actionBodyMatchesTheVendorExample()
{
    const auto call = adapter().buildSubmit(act(OperationKind::Upscale, 2), contextWith(gridParent()));
    QVERIFY(call);
    QCOMPARE(bodyOf(*call), requestFixture(QStringLiteral("action-upsample.json")));

    // Without a stored remote id there is nothing to act on.
    Task orphan = gridParent();
    orphan.remoteId.clear();
    const auto refused = adapter().buildSubmit(act(OperationKind::Upscale, 2), contextWith(orphan));
    QVERIFY(!refused);
    QVERIFY(refused.error().message.startsWith(QStringLiteral("parent: ")));
    QVERIFY(!adapter().buildSubmit(act(OperationKind::Upscale, 2), contextWith({})));
}

void TestMjproxyAdapterButtons::missingButtons_data()
{
    QTest::addColumn<QString>("parentFixture");
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("reason");

    QTest::newRow("v6 has no pan") << QStringLiteral("task-upscale-v6.json") << pan(QStringLiteral("left"))
                                   << QStringLiteral("This result has no Pan ← button");
    QTest::newRow("v6.1 has no vary subtle")
        << QStringLiteral("task-upscale-v6r1.json") << act(OperationKind::Vary, 0, QStringLiteral("subtle"))
        << QStringLiteral("This result has no Vary (Subtle) button");
    QTest::newRow("v5 has no subtle upscale")
        << QStringLiteral("task-upscale-v5.json") << act(OperationKind::Upscale, 0, QStringLiteral("subtle"))
        << QStringLiteral("This result has no Upscale (Subtle) button");
    QTest::newRow("v7 has no 4x") << QStringLiteral("task-upscale-v7.json")
                                  << act(OperationKind::Upscale, 0, QStringLiteral("4x"))
                                  << QStringLiteral("This result has no Upscale (4x) button");
    QTest::newRow("v6 has no vary region") << QStringLiteral("task-upscale-v6.json") << inpaint()
                                           << QStringLiteral("This result has no Vary (Region) button");
    QTest::newRow("v6 has no zoom") << QStringLiteral("task-upscale-v6.json") << zoom(QStringLiteral("1.5"))
                                    << QStringLiteral("This result has no Zoom Out 1.5x button");
    QTest::newRow("v6 has no custom zoom")
        << QStringLiteral("task-upscale-v6.json") << zoom(QStringLiteral("1.3"))
        << QStringLiteral("This result has no Custom Zoom button");
    QTest::newRow("v6 has no animate")
        << QStringLiteral("task-upscale-v6.json") << animate(QStringLiteral("high"))
        << QStringLiteral("This result has no Animate (High motion) button");
    QTest::newRow("an upscale has no reroll")
        << QStringLiteral("task-upscale-v7.json") << act(OperationKind::Reroll)
        << QStringLiteral("This result has no Reroll button");
}

void TestMjproxyAdapterButtons::missingButtons()
{
    QFETCH(QString, parentFixture);
    QFETCH(Operation, op);
    QFETCH(QString, reason);
    const Task parent = upscaleParent(parentFixture);
    const Availability available = adapter().availability(op, &parent, account());
    QVERIFY(!available.enabled);
    QCOMPARE(available.reason, reason);
    const auto call = adapter().buildSubmit(op, contextWith(parent));
    QVERIFY(!call);
    QCOMPARE(call.error().kind, Error::Kind::Unsupported);
    QCOMPARE(call.error().message, reason);
}

void TestMjproxyAdapterButtons::availability_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<int>(
        "parentKind"); // 0 none, 1 grid, 2 upscale v7, 3 grid still running, 4 grid without buttons
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<QString>("reason");

    QTest::newRow("imagine") << Operation::imagine(QStringLiteral("cat")) << 0 << true << QString();
    QTest::newRow("imagine video")
        << withReferences(Operation::imagine(QStringLiteral("cat")), GenerateType::Video, {}) << 0 << false
        << QStringLiteral("midjourney-proxy makes videos with Animate on an upscaled image");
    QTest::newRow("video extend") << act(OperationKind::VideoExtend, 1) << 1 << false
                                  << QStringLiteral("midjourney-proxy has no video extend");
    QTest::newRow("action without parent")
        << act(OperationKind::Upscale, 1) << 0 << false << QStringLiteral("Select a finished task first");
    QTest::newRow("parent still running")
        << act(OperationKind::Upscale, 1) << 3 << false << QStringLiteral("The task has not finished yet");
    QTest::newRow("seed on a grid") << act(OperationKind::Seed) << 1 << true << QString();
    QTest::newRow("seed on an upscale") << act(OperationKind::Seed) << 2 << true << QString();
    QTest::newRow("pan on grid tile: U chained first") << [] {
        Operation op = pan(QStringLiteral("left"));
        op.tile = 2;
        return op;
    }() << 1 << true << QString();
    QTest::newRow("zoom on grid tile") << zoom(QStringLiteral("1.7"), 3) << 1 << true << QString();
    QTest::newRow("vary region on grid tile")
        << inpaint(QByteArrayLiteral("png"), 4) << 1 << true << QString();
    QTest::newRow("upscale subtle on grid tile")
        << act(OperationKind::Upscale, 1, QStringLiteral("subtle")) << 1 << true << QString();
    QTest::newRow("vary strong on grid tile")
        << act(OperationKind::Vary, 1, QStringLiteral("strong")) << 1 << true << QString();
    QTest::newRow("pan on a grid without a tile")
        << pan(QStringLiteral("up")) << 1 << false << QStringLiteral("Select one of the four images (1-4)");
    QTest::newRow("pan on a grid whose U button is gone") << [] {
        Operation op = pan(QStringLiteral("left"));
        op.tile = 2;
        return op;
    }() << 4 << false << QStringLiteral("This result has no U2 button, which Pan ← needs first");
    QTest::newRow("U on an upscale")
        << act(OperationKind::Upscale, 2) << 2 << false
        << QStringLiteral("This is already an upscaled image; choose a variant such as Subtle or Creative");
    QTest::newRow("pan on an upscale with a tile") << [] {
        Operation op = pan(QStringLiteral("left"));
        op.tile = 2;
        return op;
    }() << 2 << false << QStringLiteral("This is a single image: act on it without choosing a tile");
    QTest::newRow("V without a tile on a grid")
        << act(OperationKind::Vary, 0) << 1 << false << QStringLiteral("Select one of the four images (1-4)");
    QTest::newRow("V on an upscale")
        << act(OperationKind::Vary, 0) << 2 << false
        << QStringLiteral("This is an upscaled image; choose Vary (Subtle) or Vary (Strong)");
    QTest::newRow("pan on an upscale") << pan(QStringLiteral("down")) << 2 << true << QString();
    QTest::newRow("describe") << ofKind(OperationKind::Describe) << 0 << true << QString();
}

void TestMjproxyAdapterButtons::availability()
{
    QFETCH(Operation, op);
    QFETCH(int, parentKind);
    QFETCH(bool, enabled);
    QFETCH(QString, reason);
    std::optional<Task> parent;
    if (parentKind == 1 || parentKind == 3)
        parent = gridParent();
    else if (parentKind == 2)
        parent = upscaleParent();
    else if (parentKind == 4) {
        parent = gridParent();
        QJsonArray buttons = parent->remote.value(QLatin1String("buttons")).toArray();
        buttons.removeAt(1); // U2
        parent->remote.insert(QStringLiteral("buttons"), buttons);
    }
    if (parentKind == 3)
        parent->state = TaskState::Running;
    const Availability a = adapter().availability(op, parent ? &*parent : nullptr, account());
    QCOMPARE(a.enabled, enabled);
    QCOMPARE(a.reason, reason);
}

// Issue 12: an action that runs on the upscale of a tile is offered exactly when that upscale will carry
// its button, predicted from the grid's model version (PROVIDERS.md §4 table): 2x/4x only on version 5,
// subtle/creative from version 6, pan, zoom, vary region and vary subtle/strong from 5.2. Where it cannot be
// known (no version named for 2x/4x; Animate, which depends on the server) the action is offered with a
// caveat that the GUI asks about before the U is paid for.
void TestMjproxyAdapterButtons::offeredOnGridTiles_data()
{
    QTest::addColumn<QString>("prompt"); // the grid's prompt as sent
    QTest::addColumn<QString>("version"); // the grid operation's version field
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("expected"); // "yes", "no: <reason>", "maybe: <part of the caveat>"

    const auto on = [](Operation op) {
        op.tile = 2;
        return op;
    };
    const Operation u2x = on(act(OperationKind::Upscale, 2, QStringLiteral("2x")));
    const Operation u4x = on(act(OperationKind::Upscale, 2, QStringLiteral("4x")));
    const Operation subtle = on(act(OperationKind::Upscale, 2, QStringLiteral("subtle")));
    const Operation creative = on(act(OperationKind::Upscale, 2, QStringLiteral("creative")));
    const Operation strong = on(act(OperationKind::Vary, 2, QStringLiteral("strong")));
    const Operation left = on(pan(QStringLiteral("left")));
    const Operation zoom2 = zoom(QStringLiteral("2"), 2);
    const Operation zoomCustom = zoom(QStringLiteral("1.3"), 2);
    const Operation region = inpaint(QByteArrayLiteral("png"), 2);
    const Operation video = on(animate(QStringLiteral("high")));
    const QString none;
    const QString sixOnly
        = QStringLiteral("no: Upscale (%1) exists on version 6 and later upscales; this grid is version %2");
    const QString fiveOnly
        = QStringLiteral("no: Upscale (%1) exists only on version 5 upscales; this grid is version %2");

    QTest::newRow("no version: 2x") << "cat" << none << u2x << "maybe: prompt names no version";
    QTest::newRow("no version: 4x") << "cat" << none << u4x << "maybe: prompt names no version";
    QTest::newRow("no version: subtle") << "cat" << none << subtle << "yes";
    QTest::newRow("no version: pan") << "cat" << none << left << "yes";
    QTest::newRow("no version: vary region") << "cat" << none << region << "yes";
    QTest::newRow("no version: animate") << "cat" << none << video << "maybe: depends on the server";
    QTest::newRow("v5.2: 2x") << "cat --v 5.2" << none << u2x << "yes";
    QTest::newRow("v5.2: 4x") << "cat --v 5.2" << none << u4x << "yes";
    QTest::newRow("v5.2: creative") << "cat --v 5.2" << none << creative
                                    << sixOnly.arg(QStringLiteral("Creative"), QStringLiteral("5.2"));
    QTest::newRow("v5.2: vary strong") << "cat --v 5.2" << none << strong << "yes";
    QTest::newRow("v5.2: zoom out 2x") << "cat --v 5.2" << none << zoom2 << "yes";
    QTest::newRow("v5.1: pan") << "cat --v 5.1" << none << left
                               << "no: Pan ← needs version 5.2 or later; this grid is version 5.1";
    QTest::newRow("v5.1: vary region")
        << "cat --version 5.1" << none << region
        << "no: Vary (Region) needs version 5.2 or later; this grid is version 5.1";
    QTest::newRow("v5.1: 4x") << "cat --v 5.1" << none << u4x << "yes";
    QTest::newRow("v6: creative") << "cat --v 6" << none << creative << "yes";
    QTest::newRow("v6: 2x") << "cat --v 6" << none << u2x
                            << fiveOnly.arg(QStringLiteral("2x"), QStringLiteral("6"));
    QTest::newRow("v6.1: 4x") << "cat --v 6.1" << none << u4x
                              << fiveOnly.arg(QStringLiteral("4x"), QStringLiteral("6.1"));
    QTest::newRow("v7: subtle") << "cat --v 7" << none << subtle << "yes";
    QTest::newRow("v7: custom zoom") << "cat --v 7" << none << zoomCustom << "yes";
    QTest::newRow("v7: animate") << "cat --v 7" << none << video << "maybe: depends on the server";
    QTest::newRow("niji 6: 2x") << "cat --niji 6" << none << u2x
                                << fiveOnly.arg(QStringLiteral("2x"), QStringLiteral("niji 6"));
    QTest::newRow("niji 5: 2x") << "cat --niji 5" << none << u2x << "yes";
    QTest::newRow("version field 7: 4x")
        << "cat"
        << "7" << u4x << fiveOnly.arg(QStringLiteral("4x"), QStringLiteral("7"));
    QTest::newRow("version field 5.2: 4x") << "cat"
                                           << "5.2" << u4x << "yes";
}

void TestMjproxyAdapterButtons::offeredOnGridTiles()
{
    QFETCH(QString, prompt);
    QFETCH(QString, version);
    QFETCH(Operation, op);
    QFETCH(QString, expected);
    Task grid = gridParent();
    grid.prompt = prompt;
    grid.operation = Operation::imagine(prompt);
    grid.operation.version = version;
    const Availability a = adapter().availability(op, &grid, account());
    if (expected == QLatin1String("yes")) {
        QVERIFY2(a.enabled, qPrintable(a.reason));
        QVERIFY2(a.caveat.isEmpty(), qPrintable(a.caveat));
    } else if (expected.startsWith(QLatin1String("no: "))) {
        QVERIFY(!a.enabled);
        QCOMPARE(a.reason, expected.mid(4));
    } else {
        QVERIFY2(a.enabled, qPrintable(a.reason));
        QVERIFY2(a.caveat.contains(expected.mid(7)), qPrintable(a.caveat));
        QVERIFY2(a.caveat.contains(QLatin1String("U2 is made (and charged) first")), qPrintable(a.caveat));
    }
}

void TestMjproxyAdapterButtons::needsSingleImage_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<bool>("single");
    QTest::newRow("U") << act(OperationKind::Upscale, 1) << false;
    QTest::newRow("V") << act(OperationKind::Vary, 1) << false;
    QTest::newRow("reroll") << act(OperationKind::Reroll) << false;
    QTest::newRow("seed") << act(OperationKind::Seed) << false;
    QTest::newRow("upscale subtle") << act(OperationKind::Upscale, 1, QStringLiteral("subtle")) << true;
    QTest::newRow("upscale 4x") << act(OperationKind::Upscale, 1, QStringLiteral("4x")) << true;
    QTest::newRow("vary strong") << act(OperationKind::Vary, 1, QStringLiteral("strong")) << true;
    QTest::newRow("pan") << pan(QStringLiteral("left")) << true;
    QTest::newRow("zoom") << zoom(QStringLiteral("2")) << true;
    QTest::newRow("inpaint") << inpaint() << true;
    QTest::newRow("animate") << animate(QStringLiteral("low")) << true;
    QTest::newRow("imagine") << Operation::imagine(QStringLiteral("cat")) << false;
}

void TestMjproxyAdapterButtons::needsSingleImage()
{
    QFETCH(Operation, op);
    QFETCH(bool, single);
    QCOMPARE(adapter().needsSingleImage(op), single);
}

void TestMjproxyAdapterButtons::modalFlow()
{
    // V2 with Remix on: the server parks the new task in MODAL (code 21) and waits for the prompt.
    Operation remix = act(OperationKind::Vary, 2);
    remix.prompt = QStringLiteral("a cat wearing a crown");
    const auto parked = adapter().parseSubmit(remix, fixtureAnswer(QStringLiteral("submit-modal.json")));
    QVERIFY(parked);
    QVERIFY(parked->needsModal);
    QCOMPARE(parked->remoteId, QStringLiteral("1712205491372429"));
    QVERIFY(!parked->immediate);

    const auto modal = adapter().buildModal(remix, contextWith(gridParent()), parked->remoteId);
    QVERIFY(modal);
    QCOMPARE(modal->method, QByteArray("POST"));
    QCOMPARE(modal->path, QStringLiteral("/mj/submit/modal"));
    QCOMPARE(modal->purpose, HttpCall::Purpose::Submit);
    QCOMPARE(bodyOf(*modal), requestFixture(QStringLiteral("modal-remix.json")));

    // The modal's own answer is parsed like a submit.
    const auto sent = adapter().parseSubmit(remix, fixtureAnswer(QStringLiteral("submit-ok-string.json")));
    QVERIFY(sent);
    QVERIFY(!sent->needsModal);
    QCOMPARE(sent->remoteId, QStringLiteral("14001934816969359"));

    // Custom zoom: the factor goes into the prompt, which falls back to the parent's final prompt
    // (Discord's <link> markup removed).
    const auto zoomModal = adapter().buildModal(zoom(QStringLiteral("1.8")), contextWith(upscaleParent()),
                                                QStringLiteral("1712205491372429"));
    QVERIFY(zoomModal);
    QCOMPARE(bodyOf(*zoomModal), requestFixture(QStringLiteral("modal-custom-zoom.json")));

    // A --zoom already in the user's prompt is replaced by the chosen factor.
    Operation typedZoom = zoom(QStringLiteral("1.25"));
    typedZoom.prompt = QStringLiteral("a wide valley --zoom 2 --ar 16:9");
    const auto replaced = adapter().buildModal(typedZoom, contextWith(upscaleParent()), QStringLiteral("7"));
    QVERIFY(replaced);
    QCOMPARE(replaced->body->object().value(QLatin1String("prompt")).toString(),
             QStringLiteral("a wide valley --ar 16:9 --zoom 1.25"));

    // Zoom Out 2x needs no factor in the prompt.
    const auto fixed
        = adapter().buildModal(zoom(QStringLiteral("2")), contextWith(upscaleParent()), QStringLiteral("7"));
    QVERIFY(fixed);
    QCOMPARE(fixed->body->object().value(QLatin1String("prompt")).toString(),
             QStringLiteral("cat --v 7 --sref https://s.mj.run/ktqQpnwPoPk"));
    QVERIFY(!fixed->body->object().contains(QLatin1String("maskBase64")));

    QVERIFY(!adapter().buildModal(remix, contextWith(gridParent()), QString()));
}

void TestMjproxyAdapterButtons::modalPromptFallbacks()
{
    Task parent = gridParent();
    parent.remote.remove(QStringLiteral("finalPrompt"));
    auto modal = adapter().buildModal(act(OperationKind::Vary, 1), contextWith(parent), QStringLiteral("5"));
    QVERIFY(modal);
    QCOMPARE(modal->body->object().value(QLatin1String("prompt")).toString(),
             QStringLiteral("cat --v 6.1")); // promptEn

    parent.remote.remove(QStringLiteral("promptEn"));
    parent.prompt = QStringLiteral("the stored prompt");
    modal = adapter().buildModal(act(OperationKind::Vary, 1), contextWith(parent), QStringLiteral("5"));
    QVERIFY(modal);
    QCOMPARE(modal->body->object().value(QLatin1String("prompt")).toString(),
             QStringLiteral("the stored prompt"));
    QCOMPARE(modal->body->object().value(QLatin1String("taskId")).toString(), QStringLiteral("5"));
}

void TestMjproxyAdapterButtons::inpaintModalCarriesTheFittedMask()
{
    // The mask was drawn on a 256x256 preview; the upscale is 1024x1024: it is scaled to the upscale.
    Operation op = inpaint(maskPng(QSize(256, 256), QRect(64, 64, 128, 128)));
    op.prompt = QStringLiteral("a golden crown");
    const Task parent = upscaleParent(QStringLiteral("task-upscale-v7.json"), QSize(1024, 1024));
    QVERIFY(adapter().validate(op, account()));
    const auto action = adapter().buildSubmit(op, contextWith(parent));
    QVERIFY(action);
    QCOMPARE(action->body->object().value(QLatin1String("customId")).toString(),
             QStringLiteral("MJ::Inpaint::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO"));

    const auto modal = adapter().buildModal(op, contextWith(parent), QStringLiteral("1712205491372429"));
    QVERIFY2(modal, modal ? "" : qPrintable(modal.error().message));
    const QJsonObject body = modal->body->object();
    QCOMPARE(body.value(QLatin1String("taskId")).toString(), QStringLiteral("1712205491372429"));
    QCOMPARE(body.value(QLatin1String("prompt")).toString(), QStringLiteral("a golden crown"));
    const QString mask = body.value(QLatin1String("maskBase64")).toString();
    const QString head = QStringLiteral("data:image/png;base64,");
    QVERIFY(mask.startsWith(head));
    const QImage sent = QImage::fromData(QByteArray::fromBase64(mask.mid(head.size()).toLatin1()), "PNG");
    QCOMPARE(sent.size(), QSize(1024, 1024));
    QCOMPARE(qGray(sent.pixel(0, 0)), 0);
    QCOMPARE(qGray(sent.pixel(512, 512)), 255);

    // No stored size: the mask keeps its own.
    const Task unsized = upscaleParent(QStringLiteral("task-upscale-v7.json"), QSize());
    const auto own = adapter().buildModal(op, contextWith(unsized), QStringLiteral("1"));
    QVERIFY(own);
    const QString ownMask = own->body->object().value(QLatin1String("maskBase64")).toString();
    QCOMPARE(QImage::fromData(QByteArray::fromBase64(ownMask.mid(head.size()).toLatin1()), "PNG").size(),
             QSize(256, 256));

    // An all-black mask selects nothing: refused, naming the mask.
    Operation empty = inpaint(maskPng(QSize(64, 64), QRect()));
    const auto refused = adapter().buildModal(empty, contextWith(parent), QStringLiteral("1"));
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QStringLiteral("mask")), qPrintable(refused.error().message));
}

QTEST_GUILESS_MAIN(TestMjproxyAdapterButtons)
#include "tst_mjproxyadapter_buttons.moc"
