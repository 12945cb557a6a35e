// `tessera-cli mask export` end to end: the real binary, run with QProcess in a throwaway home per test case,
// on fixture PNGs written at run time. What is printed must be the mask exactly as a provider receives it
// (PROVIDERS.md "Mask PNGs everywhere", §2 polygon areas, §4 maskBase64): an opaque 8-bit grayscale PNG of
// pure black and white, as raw base64 or a data URL, or the apixo payload whose rings (ε = 0) fill back
// to the mask.
#include "processrun.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

namespace {

constexpr int kProcessTimeoutMs = 60'000;

using Run = tessera::test::ProcessRun;

// A fixture: the file's image as written, and the mask it must give (0 keep, 255 regenerate).
struct Fixture
{
    QImage source;
    QImage expected;
};

QImage blank(int width, int height)
{
    QImage image(width, height, QImage::Format_Grayscale8);
    image.fill(0);
    return image;
}

void set(QImage &mask, int x, int y, bool white)
{
    mask.scanLine(y)[x] = white ? 255 : 0;
}

// 64×48 grayscale: a rectangle with a hole, a one-pixel island in the hole, a lone pixel in a corner; grey
// levels well away from the threshold on both sides.
Fixture rectangleWithHole()
{
    QImage source = blank(64, 48);
    QImage expected = blank(64, 48);
    for (int y = 0; y < 48; ++y) {
        for (int x = 0; x < 64; ++x) {
            const bool rect = x >= 8 && x < 56 && y >= 6 && y < 42;
            const bool hole = x >= 20 && x < 34 && y >= 15 && y < 27;
            const bool island = x == 26 && y == 20;
            const bool corner = x == 62 && y == 46;
            const bool white = (rect && !hole) || island || corner;
            source.scanLine(y)[x] = white ? (island ? 210 : 255) : (x % 5 == 0 ? 40 : 0);
            set(expected, x, y, white);
        }
    }
    return {source, expected};
}

// 40×30 colour with alpha: transparent white counts as black, an opaque yellow disc (white) with a dark
// blue square hole, a light grey bar (white) and dark grey noise (black).
Fixture colourWithAlpha()
{
    QImage source(40, 30, QImage::Format_ARGB32);
    QImage expected = blank(40, 30);
    for (int y = 0; y < 30; ++y) {
        auto *line = reinterpret_cast<QRgb *>(source.scanLine(y));
        for (int x = 0; x < 40; ++x) {
            const double dx = x + 0.5 - 15, dy = y + 0.5 - 15;
            const bool disc = dx * dx + dy * dy <= 100;
            const bool hole = x >= 13 && x < 17 && y >= 13 && y < 17;
            const bool bar = x >= 30 && x < 38 && y >= 3 && y < 25;
            QRgb colour = qRgba(255, 255, 255, 0);
            if (disc)
                colour = hole ? qRgb(0, 0, 128) : qRgb(255, 255, 0);
            else if (bar)
                colour = qRgb(200, 200, 200);
            else if ((x + y) % 7 == 0)
                colour = qRgb(90, 90, 90);
            line[x] = colour;
            set(expected, x, y, (disc && !hole) || bar);
        }
    }
    return {source, expected};
}

// 17×9 RGB without alpha: speckles, many of them single pixels, touching diagonally.
Fixture oddSpeckles()
{
    QImage source(17, 9, QImage::Format_RGB888);
    QImage expected = blank(17, 9);
    for (int y = 0; y < 9; ++y) {
        for (int x = 0; x < 17; ++x) {
            const bool white = (x * 3 + y * 5) % 7 < 3;
            source.setPixel(x, y, white ? qRgb(230, 240, 250) : qRgb(20, 40, 10));
            set(expected, x, y, white);
        }
    }
    return {source, expected};
}

// Nearest-neighbour fit: target pixel x samples the source pixel under its centre, floor((x + ½)·sw / tw).
QImage scaledNearest(const QImage &mask, QSize size)
{
    QImage out = blank(size.width(), size.height());
    for (int y = 0; y < size.height(); ++y) {
        const int sy = int(std::floor((y + 0.5) * mask.height() / size.height()));
        for (int x = 0; x < size.width(); ++x) {
            const int sx = int(std::floor((x + 0.5) * mask.width() / size.width()));
            out.scanLine(y)[x] = mask.constScanLine(sy)[sx];
        }
    }
    return out;
}

using Polygon = std::vector<QPoint>;

// Even-odd scanline fill of one ring: calls hit(x, y) for every pixel whose centre lies inside.
template<class F> void fill(const Polygon &polygon, QSize size, F hit)
{
    if (polygon.empty())
        return;
    for (int y = 0; y < size.height(); ++y) {
        const double yc = y + 0.5;
        std::vector<double> crossings;
        for (std::size_t i = 0; i < polygon.size(); ++i) {
            const QPoint a = polygon[i], b = polygon[(i + 1) % polygon.size()];
            if ((a.y() <= yc) == (b.y() <= yc))
                continue;
            crossings.push_back(a.x() + (yc - a.y()) * (b.x() - a.x()) / double(b.y() - a.y()));
        }
        std::sort(crossings.begin(), crossings.end());
        for (std::size_t k = 0; k + 1 < crossings.size(); k += 2) {
            const int from = std::max(0, int(std::floor(crossings[k] - 0.5)) + 1);
            const int to = std::min(size.width() - 1, int(std::floor(crossings[k + 1] - 0.5)));
            for (int x = from; x <= to; ++x)
                hit(x, y);
        }
    }
}

// The union of the areas (each ring filled on its own, as apixo does); `overlaps` counts pixels covered
// twice.
QImage rasterise(const QJsonArray &areas, QSize size, int *overlaps)
{
    QImage image = blank(size.width(), size.height());
    *overlaps = 0;
    for (const QJsonValue &area : areas) {
        const QJsonArray points = area.toObject().value(QStringLiteral("points")).toArray();
        Polygon polygon;
        for (qsizetype i = 0; i + 1 < points.size(); i += 2)
            polygon.emplace_back(points[i].toInt(), points[i + 1].toInt());
        fill(polygon, size, [&](int x, int y) {
            uchar &v = image.scanLine(y)[x];
            *overlaps += v != 0;
            v = 255;
        });
    }
    return image;
}

QString pointsOf(const QJsonObject &payload)
{
    return QString::fromUtf8(
        QJsonDocument(
            payload.value(QStringLiteral("mask")).toObject().value(QStringLiteral("areas")).toArray())
            .toJson(QJsonDocument::Compact));
}

qsizetype pointCount(const QJsonObject &payload)
{
    qsizetype n = 0;
    for (const QJsonValue &area :
         payload.value(QStringLiteral("mask")).toObject().value(QStringLiteral("areas")).toArray())
        n += area.toObject().value(QStringLiteral("points")).toArray().size();
    return n;
}

} // namespace

