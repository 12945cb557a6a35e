// Compose offers what the account's family accepts, offscreen: task types (generate types plus
// describe/blend/shorten), parameter values and steps, the rows each type needs, references read into
// data URLs off the GUI thread (or refused for URL-only families), and what Generate sends.
#include "compose/composepanel.h"
#include "compose/prompteditor.h"
#include "compose/rangefield.h"
#include "compose/referencelist.h"
#include "fakeprovider.h"
#include "providers/demo/demoadapter.h"
#include "providers/providerregistry.h"

#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextCursor>

using namespace tessera;
using namespace tessera::ui;

namespace {

template<typename T> T *named(QWidget *parent, const QString &accessibleName)
{
    for (T *w : parent->findChildren<T *>()) {
        if (w->accessibleName() == accessibleName)
            return w;
    }
    return nullptr;
}

QStringList items(QComboBox *box)
{
    QStringList values;
    for (int i = 0; i < box->count(); ++i)
        values << box->itemData(i).toString();
    return values;
}

bool errorShown(QWidget *panel, const QString &part)
{
    QLabel *error = named<QLabel>(panel, QStringLiteral("Problem with the request"));
    return error && error->isVisible() && error->text().contains(part);
}

// Compose with the demo, a fake family, and fakes standing in for midjourney-proxy (local files become
// data URLs) and kie (video motion and batch, watermark, translate).
struct Fixture
{
    Fixture()
        : panel(registry)
    {
        registry.add(std::make_unique<demo::DemoAdapter>());
        registry.add(std::make_unique<test::FakeAdapter>());
        registry.add(std::make_unique<test::FakeAdapter>(QStringLiteral("mjproxy")));
        registry.add(std::make_unique<test::FakeAdapter>(QStringLiteral("kie")));
        panel.setAccounts({Account::demo(), test::fakeAccount(),
                           test::fakeAccount(QStringLiteral("mjproxy"), QStringLiteral("mj")),
                           test::fakeAccount(QStringLiteral("kie"), QStringLiteral("kie"))},
                          QString::fromLatin1(Account::kDemoId));
        panel.resize(320, 900);
        panel.show();
    }
    void choose(const QString &accountId)
    {
        QComboBox *account = named<QComboBox>(&panel, QStringLiteral("Account"));
        account->setCurrentIndex(account->findData(accountId));
    }
    ProviderRegistry registry;
    ComposePanel panel;
};

} // namespace

class TstCompose : public QObject
{
    Q_OBJECT
private slots:
    void offersOnlyTheFamilysValues()
    {
        Fixture f;
        QCOMPARE(f.panel.offeredTypes(), QStringList {QStringLiteral("text")});
        f.choose(QStringLiteral("acc"));
        QCOMPARE(f.panel.offeredTypes(),
                 QStringList({QStringLiteral("text"), QStringLiteral("image"), QStringLiteral("omni"),
                              QStringLiteral("video"), QStringLiteral("describe"), QStringLiteral("blend"),
                              QStringLiteral("shorten")}));
        QCOMPARE(items(named<QComboBox>(&f.panel, QStringLiteral("Aspect ratio"))),
                 QStringList({QString(), QStringLiteral("1:1"), QStringLiteral("16:9")}));
        QCOMPARE(items(named<QComboBox>(&f.panel, QStringLiteral("Model version"))),
                 QStringList({QString(), QStringLiteral("7")}));
        QSpinBox *chaos = named<QSpinBox>(&f.panel, QStringLiteral("Chaos"));
        QCOMPARE(chaos->singleStep(), 5);
        QCOMPARE(chaos->maximum(), 100);
        QVERIFY(chaos->isVisible());
        QCOMPARE(named<QSpinBox>(&f.panel, QStringLiteral("Stylize"))->singleStep(), 50);
        QVERIFY(!named<QSpinBox>(&f.panel, QStringLiteral("Weird"))->isVisible()); // the fake has no weird
        QVERIFY(!named<QSpinBox>(&f.panel, QStringLiteral("Omni weight"))->isVisible());

        // The slider moves by whole steps, and a typed value off the step is not sent as typed.
        QSlider *slider = named<QSlider>(&f.panel, QStringLiteral("Chaos"));
        slider->setValue(3); // default, 0, 5, 10
        QCOMPARE(chaos->value(), 10);
        chaos->setValue(7);
        QCOMPARE(f.panel.operation().chaos, std::optional<int>(5));
        chaos->setValue(chaos->minimum());
        QCOMPARE(f.panel.operation().chaos, std::nullopt);
    }

