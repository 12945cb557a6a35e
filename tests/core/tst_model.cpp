// Value types: names, JSON round trips, validation, Result.
#include "model/account.h"
#include "model/error.h"
#include "model/operation.h"
#include "model/promptflags.h"
#include "model/result.h"
#include "model/task.h"
#include "model/taskstate.h"

#include <QTest>

using namespace tessera;

class TstModel : public QObject
{
    Q_OBJECT
private slots:
    void taskStateNames_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("active");
        QTest::addColumn<bool>("final");
        QTest::newRow("queued") << int(TaskState::Queued) << "queued" << true << false;
        QTest::newRow("submitting") << int(TaskState::Submitting) << "submitting" << true << false;
        QTest::newRow("submitted") << int(TaskState::Submitted) << "submitted" << true << false;
        QTest::newRow("running") << int(TaskState::Running) << "running" << true << false;
        QTest::newRow("succeeded") << int(TaskState::Succeeded) << "succeeded" << false << true;
        QTest::newRow("failed") << int(TaskState::Failed) << "failed" << false << true;
        QTest::newRow("cancelled") << int(TaskState::Cancelled) << "cancelled" << false << true;
        QTest::newRow("unfinished") << int(TaskState::Unfinished) << "unfinished" << false << false;
        QTest::newRow("unknown") << int(TaskState::Unknown) << "unknown" << false << false;
    }
    void taskStateNames()
    {
        QFETCH(int, state);
        QFETCH(QString, name);
        QFETCH(bool, active);
        QFETCH(bool, final);
        const auto s = static_cast<TaskState>(state);
        QCOMPARE(taskStateName(s), name);
        bool ok = false;
        QCOMPARE(taskStateFromName(name, &ok), s);
        QVERIFY(ok);
        QCOMPARE(isActive(s), active);
        QCOMPARE(isTerminal(s), !active);
        QCOMPARE(isFinal(s), final);
        QVERIFY(!taskStateLabel(s).isEmpty());
    }

    void unknownStateNameIsReported()
    {
        bool ok = true;
        taskStateFromName(QStringLiteral("exploded"), &ok);
        QVERIFY(!ok);
    }

    void operationJsonRoundTrip_data()
    {
        QTest::addColumn<Operation>("op");
        Operation imagine = Operation::imagine(QStringLiteral("a red fox --no people"));
        imagine.aspectRatio = QStringLiteral("16:9");
        imagine.version = QStringLiteral("7");
        imagine.speed = QStringLiteral("fast");
        imagine.chaos = 10;
        imagine.stylize = 250;
        imagine.weird = 0; // zero is a choice, not "unset"
        imagine.seed = 9'007'199'254'740'993LL; // above 2^53: must survive as a string
        imagine.references = {QStringLiteral("https://example.com/a.png")};
        imagine.type = GenerateType::Image;
        QTest::newRow("imagine") << imagine;
        QTest::newRow("upscale") << Operation::action(OperationKind::Upscale, QStringLiteral("p-1"), 3);
        Operation pan = Operation::action(OperationKind::Pan, QStringLiteral("p-2"), 0);
        pan.direction = QStringLiteral("left");
        pan.prompt = QStringLiteral("more sea");
        QTest::newRow("pan") << pan;
        Operation vary = Operation::action(OperationKind::Vary, QStringLiteral("p-3"), 0);
        vary.variant = QStringLiteral("strong");
        QTest::newRow("vary strong") << vary;
        Operation zoom = Operation::action(OperationKind::Zoom, QStringLiteral("p-4"), 0);
        zoom.zoomFactor = QStringLiteral("1.5");
        QTest::newRow("zoom") << zoom;
    }
    void operationJsonRoundTrip()
    {
        QFETCH(Operation, op);
        const Result<Operation> back = Operation::fromJson(op.toJson());
        QVERIFY(back.ok());
        QCOMPARE(*back, op);
    }

    void unsetOptionalsAreOmitted()
    {
        const QJsonObject json = Operation::imagine(QStringLiteral("x")).toJson();
        QVERIFY(!json.contains(QStringLiteral("chaos")));
        QVERIFY(!json.contains(QStringLiteral("stylize")));
        QVERIFY(!json.contains(QStringLiteral("aspectRatio")));
        QVERIFY(!json.contains(QStringLiteral("seed")));
    }

    void operationValidation_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QString>("field"); // empty = valid
        QTest::newRow("imagine ok") << Operation::imagine(QStringLiteral("fox")) << QString();
        QTest::newRow("empty prompt") << Operation::imagine(QStringLiteral("  ")) << QStringLiteral("prompt");
        QTest::newRow("U3") << Operation::action(OperationKind::Upscale, QStringLiteral("p"), 3) << QString();
        QTest::newRow("U without tile")
            << Operation::action(OperationKind::Upscale, QStringLiteral("p"), 0) << QStringLiteral("index");
        QTest::newRow("V5") << Operation::action(OperationKind::Vary, QStringLiteral("p"), 5)
                            << QStringLiteral("index");
        QTest::newRow("no parent") << Operation::action(OperationKind::Vary, QString(), 1)
                                   << QStringLiteral("parent");
        Operation pan = Operation::action(OperationKind::Pan, QStringLiteral("p"), 0);
        pan.direction = QStringLiteral("sideways");
        QTest::newRow("bad pan") << pan << QStringLiteral("direction");
    }
    void operationValidation()
    {
        QFETCH(Operation, op);
        QFETCH(QString, field);
        const Status s = op.validate();
        if (field.isEmpty()) {
            QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().message));
        } else {
            QVERIFY(!s.ok());
            QVERIFY2(s.error().message.startsWith(field), qPrintable(s.error().message));
            QCOMPARE(s.error().kind, Error::Kind::InvalidRequest);
        }
    }

    void labels()
    {
        QCOMPARE(Operation::action(OperationKind::Upscale, QStringLiteral("p"), 3).label(),
                 QStringLiteral("U3"));
        QCOMPARE(Operation::action(OperationKind::Vary, QStringLiteral("p"), 2).label(),
                 QStringLiteral("V2"));
        Operation pan = Operation::action(OperationKind::Pan, QStringLiteral("p"), 0);
        pan.direction = QStringLiteral("left");
        QCOMPARE(pan.label(), QStringLiteral("Pan ←"));
        Task t;
        t.operation = Operation::action(OperationKind::Upscale, QStringLiteral("p"), 3);
        t.prompt = QStringLiteral("a red fox in the snow at dawn with mountains behind");
        QCOMPARE(t.title(12), QStringLiteral("U3 of \u201Ca red fox i…\u201D"));

        // Issue 12: describe and blend are named by their input, not by an empty prompt.
        Task describe;
        describe.operation.kind = OperationKind::Describe;
        describe.operation.references = {QStringLiteral("data:image/png;base64,AAAA")};
        describe.operation.referenceNames = {QStringLiteral("photo.png")};
        QCOMPARE(describe.title(), QStringLiteral("Describe of photo.png"));
        describe.operation.referenceNames.clear();
        QCOMPARE(describe.title(), QStringLiteral("Describe of an image"));
        describe.operation.references = {QStringLiteral("https://cdn.example.com/a/cat.webp?x=1")};
        QCOMPARE(describe.title(), QStringLiteral("Describe of cat.webp"));
        Task blend;
        blend.operation.kind = OperationKind::Blend;
        blend.operation.references
            = {QStringLiteral("data:a"), QStringLiteral("data:b"), QStringLiteral("data:c")};
        QCOMPARE(blend.title(), QStringLiteral("Blend of 3 images"));
        // Stored and read back with the names.
        describe.operation.referenceNames = {QStringLiteral("photo.png")};
        const Result<Operation> back = Operation::fromJson(describe.operation.toJson());
        QVERIFY(back);
        QCOMPARE(back->references, describe.operation.references);
        QCOMPARE(back->referenceNames, QStringList {QStringLiteral("photo.png")});
    }

    void errorJsonRoundTripAndText()
    {
        Error e = Error::make(Error::Kind::PaymentRequired, QStringLiteral("You have 0 requests remaining"),
                              403, QStringLiteral("Insufficient requests"));
        e.retryAfter = QDateTime::fromMSecsSinceEpoch(1'780'000'000'123, Qt::UTC);
        QCOMPARE(Error::fromJson(e.toJson()), e);
        QCOMPARE(e.toJson().value(QStringLiteral("kind")).toString(), QStringLiteral("payment-required"));
        QVERIFY(e.userText().contains(QStringLiteral("You have 0 requests remaining")));
        QVERIFY(!e.isTransient());
        QVERIFY(Error::make(Error::Kind::Maintenance, {}).isTransient());
    }

    void resultHoldsValueOrError()
    {
        Result<int> good = 5;
        QVERIFY(good.ok());
        QCOMPARE(*good, 5);
        Result<int> bad = Error::make(Error::Kind::Io, QStringLiteral("disk full"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().message, QStringLiteral("disk full"));
        QCOMPARE(bad.valueOr(7), 7);
        Status fine;
        QVERIFY(fine.ok());
        Status failed = Error::make(Error::Kind::Io, QStringLiteral("x"));
        QVERIFY(!failed.ok());
    }

    void promptFlags_data()
    {
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("ar");
        QTest::addColumn<QString>("version");
        QTest::addColumn<int>("chaos"); // -1 = unset
        QTest::addColumn<QString>("problem");
        QTest::newRow("plain") << "a red fox"
                               << "a red fox"
                               << ""
                               << "" << -1 << "";
        QTest::newRow("ar v chaos") << "a red fox --ar 16:9 --v 7 --c 10"
                                    << "a red fox"
                                    << "16:9"
                                    << "7" << 10 << "";
        QTest::newRow("long names") << "fox  --aspect 2:3 --version 6.1 --chaos 0"
                                    << "fox"
                                    << "2:3"
                                    << "6.1" << 0 << "";
        QTest::newRow("niji") << "fox --niji"
                              << "fox"
                              << ""
                              << "niji6" << -1 << "";
        QTest::newRow("niji 7") << "fox --niji 7"
                                << "fox"
                                << ""
                                << "niji7" << -1 << "";
        QTest::newRow("kept flags") << "fox --no people --tile"
                                    << "fox --no people --tile"
                                    << ""
                                    << "" << -1 << "";
        QTest::newRow("bad number") << "fox --chaos lots"
                                    << "fox"
                                    << ""
                                    << "" << -1 << "not a whole number";
        QTest::newRow("bad ratio") << "fox --ar wide"
                                   << "fox"
                                   << ""
                                   << "" << -1 << "not a ratio";
        QTest::newRow("missing value") << "fox --ar"
                                       << "fox"
                                       << ""
                                       << "" << -1 << "needs a value";
        QTest::newRow("twice") << "fox --ar 1:1 --ar 2:1"
                               << "fox"
                               << "2:1"
                               << "" << -1 << "twice";
    }
    void promptFlags()
    {
        QFETCH(QString, prompt);
        QFETCH(QString, text);
        QFETCH(QString, ar);
        QFETCH(QString, version);
        QFETCH(int, chaos);
        QFETCH(QString, problem);
        const PromptFlags f = PromptFlags::parse(prompt);
        QCOMPARE(f.text, text);
        QCOMPARE(f.aspectRatio, ar);
        QCOMPARE(f.version, version);
        QCOMPARE(f.chaos, chaos < 0 ? std::nullopt : std::optional<int>(chaos));
        if (problem.isEmpty())
            QVERIFY2(f.problems.isEmpty(), qPrintable(f.problems.join(QLatin1Char(';'))));
        else
            QVERIFY2(f.problems.join(QLatin1Char(';')).contains(problem),
                     qPrintable(f.problems.join(QLatin1Char(';'))));
    }

    void flagsAreRewrittenWhereTheyStand_data()
    {
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("set in place") << "fox --ar 16:9 at dawn"
                                      << "ar"
                                      << "3:2"
                                      << "fox --ar 3:2 at dawn";
        QTest::newRow("alias rewritten") << "fox --aspect 16:9"
                                         << "ar"
                                         << "1:1"
                                         << "fox --ar 1:1";
        QTest::newRow("appended") << "fox at dawn  "
                                  << "chaos"
                                  << "20"
                                  << "fox at dawn --chaos 20";
        QTest::newRow("into nothing") << ""
                                      << "stylize"
                                      << "250"
                                      << "--stylize 250";
        QTest::newRow("removed mid") << "fox --c 10 at dawn"
                                     << "chaos"
                                     << ""
                                     << "fox at dawn";
        QTest::newRow("removed first") << "--v 7 fox"
                                       << "v"
                                       << ""
                                       << "fox";
        QTest::newRow("removed absent") << "fox  at dawn"
                                        << "weird"
                                        << ""
                                        << "fox  at dawn";
        QTest::newRow("repeat goes") << "fox --ar 1:1 and --ar 2:1"
                                     << "ar"
                                     << "16:9"
                                     << "fox --ar 16:9 and";
        QTest::newRow("niji written") << "fox --v 7"
                                      << "v"
                                      << "niji6"
                                      << "fox --niji 6";
        QTest::newRow("niji replaced") << "fox --niji 6 sea"
                                       << "v"
                                       << "6.1"
                                       << "fox --v 6.1 sea";
        QTest::newRow("speed") << "fox --fast"
                               << "speed"
                               << "relaxed"
                               << "fox --relax";
        QTest::newRow("speed removed") << "fox --turbo --ar 1:1"
                                       << "speed"
                                       << ""
                                       << "fox --ar 1:1";
        QTest::newRow("other flags kept") << "fox --no trees --s 50"
                                          << "stylize"
                                          << "100"
                                          << "fox --no trees --stylize 100";
        QTest::newRow("not a prefix") << "fox --sref 12 --seed 3"
                                      << "stylize"
                                      << ""
                                      << "fox --sref 12 --seed 3";
    }
    void flagsAreRewrittenWhereTheyStand()
    {
        QFETCH(QString, prompt);
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        QCOMPARE(PromptFlags::withFlag(prompt, field, value), expected);
        // What the rewritten prompt says is what was asked.
        const PromptFlags back = PromptFlags::parse(expected);
        if (field == QLatin1String("ar"))
            QCOMPARE(back.aspectRatio, value);
        if (field == QLatin1String("v"))
            QCOMPARE(back.version, value);
        QCOMPARE(PromptFlags::has(expected, field), !value.isEmpty());
    }

    void liftingFillsFieldsAndRefusesContradictions()
    {
        Operation op = Operation::imagine(QStringLiteral("harbour --ar 16:9 --turbo --seed 12"));
        op.aspectRatio = QStringLiteral("16:9"); // the same value twice is fine
        const Result<Operation> lifted = liftPromptFlags(op);
        QVERIFY(lifted.ok());
        QCOMPARE(lifted->prompt, QStringLiteral("harbour"));
        QCOMPARE(lifted->aspectRatio, QStringLiteral("16:9"));
        QCOMPARE(lifted->speed, QStringLiteral("turbo"));
        QCOMPARE(lifted->seed, std::optional<qint64>(12));
        op.aspectRatio = QStringLiteral("1:1");
        const Result<Operation> clash = liftPromptFlags(op);
        QVERIFY(!clash.ok());
        QVERIFY(clash.error().message.contains(QStringLiteral("--ar")));
    }

    void accountOptions()
    {
        Account a;
        a.options.insert(QStringLiteral("timeout"), QStringLiteral("12.5"));
        a.options.insert(QStringLiteral("max-polls"), 60);
        QCOMPARE(a.numberOption(QStringLiteral("timeout"), 0), 12.5);
        QCOMPARE(a.numberOption(QStringLiteral("max-polls"), 0), 60.0);
        QCOMPARE(a.numberOption(QStringLiteral("missing"), 3), 3.0);
        QCOMPARE(a.option(QStringLiteral("max-polls")), QStringLiteral("60"));
        QVERIFY(Account::demo().isDemo());
        QCOMPARE(Account::demo().displayName(), QStringLiteral("Demo (offline)"));
    }
};

QTEST_GUILESS_MAIN(TstModel)
#include "tst_model.moc"