class TestCliMask : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void base64AndDataUrl_data();
    void base64AndDataUrl();
    void polygons_data();
    void polygons();
    void epsilonSimplifies();
    void sizeFits_data();
    void sizeFits();
    void errors_data();
    void errors();
    void help();

private:
    Run cli(const QStringList &args);
    QString fixturePath(const QString &name) const;
    // The one line `run` printed, without its newline; a test failure when it printed anything else.
    QByteArray singleLine(const Run &run);
    // The PNG behind a base64 export, checked to be an opaque 8-bit grayscale PNG; the decoded mask.
    QImage decodeExport(const QByteArray &base64);
    QJsonObject payload(const Run &run);
    void checkPayloadFrame(const QJsonObject &payload, QSize size);

    std::unique_ptr<QTemporaryDir> m_fixtures;
    std::unique_ptr<QTemporaryDir> m_home;
    QProcessEnvironment m_env;
    QHash<QString, QImage> m_expected;
};

void TestCliMask::initTestCase()
{
    m_fixtures = std::make_unique<QTemporaryDir>();
    QVERIFY(m_fixtures->isValid());
    const auto write = [this](const QString &name, const Fixture &fixture) {
        QVERIFY(fixture.source.save(fixturePath(name), "PNG"));
        m_expected.insert(name, fixture.expected);
    };
    write(QStringLiteral("rect.png"), rectangleWithHole());
    write(QStringLiteral("colour.png"), colourWithAlpha());
    write(QStringLiteral("odd.png"), oddSpeckles());
    // A disc large enough for ε = 1 to drop vertices.
    QImage disc = blank(120, 100);
    for (int y = 0; y < 100; ++y) {
        for (int x = 0; x < 120; ++x) {
            const double dx = (x + 0.5 - 60) / 42, dy = (y + 0.5 - 50) / 40;
            set(disc, x, y, dx * dx + dy * dy <= 1);
        }
    }
    QVERIFY(disc.save(fixturePath(QStringLiteral("disc.png")), "PNG"));
    QVERIFY(blank(10, 10).save(fixturePath(QStringLiteral("black.png")), "PNG"));
    QFile text(fixturePath(QStringLiteral("notes.png")));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("this is not a PNG\n");
}