    void eachTypeShowsItsOwnFields()
    {
        Fixture f;
        f.choose(QStringLiteral("kie"));
        PromptEditor *prompt = f.panel.promptEditor();
        QVERIFY(prompt->isVisible());
        QVERIFY(!f.panel.references()->isVisible());
        QVERIFY(named<QWidget>(&f.panel, QStringLiteral("Watermark"))->isVisible());
        QVERIFY(named<QWidget>(&f.panel, QStringLiteral("Translate"))->isVisible());
        QVERIFY(!named<QWidget>(&f.panel, QStringLiteral("Video motion"))->isVisible());

        QVERIFY(f.panel.setCurrentType(QStringLiteral("omni")));
        QVERIFY(named<QSpinBox>(&f.panel, QStringLiteral("Omni weight"))->isVisible());
        QVERIFY(f.panel.references()->isVisible());
        QCOMPARE(f.panel.references()->maximum(), 1);
        QVERIFY(!named<QComboBox>(&f.panel, QStringLiteral("Speed"))->isVisible());

        QVERIFY(f.panel.setCurrentType(QStringLiteral("video")));
        QComboBox *motion = named<QComboBox>(&f.panel, QStringLiteral("Video motion"));
        QVERIFY(motion->isVisible());
        QCOMPARE(items(motion), QStringList({QString(), QStringLiteral("low"), QStringLiteral("high")}));
        QCOMPARE(items(named<QComboBox>(&f.panel, QStringLiteral("Videos per job"))),
                 QStringList({QString(), QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("4")}));
        QVERIFY(!named<QSpinBox>(&f.panel, QStringLiteral("Omni weight"))->isVisible());

        QVERIFY(f.panel.setCurrentType(QStringLiteral("blend")));
        QVERIFY(!prompt->isVisible());
        QCOMPARE(f.panel.references()->minimum(), 2);
        QCOMPARE(f.panel.references()->maximum(), 5);
        QVERIFY(!named<QComboBox>(&f.panel, QStringLiteral("Aspect ratio"))->isVisible());
        QVERIFY(!named<QComboBox>(&f.panel, QStringLiteral("Blend dimensions"))->isVisible()); // kie: none

        QVERIFY(f.panel.setCurrentType(QStringLiteral("shorten")));
        QVERIFY(prompt->isVisible());
        QVERIFY(!f.panel.references()->isVisible());

        // The demo has none of these.
        f.choose(QString::fromLatin1(Account::kDemoId));
        QVERIFY(!f.panel.setCurrentType(QStringLiteral("video")));
        QVERIFY(!named<QWidget>(&f.panel, QStringLiteral("Watermark"))->isVisible());
    }

    // A field the family requires is never "not sent": "default" then names the value that goes
    // (PROVIDERS.md §2 Decision: apixo's "default (v6.1)"; kie's speed and the video motion).
    void defaultNamesWhatIsSentWhereTheFieldIsRequired()
    {
        const std::unique_ptr<ProviderRegistry> real = ProviderRegistry::createDefault();
        ComposePanel panel(*real);
        Account apixo = test::fakeAccount(QStringLiteral("apixo"), QStringLiteral("ax"));
        Account kie = test::fakeAccount(QStringLiteral("kie"), QStringLiteral("ki"));
        Account kolersky = test::fakeAccount(QStringLiteral("kolersky"), QStringLiteral("ko"));
        panel.setAccounts({Account::demo(), apixo, kie, kolersky}, apixo.id);
        panel.show();
        QComboBox *version = named<QComboBox>(&panel, QStringLiteral("Model version"));
        QComboBox *speed = named<QComboBox>(&panel, QStringLiteral("Speed"));
        QComboBox *motion = named<QComboBox>(&panel, QStringLiteral("Video motion"));
        QCOMPARE(version->itemText(0), QStringLiteral("default (v6.1)"));
        QCOMPARE(speed->itemText(0), QStringLiteral("default (fast)"));
        QVERIFY(panel.operation().version.isEmpty()); // the adapter sends the default, not Compose

        QComboBox *account = named<QComboBox>(&panel, QStringLiteral("Account"));
        account->setCurrentIndex(account->findData(kie.id));
        QCOMPARE(version->itemText(0), QStringLiteral("default"));
        QCOMPARE(speed->itemText(0), QStringLiteral("default (relaxed)"));
        QVERIFY(panel.setCurrentType(QStringLiteral("video")));
        QCOMPARE(motion->itemText(0), QStringLiteral("default (high)"));
        account->setCurrentIndex(account->findData(kolersky.id));
        QVERIFY(panel.setCurrentType(QStringLiteral("text")));
        QCOMPARE(speed->itemText(0), QStringLiteral("default"));
        QVERIFY(panel.setCurrentType(QStringLiteral("video")));
        QCOMPARE(motion->itemText(0), QStringLiteral("default (high)"));
    }

