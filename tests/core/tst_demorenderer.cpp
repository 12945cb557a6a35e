#include "demo/demorenderer.h"

#include <QCryptographicHash>
#include <QTest>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <cmath>
#include <thread>
#include <vector>

using tessera::demo::DemoRenderer;
using tessera::demo::Scene;
using tessera::demo::StyleParams;

namespace {

constexpr int kSide = 96; // small tiles keep the suite fast under sanitizers

// Mean absolute difference per channel, 0..255.
double meanDiff(const QImage &a, const QImage &b)
{
    if (a.size() != b.size())
        return 255.0;
    double sum = 0;
    for (int y = 0; y < a.height(); ++y) {
        const auto *pa = reinterpret_cast<const QRgb *>(a.constScanLine(y));
        const auto *pb = reinterpret_cast<const QRgb *>(b.constScanLine(y));
        for (int x = 0; x < a.width(); ++x) {
            sum += std::abs(qRed(pa[x]) - qRed(pb[x])) + std::abs(qGreen(pa[x]) - qGreen(pb[x]))
                + std::abs(qBlue(pa[x]) - qBlue(pb[x]));
        }
    }
    return sum / (3.0 * a.width() * a.height());
}

double redBlueRatio(const QImage &image)
{
    double red = 0, blue = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto *p = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            red += qRed(p[x]);
            blue += qBlue(p[x]);
        }
    }
    return red / std::max(1.0, blue);
}

double meanSaturation(const QImage &image)
{
    double sum = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto *p = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            sum += std::max({qRed(p[x]), qGreen(p[x]), qBlue(p[x])})
                - std::min({qRed(p[x]), qGreen(p[x]), qBlue(p[x])});
    }
    return sum / (image.width() * image.height());
}

std::array<Scene, 4> gridScenes(const QString &prompt, quint64 seed, const StyleParams &style = {})
{
    std::array<Scene, 4> scenes;
    for (int i = 0; i < 4; ++i)
        scenes.at(std::size_t(i)) = DemoRenderer::composeScene(prompt, seed, i + 1, style);
    return scenes;
}

QImage tile(const QString &prompt, quint64 seed = 7, int index = 1, const StyleParams &style = {})
{
    return DemoRenderer::render(DemoRenderer::composeScene(prompt, seed, index, style), QSize(kSide, kSide));
}

const QStringList &prompts()
{
    static const QStringList list {QStringLiteral("a red fox in autumn forest"),
                                   QStringLiteral("harbor at night with boats"),
                                   QStringLiteral("deep blue ocean"),
                                   QStringLiteral("neon city"),
                                   QStringLiteral("zzqx"),
                                   QStringLiteral("aurora over a frozen lake"),
                                   QStringLiteral("misty desert canyon with birds")};
    return list;
}

void promptRows()
{
    QTest::addColumn<QString>("prompt");
    for (const QString &prompt : prompts())
        QTest::newRow(qPrintable(prompt)) << prompt;
}

} // namespace

class TestDemoRenderer : public QObject
{
    Q_OBJECT

private slots:
    void sameInputsGiveSameImage_data() { promptRows(); }
    void sameInputsGiveSameImage()
    {
        QFETCH(QString, prompt);
        StyleParams style;
        style.chaos = 30;
        style.weird = 250;
        const Scene a = DemoRenderer::composeScene(prompt, 123456789, 3, style);
        const Scene b = DemoRenderer::composeScene(prompt, 123456789, 3, style);
        QCOMPARE(a.seed, b.seed);
        QCOMPARE(a.palette, b.palette);
        QCOMPARE(a.horizon, b.horizon);
        QCOMPARE(DemoRenderer::render(a, QSize(kSide, 64)), DemoRenderer::render(b, QSize(kSide, 64)));
        QCOMPARE(DemoRenderer::renderGrid(gridScenes(prompt, 5), QSize(48, 32)),
                 DemoRenderer::renderGrid(gridScenes(prompt, 5), QSize(48, 32)));
    }