void TestCliMask::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    const QString root = m_home->path();
    m_env = QProcessEnvironment::systemEnvironment();
    m_env.insert(QStringLiteral("HOME"), root);
    m_env.insert(QStringLiteral("XDG_DATA_HOME"), root + QStringLiteral("/data"));
    m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/config"));
    m_env.insert(QStringLiteral("XDG_CACHE_HOME"), root + QStringLiteral("/cache"));
    m_env.remove(QStringLiteral("TESSERA_API_KEY"));
    m_env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
}

void TestCliMask::cleanup()
{
    m_home.reset();
}

QString TestCliMask::fixturePath(const QString &name) const
{
    return m_fixtures->filePath(name);
}

Run TestCliMask::cli(const QStringList &args)
{
    return tessera::test::runProcess(QStringLiteral(TESSERA_CLI_PATH), args, m_env, m_home->path(), {},
                                     kProcessTimeoutMs);
}

QByteArray TestCliMask::singleLine(const Run &run)
{
    if (run.crashed || run.exitCode != 0 || !run.err.isEmpty() || !run.out.endsWith('\n')
        || run.out.count('\n') != 1) {
        QTest::qFail(qPrintable(QStringLiteral("expected one line on stdout and success; ") + run.describe()),
                     __FILE__, __LINE__);
        return {};
    }
    return run.out.chopped(1);
}

QImage TestCliMask::decodeExport(const QByteArray &base64)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        base64, QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        QTest::qFail("not valid base64", __FILE__, __LINE__);
        return {};
    }
    const QByteArray png = *decoded;
    // Standard base64 with padding: encoding again gives the same text.
    if (png.toBase64() != base64) {
        QTest::qFail("not canonical padded base64", __FILE__, __LINE__);
        return {};
    }
    // IHDR: bit depth 8, colour type 0 (grayscale, so no alpha), not interlaced.
    if (!png.startsWith("\x89PNG\r\n\x1a\n") || png.mid(12, 4) != "IHDR" || png.size() < 29 || png.at(24) != 8
        || png.at(25) != 0 || png.at(28) != 0) {
        QTest::qFail("not an 8-bit grayscale, non-interlaced PNG", __FILE__, __LINE__);
        return {};
    }
    QBuffer buffer;
    buffer.setData(png);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, "png");
    const QImage image = reader.read();
    if (image.isNull() || image.hasAlphaChannel() || !image.isGrayscale()) {
        QTest::qFail("the PNG does not decode to an opaque grayscale image", __FILE__, __LINE__);
        return {};
    }
    return image.convertToFormat(QImage::Format_Grayscale8);
}

QJsonObject TestCliMask::payload(const Run &run)
{
    const QByteArray line = singleLine(run);
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        QTest::qFail(qPrintable(QStringLiteral("not a JSON object: ") + run.describe()), __FILE__, __LINE__);
        return {};
    }
    return doc.object();
}