    void describeNeedsAnImageAndSendsIt()
    {
        Fixture f;
        f.choose(QStringLiteral("mj"));
        QVERIFY(f.panel.setCurrentType(QStringLiteral("describe")));
        QSignalSpy spy(&f.panel, &ComposePanel::generateRequested);
        f.panel.generate();
        QCOMPARE(spy.size(), 0);
        QVERIFY(errorShown(&f.panel, QStringLiteral("references")));
        const QString url = QStringLiteral("https://example.com/fox.png");
        f.panel.references()->addReference(url);
        f.panel.generate();
        QCOMPARE(spy.size(), 1);
        const auto op = spy.at(0).at(0).value<Operation>();
        QCOMPARE(op.kind, OperationKind::Describe);
        QCOMPARE(op.references, QStringList {url});
        QCOMPARE(spy.at(0).at(1).toString(), QStringLiteral("mj"));
        // A second image does not fit a describe.
        f.panel.references()->addReference(QStringLiteral("https://example.com/two.png"));
        QCOMPARE(f.panel.references()->count(), 1);
        QVERIFY(errorShown(&f.panel, QStringLiteral("at most")));
    }

    void localFilesBecomeDataUrlsWhereTheFamilyTakesThem()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ref.png"));
        QImage image(20, 10, QImage::Format_RGB32);
        image.fill(Qt::red);
        QVERIFY(image.save(path));