    void rendersAlikeOnManyThreads()
    {
        // Workers render tiles in parallel in the app: no shared mutable state, same pixels.
        const std::array<Scene, 4> scenes = gridScenes(QStringLiteral("harbor at night with boats"), 17);
        std::array<QImage, 4> parallel;
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < scenes.size(); ++i)
            threads.emplace_back(
                [&, i] { parallel.at(i) = DemoRenderer::render(scenes.at(i), QSize(64, 48)); });
        for (std::thread &thread : threads)
            thread.join();
        for (std::size_t i = 0; i < scenes.size(); ++i)
            QCOMPARE(parallel.at(i), DemoRenderer::render(scenes.at(i), QSize(64, 48)));
    }

    void fourTilesDiffer_data() { promptRows(); }
    void fourTilesDiffer()
    {
        QFETCH(QString, prompt);
        const std::array<Scene, 4> scenes = gridScenes(prompt, 99);
        std::array<QImage, 4> images;
        for (std::size_t i = 0; i < 4; ++i)
            images.at(i) = DemoRenderer::render(scenes.at(i), QSize(kSide, kSide));
        for (std::size_t i = 0; i < 4; ++i) {
            for (std::size_t j = i + 1; j < 4; ++j) {
                const double diff = meanDiff(images.at(i), images.at(j));
                QVERIFY2(diff > 6.0,
                         qPrintable(QStringLiteral("tiles %1 and %2: %3").arg(i).arg(j).arg(diff)));
            }
        }
    }

    void chaosSpreadsTiles()
    {
        StyleParams wild;
        wild.chaos = 100;
        double calm = 0, chaotic = 0;
        for (quint64 seed = 1; seed <= 6; ++seed) {
            calm += meanDiff(tile(QStringLiteral("deep blue ocean"), seed, 1),
                             tile(QStringLiteral("deep blue ocean"), seed, 2));
            chaotic += meanDiff(tile(QStringLiteral("deep blue ocean"), seed, 1, wild),
                                tile(QStringLiteral("deep blue ocean"), seed, 2, wild));
        }
        QVERIFY2(chaotic > calm, qPrintable(QStringLiteral("%1 vs %2").arg(chaotic).arg(calm)));
    }

    void differentPromptsDiffer()
    {
        for (qsizetype i = 0; i < prompts().size(); ++i) {
            for (qsizetype j = i + 1; j < prompts().size(); ++j) {
                const double diff = meanDiff(tile(prompts().at(i)), tile(prompts().at(j)));
                QVERIFY2(
                    diff > 8.0,
                    qPrintable(prompts().at(i) % u" / " % prompts().at(j) % u": " % QString::number(diff)));
            }
        }
        QVERIFY(tile(QStringLiteral("zzqx"), 1) != tile(QStringLiteral("zzqx"), 2)); // the seed matters too
    }

    void wordsSteerColour()
    {
        const QImage warm
            = DemoRenderer::renderGrid(gridScenes(QStringLiteral("a red fox at sunset"), 3), QSize(64, 64));
        const QImage cold = DemoRenderer::renderGrid(
            gridScenes(QStringLiteral("deep blue ocean at night"), 3), QSize(64, 64));
        QVERIFY2(redBlueRatio(warm) > 1.5 * redBlueRatio(cold),
                 qPrintable(QStringLiteral("%1 vs %2").arg(redBlueRatio(warm)).arg(redBlueRatio(cold))));
        // Night words give a starry sky, sea words water, and capitals mean the same words.
        QVERIFY(DemoRenderer::composeScene(QStringLiteral("starry NIGHT"), 1, 1, {}).starCount > 0);
        QCOMPARE(DemoRenderer::composeScene(QStringLiteral("sunny beach"), 1, 1, {}).water, true);
        QCOMPARE(tile(QStringLiteral("Red Fox")), tile(QStringLiteral("red fox")));
    }

    void styleParamsShowInThePicture()
    {
        StyleParams raw, stylized, niji;
        raw.stylize = 0;
        stylized.stylize = 1000;
        niji.version = QStringLiteral("niji 6");
        const QString prompt = QStringLiteral("golden hills");
        QVERIFY(meanSaturation(tile(prompt, 4, 1, stylized)) > meanSaturation(tile(prompt, 4, 1, raw)));
        QVERIFY(DemoRenderer::composeScene(prompt, 4, 1, niji).flat);
        QVERIFY(!DemoRenderer::composeScene(prompt, 4, 1, raw).flat);
        QVERIFY(meanDiff(tile(prompt, 4, 1, niji), tile(prompt, 4, 1)) > 1.0);
        StyleParams weird;
        weird.weird = 3000;
        QVERIFY(DemoRenderer::composeScene(prompt, 4, 1, weird).warp > 0);
    }

    void gridTilesAreTheRenders_data()
    {
        QTest::addColumn<QString>("aspect");
        QTest::newRow("square") << QStringLiteral("1:1");
        QTest::newRow("portrait") << QStringLiteral("2:3");
        QTest::newRow("wide") << QStringLiteral("16:9");
    }
    void gridTilesAreTheRenders()
    {
        QFETCH(QString, aspect);
        const QSize size = DemoRenderer::tileSizeFor(aspect, 80);
        const std::array<Scene, 4> scenes = gridScenes(QStringLiteral("harbor at night with boats"), 11);
        const QImage grid = DemoRenderer::renderGrid(scenes, size);
        QCOMPARE(grid.size(), size * 2);
        QCOMPARE(grid.format(), QImage::Format_RGB32);
        for (int i = 0; i < 4; ++i) {
            const QRect rect(QPoint((i % 2) * size.width(), (i / 2) * size.height()), size);
            QCOMPARE(grid.copy(rect), DemoRenderer::render(scenes.at(std::size_t(i)), size));
        }
    }

    void upscaleIsTheSamePicture_data() { promptRows(); }
    void upscaleIsTheSamePicture()
    {
        QFETCH(QString, prompt);
        const Scene scene = DemoRenderer::composeScene(prompt, 21, 2, {});
        const QImage small = DemoRenderer::render(scene, QSize(kSide, 64));
        const QImage big = DemoRenderer::render(scene, QSize(2 * kSide, 128));
        const QImage down = big.scaled(small.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        const double diff = meanDiff(small, down);
        // Only the finest details (sub-pixel grid lines, stars) may render a little differently.
        QVERIFY2(diff < 3.5, qPrintable(QString::number(diff)));
    }

    void viewWindowPansAndZooms()
    {
        Scene scene = DemoRenderer::composeScene(QStringLiteral("a red fox in autumn forest"), 8, 1, {});
        const QImage whole = DemoRenderer::render(scene, QSize(128, 128));
        scene.viewScale = 0.5; // the middle half of the picture, twice as large
        const QImage zoomed = DemoRenderer::render(scene, QSize(128, 128));
        const QImage middle = whole.copy(32, 32, 64, 64);
        const double diff
            = meanDiff(middle, zoomed.scaled(64, 64, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
        QVERIFY2(diff < 4.0, qPrintable(QString::number(diff)));
        scene.viewScale = 1.0;
        scene.viewX = 0.25;
        QVERIFY(meanDiff(DemoRenderer::render(scene, QSize(128, 128)), whole) > 1.0);
    }

    void varyIsRelatedButDifferent_data() { promptRows(); }
    void varyIsRelatedButDifferent()
    {
        QFETCH(QString, prompt);
        const Scene base = DemoRenderer::composeScene(prompt, 31, 1, {});
        const QImage original = DemoRenderer::render(base, QSize(kSide, kSide));
        const QImage other = DemoRenderer::render(
            DemoRenderer::composeScene(prompt % u" elsewhere", 77, 3, {}), QSize(kSide, kSide));
        double subtle = 0, strong = 0;
        for (int i = 1; i <= 4; ++i) {
            const QImage s
                = DemoRenderer::render(DemoRenderer::varyScene(base, 5, i, 0.15), QSize(kSide, kSide));
            const QImage l
                = DemoRenderer::render(DemoRenderer::varyScene(base, 5, i, 0.6), QSize(kSide, kSide));
            QVERIFY(s != original);
            subtle += meanDiff(original, s) / 4;
            strong += meanDiff(original, l) / 4;
        }
        QVERIFY2(subtle < strong, qPrintable(QStringLiteral("%1 vs %2").arg(subtle).arg(strong)));
        QVERIFY2(subtle < meanDiff(original, other),
                 qPrintable(QStringLiteral("%1 vs %2").arg(subtle).arg(meanDiff(original, other))));
        const QImage one
            = DemoRenderer::render(DemoRenderer::varyScene(base, 5, 1, 0.3), QSize(kSide, kSide));
        const QImage two
            = DemoRenderer::render(DemoRenderer::varyScene(base, 5, 2, 0.3), QSize(kSide, kSide));
        QVERIFY(meanDiff(one, two) > 0.5);
        QCOMPARE(DemoRenderer::render(DemoRenderer::varyScene(base, 5, 2, 0.3), QSize(kSide, kSide)), two);
    }

    void pixelsAreTheSameEverywhere()
    {
        // The renderer promises the same bytes on every compiler and CPU (a stored job re-renders
        // exactly), so the expected hash is the same on every CI platform. If the look is changed on
        // purpose, print the new hash and update it here.
        QCryptographicHash hash(QCryptographicHash::Sha256);
        auto add = [&hash](const QImage &image) {
            for (int y = 0; y < image.height(); ++y) {
                const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
                for (int x = 0; x < image.width(); ++x) {
                    const quint32 pixel = qToLittleEndian(quint32(line[x])); // the same bytes on any CPU
                    hash.addData(QByteArrayView(reinterpret_cast<const char *>(&pixel), sizeof(pixel)));
                }
            }
        };
        StyleParams style;
        style.chaos = 50;
        style.weird = 700;
        style.stylize = 600;
        for (const QString &prompt : prompts()) {
            const std::array<Scene, 4> scenes = gridScenes(prompt, 2024, style);
            add(DemoRenderer::renderGrid(scenes, QSize(40, 28)));
            add(DemoRenderer::render(DemoRenderer::varyScene(scenes.at(2), 9, 3, 0.4), QSize(30, 45)));
        }
        style.version = QStringLiteral("niji 6");
        add(DemoRenderer::render(DemoRenderer::composeScene(QStringLiteral("golden hills"), 3, 1, style),
                                 QSize(50, 50)));
        QCOMPARE(hash.result().toHex(),
                 QByteArray("6ab8cde38de70e29745dc980fc8ec2d0eb7d47808936b64c12505c3cc4a0de1d"));
    }

    void tileSizeFor_data()
    {
        QTest::addColumn<QString>("aspect");
        QTest::addColumn<int>("longSide");
        QTest::addColumn<QSize>("expected");
        QTest::newRow("square") << QStringLiteral("1:1") << 512 << QSize(512, 512);
        QTest::newRow("2:3 keeps odd") << QStringLiteral("2:3") << 512 << QSize(341, 512);
        QTest::newRow("3:2") << QStringLiteral("3:2") << 512 << QSize(512, 341);
        QTest::newRow("16:9") << QStringLiteral("16:9") << 1024 << QSize(1024, 576);
        QTest::newRow("9:16") << QStringLiteral("9:16") << 1024 << QSize(576, 1024);
        QTest::newRow("21:9 rounds") << QStringLiteral("21:9") << 1024 << QSize(1024, 439);
        QTest::newRow("7:4") << QStringLiteral("7:4") << 512 << QSize(512, 293);
        QTest::newRow("spaces") << QStringLiteral(" 4 : 5 ") << 500 << QSize(400, 500);
        QTest::newRow("decimal") << QStringLiteral("1.91:1") << 382 << QSize(382, 200);
        QTest::newRow("4:1 limit") << QStringLiteral("4:1") << 512 << QSize(512, 128);
        QTest::newRow("clamped wide") << QStringLiteral("10:1") << 512 << QSize(512, 128);
        QTest::newRow("clamped tall") << QStringLiteral("1:10") << 512 << QSize(128, 512);
        QTest::newRow("empty") << QString() << 256 << QSize(256, 256);
        QTest::newRow("garbage") << QStringLiteral("wide") << 256 << QSize(256, 256);
        QTest::newRow("three parts") << QStringLiteral("1:2:3") << 256 << QSize(256, 256);
        QTest::newRow("zero") << QStringLiteral("0:1") << 256 << QSize(256, 256);
        QTest::newRow("negative") << QStringLiteral("-2:3") << 256 << QSize(256, 256);
        QTest::newRow("tiny long side") << QStringLiteral("2:3") << 1 << QSize(1, 1);
        QTest::newRow("no long side") << QStringLiteral("16:9") << 0 << QSize(1, 1);
    }
    void tileSizeFor()
    {
        QFETCH(QString, aspect);
        QFETCH(int, longSide);
        QFETCH(QSize, expected);
        QCOMPARE(DemoRenderer::tileSizeFor(aspect, longSide), expected);
    }

    void tinyAndOddSizes()
    {
        const Scene scene
            = DemoRenderer::composeScene(QStringLiteral("harbor at night with boats"), 2, 1, {});
        for (const QSize size : {QSize(1, 1), QSize(3, 2), QSize(2, 3), QSize(1, 9), QSize(9, 1)}) {
            const QImage image = DemoRenderer::render(scene, size);
            QCOMPARE(image.size(), size);
            QCOMPARE(image.format(), QImage::Format_RGB32);
        }
        QCOMPARE(DemoRenderer::renderGrid(gridScenes(QStringLiteral("neon city"), 1), QSize(1, 1)).size(),
                 QSize(2, 2));
        QVERIFY(DemoRenderer::render(scene, QSize(0, 10)).isNull());
        QVERIFY(DemoRenderer::renderGrid(gridScenes(QStringLiteral("x"), 1), QSize()).isNull());
    }

    void oddScenesStillRender()
    {
        // A default Scene (invalid colours) and out-of-range values must not crash or hang.
        QCOMPARE(DemoRenderer::render(Scene {}, QSize(16, 16)).size(), QSize(16, 16));
        Scene odd = DemoRenderer::composeScene(QStringLiteral("aurora"), 3, 4, {});
        odd.ridgeCount = 99;
        odd.starCount = 1'000'000;
        odd.horizon = -3;
        odd.sunRadius = 1e9;
        odd.viewScale = 0;
        odd.viewX = std::nan("");
        odd.warp = 1e30;
        QCOMPARE(DemoRenderer::render(odd, QSize(24, 16)).size(), QSize(24, 16));
    }
};

QTEST_GUILESS_MAIN(TestDemoRenderer)
#include "tst_demorenderer.moc"