void TestCliMask::checkPayloadFrame(const QJsonObject &payload, QSize size)
{
    const QJsonObject frame {{QStringLiteral("width"), size.width()},
                             {QStringLiteral("height"), size.height()}};
    QCOMPARE(payload.value(QStringLiteral("canvas")).toObject(), frame);
    QJsonObject imgPos = frame;
    imgPos.insert(QStringLiteral("x"), 0);
    imgPos.insert(QStringLiteral("y"), 0);
    QCOMPARE(payload.value(QStringLiteral("imgPos")).toObject(), imgPos);
    const QJsonObject mask = payload.value(QStringLiteral("mask")).toObject();
    QCOMPARE(mask.keys(), QStringList {QStringLiteral("areas")});
    const QJsonArray areas = mask.value(QStringLiteral("areas")).toArray();
    QVERIFY(!areas.isEmpty());
    for (const QJsonValue &area : areas) {
        const QJsonObject o = area.toObject();
        QCOMPARE(o.value(QStringLiteral("width")).toInt(), size.width());
        QCOMPARE(o.value(QStringLiteral("height")).toInt(), size.height());
        const QJsonArray points = o.value(QStringLiteral("points")).toArray();
        QVERIFY(points.size() >= 6 && points.size() % 2 == 0);
        for (const QJsonValue &v : points)
            QVERIFY2(v.isDouble() && v.toDouble() == std::floor(v.toDouble()), "vertices are whole numbers");
    }
}

void TestCliMask::base64AndDataUrl_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::newRow("grayscale rectangle with a hole") << QStringLiteral("rect.png");
    QTest::newRow("colour with alpha") << QStringLiteral("colour.png");
    QTest::newRow("odd size speckles") << QStringLiteral("odd.png");
}

void TestCliMask::base64AndDataUrl()
{
    QFETCH(QString, fixture);
    const QImage expected = m_expected.value(fixture);
    const QString path = fixturePath(fixture);

    const Run raw = cli({QStringLiteral("mask"), QStringLiteral("export"), path, QStringLiteral("--format"),
                         QStringLiteral("base64")});
    const QByteArray base64 = singleLine(raw);
    QVERIFY(!base64.isEmpty());
    const QImage mask = decodeExport(base64);
    QCOMPARE(mask.size(), expected.size());
    QCOMPARE(mask, expected);

    const Run url = cli({QStringLiteral("mask"), QStringLiteral("export"), path, QStringLiteral("--format"),
                         QStringLiteral("dataurl")});
    const QByteArray dataUrl = singleLine(url);
    QVERIFY2(dataUrl.startsWith("data:image/png;base64,"), dataUrl.left(40).constData());
    QCOMPARE(dataUrl.mid(22), base64);
}

void TestCliMask::polygons_data()
{
    base64AndDataUrl_data();
}

// ε = 0: filling the rings (pixel centres inside, each ring on its own) gives back the mask exactly, with
// no pixel covered twice (PROVIDERS.md §2).
void TestCliMask::polygons()
{
    QFETCH(QString, fixture);
    const QImage expected = m_expected.value(fixture);
    const QString path = fixturePath(fixture);

    const QJsonObject exact
        = payload(cli({QStringLiteral("mask"), QStringLiteral("export"), path, QStringLiteral("--format"),
                       QStringLiteral("polygons"), QStringLiteral("--epsilon"), QStringLiteral("0")}));
    checkPayloadFrame(exact, expected.size());
    if (QTest::currentTestFailed())
        return;
    int overlaps = -1;
    QCOMPARE(
        rasterise(exact.value(QStringLiteral("mask")).toObject().value(QStringLiteral("areas")).toArray(),
                  expected.size(), &overlaps),
        expected);
    QCOMPARE(overlaps, 0);

    // The default tolerance is 1 px.
    const QJsonObject simplified = payload(cli({QStringLiteral("mask"), QStringLiteral("export"), path,
                                                QStringLiteral("--format"), QStringLiteral("polygons")}));
    checkPayloadFrame(simplified, expected.size());
    const QJsonObject one
        = payload(cli({QStringLiteral("mask"), QStringLiteral("export"), path, QStringLiteral("--format"),
                       QStringLiteral("polygons"), QStringLiteral("--epsilon"), QStringLiteral("1.0")}));
    QCOMPARE(pointsOf(simplified), pointsOf(one));
}