        Fixture f;
        f.choose(QStringLiteral("mj"));
        QVERIFY(f.panel.setCurrentType(QStringLiteral("image")));
        f.panel.references()->addReference(path);
        QCOMPARE(f.panel.references()->count(), 1);
        QTRY_COMPARE(f.panel.references()->pendingCount(), 0);
        const QStringList refs = f.panel.references()->references();
        QCOMPARE(refs.size(), 1);
        QVERIFY(refs.first().startsWith(QStringLiteral("data:image/png;base64,")));
        f.panel.promptEditor()->setPlainText(QStringLiteral("in this style"));
        QSignalSpy spy(&f.panel, &ComposePanel::generateRequested);
        f.panel.generate();
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).value<Operation>().references, refs);
        QCOMPARE(spy.at(0).at(0).value<Operation>().type, GenerateType::Image);

        // kie takes URLs only: the file is refused at once, with the field named.
        f.choose(QStringLiteral("kie"));
        f.panel.references()->clear();
        QVERIFY(f.panel.setCurrentType(QStringLiteral("image")));
        f.panel.references()->addReference(path);
        QCOMPARE(f.panel.references()->count(), 0);
        QVERIFY(errorShown(&f.panel, QStringLiteral("references: kie takes image URLs")));
    }

    void anImagePastedIntoThePromptIsAReference()
    {
        Fixture f;
        f.choose(QStringLiteral("mj"));
        QCOMPARE(f.panel.currentType(), QStringLiteral("text"));
        QImage image(12, 12, QImage::Format_RGB32);
        image.fill(Qt::blue);
        QGuiApplication::clipboard()->setImage(image);
        f.panel.promptEditor()->paste();
        QCOMPARE(f.panel.currentType(), QStringLiteral("image"));
        QTRY_COMPARE(f.panel.references()->references().size(), 1);
        QVERIFY(
            f.panel.references()->references().first().startsWith(QStringLiteral("data:image/png;base64,")));
        QCOMPARE(f.panel.promptEditor()->toPlainText(), QString());

        // The demo takes no references: it says so and keeps the prompt as it was.
        f.choose(QString::fromLatin1(Account::kDemoId));
        f.panel.promptEditor()->paste();
        QVERIFY(errorShown(&f.panel, QStringLiteral("references")));
        QCOMPARE(f.panel.currentType(), QStringLiteral("text"));
    }

    // Issue 14: the prompt's flags and the fields are one state, both ways, as the user types; a flag
    // that cannot be sent is named right under the prompt and Generate says why it is greyed.
    void flagsAndFieldsAreOneState()
    {
        Fixture f;
        f.choose(QStringLiteral("acc"));
        f.panel.show();
        PromptEditor *prompt = f.panel.promptEditor();
        QComboBox *aspect = named<QComboBox>(&f.panel, QStringLiteral("Aspect ratio"));
        QComboBox *version = named<QComboBox>(&f.panel, QStringLiteral("Model version"));
        QSpinBox *chaos = named<QSpinBox>(&f.panel, QStringLiteral("Chaos"));
        QPushButton *generate = named<QPushButton>(&f.panel, QStringLiteral("Generate"));
        QLabel *problem = named<QLabel>(&f.panel, QStringLiteral("Problem with the prompt's flags"));
        QVERIFY(aspect && version && chaos && generate && problem);
        QVERIFY(!generate->isEnabled()); // nothing to send yet
        QCOMPARE(generate->toolTip(), QStringLiteral("Write a prompt first"));

        prompt->setFocus();
        QTest::keyClicks(prompt, QStringLiteral("a fox --ar 16:9 --chaos 20 --v 7"));
        QCOMPARE(aspect->currentData().toString(), QStringLiteral("16:9"));
        QCOMPARE(chaos->value(), 20);
        QCOMPARE(version->currentData().toString(), QStringLiteral("7"));
        QVERIFY(generate->isEnabled());
        QVERIFY(problem->isHidden());

        // A field changed: its flag follows where it stands; "default" removes it.
        chaos->setValue(40);
        QCOMPARE(prompt->toPlainText(), QStringLiteral("a fox --ar 16:9 --chaos 40 --v 7"));
        aspect->setCurrentIndex(aspect->findData(QStringLiteral("1:1")));
        QCOMPARE(prompt->toPlainText(), QStringLiteral("a fox --ar 1:1 --chaos 40 --v 7"));
        version->setCurrentIndex(0);
        QCOMPARE(prompt->toPlainText(), QStringLiteral("a fox --ar 1:1 --chaos 40"));
        QCOMPARE(f.panel.operation().prompt, prompt->prompt()); // what is sent is what is shown

        // A flag deleted from the prompt puts its field back to default; a field without a flag is a field.
        prompt->setPlainText(QStringLiteral("a fox --chaos 40"));
        QCOMPARE(aspect->currentIndex(), 0);
        QCOMPARE(chaos->value(), 40);
        named<QSpinBox>(&f.panel, QStringLiteral("Stylize"))->setValue(100);
        QCOMPARE(prompt->toPlainText(), QStringLiteral("a fox --chaos 40"));

        // Unreadable or not offered: named under the prompt, Generate greyed with the reason.
        prompt->moveCursor(QTextCursor::End);
        QTest::keyClicks(prompt, QStringLiteral(" --ar wide"));
        QVERIFY(problem->isVisible());
        QVERIFY2(problem->text().contains(QStringLiteral("--ar: \"wide\" is not a ratio")),
                 qPrintable(problem->text()));
        QVERIFY(!generate->isEnabled());
        QVERIFY(generate->toolTip().startsWith(QStringLiteral("Fix the prompt first: ")));
        // Right under the prompt, not far below.
        QVERIFY(problem->mapTo(&f.panel, QPoint(0, 0)).y()
                    - prompt->mapTo(&f.panel, QPoint(0, prompt->height())).y()
                < 20);
        prompt->setPlainText(QStringLiteral("a fox --v 5"));
        QVERIFY2(problem->text().contains(QStringLiteral("--v 5: this account offers 7")),
                 qPrintable(problem->text()));
        prompt->setPlainText(QStringLiteral("a fox --chaos 500"));
        QVERIFY2(problem->text().contains(QStringLiteral("--chaos 500: from 0 to 100")),
                 qPrintable(problem->text()));
        prompt->setPlainText(QStringLiteral("a fox"));
        QVERIFY(problem->isHidden());
        QVERIFY(generate->isEnabled());

        // A family that sends the prompt as typed (midjourney-proxy) takes --v 5 as the user's to send.
        f.choose(QStringLiteral("mj"));
        prompt->setPlainText(QStringLiteral("a fox --v 5"));
        QVERIFY(problem->isHidden());
        QVERIFY(generate->isEnabled());
    }

    void usePromptSwitchesToImagine()
    {
        Fixture f;
        f.choose(QStringLiteral("mj"));
        QVERIFY(f.panel.setCurrentType(QStringLiteral("describe")));
        f.panel.usePrompt(QStringLiteral("a fox --ar 4:3"));
        QCOMPARE(f.panel.currentType(), QStringLiteral("text"));
        QVERIFY(f.panel.promptEditor()->isVisible());
        QCOMPARE(f.panel.promptEditor()->prompt(), QStringLiteral("a fox --ar 4:3"));
    }
};

QTEST_MAIN(TstCompose)
#include "tst_compose.moc"