void TestCliMask::epsilonSimplifies()
{
    const QString path = fixturePath(QStringLiteral("disc.png"));
    const auto run = [&](const QString &epsilon) {
        return payload(
            cli({QStringLiteral("mask"), QStringLiteral("export"), path, QStringLiteral("--format"),
                 QStringLiteral("polygons"), QStringLiteral("--epsilon"), epsilon}));
    };
    const QJsonObject exact = run(QStringLiteral("0"));
    const QJsonObject one = run(QStringLiteral("1"));
    const QJsonObject coarse = run(QStringLiteral("4.5"));
    for (const QJsonObject &p : {exact, one, coarse})
        checkPayloadFrame(p, QSize(120, 100));
    QVERIFY2(pointCount(one) < pointCount(exact), qPrintable(QString::number(pointCount(one))));
    QVERIFY2(pointCount(coarse) < pointCount(one), qPrintable(QString::number(pointCount(coarse))));
}

void TestCliMask::sizeFits_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("size");
    QTest::addColumn<QSize>("expectedSize");
    QTest::newRow("rect up 2x") << QStringLiteral("rect.png") << QStringLiteral("128x96") << QSize(128, 96);
    QTest::newRow("rect down, other aspect")
        << QStringLiteral("rect.png") << QStringLiteral("50x31") << QSize(50, 31);
    QTest::newRow("odd up, uneven factors")
        << QStringLiteral("odd.png") << QStringLiteral("40X20") << QSize(40, 20);
    QTest::newRow("same size") << QStringLiteral("colour.png") << QStringLiteral("40x30") << QSize(40, 30);
}

// --size: what a provider receives for an image of that size (nearest-neighbour fit of the mask).
void TestCliMask::sizeFits()
{
    QFETCH(QString, fixture);
    QFETCH(QString, size);
    QFETCH(QSize, expectedSize);
    const QImage expected = scaledNearest(m_expected.value(fixture), expectedSize);
    const QString path = fixturePath(fixture);

    const QByteArray base64
        = singleLine(cli({QStringLiteral("mask"), QStringLiteral("export"), path, QStringLiteral("--format"),
                          QStringLiteral("base64"), QStringLiteral("--size"), size}));
    QVERIFY(!base64.isEmpty());
    QCOMPARE(decodeExport(base64), expected);

    const QJsonObject exact
        = payload(cli({QStringLiteral("mask"), QStringLiteral("export"), path, QStringLiteral("--format"),
                       QStringLiteral("polygons"), QStringLiteral("--epsilon"), QStringLiteral("0"),
                       QStringLiteral("--size"), size}));
    checkPayloadFrame(exact, expectedSize);
    int overlaps = -1;
    QCOMPARE(
        rasterise(exact.value(QStringLiteral("mask")).toObject().value(QStringLiteral("areas")).toArray(),
                  expectedSize, &overlaps),
        expected);
}

void TestCliMask::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message"); // a part of the one stderr line

    const QString mask = QStringLiteral("mask");
    const QString exportCmd = QStringLiteral("export");
    const QString format = QStringLiteral("--format");
    const QString rect = fixturePath(QStringLiteral("rect.png"));
    const QString b64 = QStringLiteral("base64");
    const QString polygons = QStringLiteral("polygons");

    QTest::newRow("no subcommand") << QStringList {mask} << QStringLiteral("mask export FILE.png");
    QTest::newRow("unknown subcommand")
        << QStringList {mask, QStringLiteral("import")} << QStringLiteral("unknown mask command \"import\"");
    QTest::newRow("missing FILE") << QStringList {mask, exportCmd, format, b64} << QStringLiteral("FILE.png");
    QTest::newRow("two files") << QStringList {mask, exportCmd, rect, rect, format, b64}
                               << QStringLiteral("FILE.png");
    QTest::newRow("missing file") << QStringList {mask, exportCmd, fixturePath(QStringLiteral("nope.png")),
                                                  format, b64}
                                  << QStringLiteral("no file");
    QTest::newRow("a directory") << QStringList {mask, exportCmd, m_fixtures->path(), format, b64}
                                 << QStringLiteral("cannot read");
    QTest::newRow("not an image") << QStringList {mask, exportCmd, fixturePath(QStringLiteral("notes.png")),
                                                  format, b64}
                                  << QStringLiteral("is not an image");
    QTest::newRow("all black") << QStringList {mask, exportCmd, fixturePath(QStringLiteral("black.png")),
                                               format, polygons}
                               << QStringLiteral("no white pixel");
    QTest::newRow("no format") << QStringList {mask, exportCmd, rect} << QStringLiteral("--format");
    QTest::newRow("unknown format") << QStringList {mask, exportCmd, rect, format, QStringLiteral("svg")}
                                    << QStringLiteral("\"svg\"");
    QTest::newRow("epsilon without polygons")
        << QStringList {mask,
                        exportCmd,
                        rect,
                        format,
                        QStringLiteral("dataurl"),
                        QStringLiteral("--epsilon"),
                        QStringLiteral("1")}
        << QStringLiteral("--epsilon applies only to --format polygons");
    QTest::newRow("epsilon negative")
        << QStringList {mask, exportCmd, rect, format, polygons, QStringLiteral("--epsilon=-0.5")}
        << QStringLiteral("--epsilon");
    QTest::newRow("epsilon too large") << QStringList {mask,
                                                       exportCmd,
                                                       rect,
                                                       format,
                                                       polygons,
                                                       QStringLiteral("--epsilon"),
                                                       QStringLiteral("64.5")}
                                       << QStringLiteral("\"64.5\"");
    QTest::newRow("epsilon not a number") << QStringList {mask,
                                                          exportCmd,
                                                          rect,
                                                          format,
                                                          polygons,
                                                          QStringLiteral("--epsilon"),
                                                          QStringLiteral("fine")}
                                          << QStringLiteral("\"fine\"");
    QTest::newRow("epsilon nan") << QStringList {mask,
                                                 exportCmd,
                                                 rect,
                                                 format,
                                                 polygons,
                                                 QStringLiteral("--epsilon"),
                                                 QStringLiteral("nan")}
                                 << QStringLiteral("--epsilon");
    QTest::newRow("size zero")
        << QStringList {mask, exportCmd, rect, format, b64, QStringLiteral("--size"), QStringLiteral("0x10")}
        << QStringLiteral("--size");
    QTest::newRow("size too large") << QStringList {mask,
                                                    exportCmd,
                                                    rect,
                                                    format,
                                                    b64,
                                                    QStringLiteral("--size"),
                                                    QStringLiteral("16385x10")}
                                    << QStringLiteral("16384");
    QTest::newRow("size garbled")
        << QStringList {mask, exportCmd, rect, format, b64, QStringLiteral("--size"), QStringLiteral("wide")}
        << QStringLiteral("WIDTHxHEIGHT");
    QTest::newRow("size shrinks the mask to black")
        << QStringList {mask, exportCmd, rect, format, b64, QStringLiteral("--size"), QStringLiteral("1x1")}
        << QStringLiteral("no white pixel");
    QTest::newRow("unknown option") << QStringList {mask,   exportCmd, rect,
                                                    format, b64,       QStringLiteral("--bogus")}
                                    << QStringLiteral("bogus");
}

// Every error: exit 2, nothing on stdout, one line on stderr with the tool's prefix naming the problem.
void TestCliMask::errors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);

    const Run run = cli(args);
    QVERIFY2(!run.crashed && run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(run.out.isEmpty(), qPrintable(run.describe()));
    const QString err = QString::fromUtf8(run.err);
    QVERIFY2(err.startsWith(QLatin1String("tessera-cli: ")) && err.endsWith(QLatin1Char('\n'))
                 && err.count(QLatin1Char('\n')) == 1,
             qPrintable(run.describe()));
    QVERIFY2(err.contains(message), qPrintable(run.describe()));
}

void TestCliMask::help()
{
    const Run run = cli({QStringLiteral("mask"), QStringLiteral("export"), QStringLiteral("--help")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.err.isEmpty());
    for (const char *option : {"--format", "--epsilon", "--size"})
        QVERIFY2(run.out.contains(option), run.out.constData());

    const Run topic = cli({QStringLiteral("help"), QStringLiteral("mask")});
    QCOMPARE(topic.exitCode, 0);
    QVERIFY(topic.out.contains("mask export FILE.png"));

    const Run overview = cli({QStringLiteral("help")});
    QVERIFY(overview.out.contains("mask export FILE.png --format base64|dataurl|polygons"));
}

QTEST_GUILESS_MAIN(TestCliMask)
#include "processrun.h"
#include "tst_climask.moc"
