#include "mask/maskdocument.h"

#include <QBuffer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <vector>

using namespace tessera;

namespace {

// '#' = 255 (regenerate), anything else 0.
QImage pattern(const QStringList &rows)
{
    QImage image(int(rows.first().size()), int(rows.size()), QImage::Format_Grayscale8);
    image.fill(0);
    for (int y = 0; y < rows.size(); ++y) {
        for (int x = 0; x < rows[y].size(); ++x)
            image.scanLine(y)[x] = rows[y][x] == QLatin1Char('#') ? 255 : 0;
    }
    return image;
}

QStringList lines(std::initializer_list<const char *> rows)
{
    QStringList list;
    for (const char *row : rows)
        list << QString::fromLatin1(row);
    return list;
}

QStringList rowsOf(const QImage &image)
{
    QStringList rows;
    for (int y = 0; y < image.height(); ++y) {
        QString row;
        for (int x = 0; x < image.width(); ++x)
            row += image.constScanLine(y)[x] ? QLatin1Char('#') : QLatin1Char('.');
        rows << row;
    }
    return rows;
}

// The tight bounding rectangle of the pixels that differ.
QRect differing(const QImage &a, const QImage &b)
{
    QRect bounds;
    for (int y = 0; y < a.height(); ++y) {
        for (int x = 0; x < a.width(); ++x) {
            if (a.constScanLine(y)[x] != b.constScanLine(y)[x])
                bounds |= QRect(x, y, 1, 1);
        }
    }
    return bounds;
}

qint64 whitePixels(const QImage &image)
{
    qint64 count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            count += image.constScanLine(y)[x] ? 1 : 0;
    }
    return count;
}

QByteArray png(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

// A few random operations of every kind on `document`, seeded.
void randomOperation(MaskDocument &document, QRandomGenerator &random)
{
    const int w = document.size().width();
    const int h = document.size().height();
    auto point = [&] { return QPointF(random.bounded(double(w)), random.bounded(double(h))); };
    const auto mode = random.bounded(3) == 0 ? MaskDocument::Mode::Erase : MaskDocument::Mode::Paint;
    switch (random.bounded(7)) {
    case 0: {
        const int stroke = document.beginStroke();
        QPointF at = point();
        for (int i = 0; i < 5; ++i) {
            const QPointF next = point();
            document.strokeSegment(stroke, at, next, 1 + random.bounded(8), mode);
            at = next;
        }
        break;
    }
    case 1:
        document.rectangle(QRectF(point(), point()), mode);
        break;
    case 2:
        document.lasso(QPolygonF({point(), point(), point(), point(), point()}), mode);
        break;
    case 3:
        document.polygon(QPolygonF({point(), point(), point()}), mode);
        break;
    case 4:
        document.invert();
        break;
    case 5:
        if (!document.shapes().isEmpty()) {
            const int index = random.bounded(int(document.shapes().size()));
            QPolygonF points = document.shapes().at(index).points;
            points[random.bounded(int(points.size()))] = point();
            document.reshape(index, points);
        }
        break;
    default:
        if (random.bounded(4) == 0)
            document.clear();
        else
            document.rectangle(QRectF(point(), point()), mode);
    }
}

} // namespace

class TestMaskDocument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsEmpty()
    {
        MaskDocument document(QSize(7, 5));
        QCOMPARE(document.mask().size(), QSize(7, 5));
        QCOMPARE(document.mask().format(), QImage::Format_Grayscale8);
        QCOMPARE(whitePixels(document.mask()), 0);
        QCOMPARE(document.coverage(), 0.0);
        QCOMPARE(document.undoStack()->count(), 0);
    }

    void tools_data()
    {
        QTest::addColumn<int>("tool");
        QTest::addColumn<QStringList>("expected");
        // Pixel-centre rule: pixel (x, y) is covered when (x + ½, y + ½) lies inside the shape.
        QTest::newRow("dab diameter 3")
            << 0
            << QStringList {QStringLiteral("......."), QStringLiteral("..###.."), QStringLiteral("..###.."),
                            QStringLiteral("..###.."), QStringLiteral(".......")};
        QTest::newRow("segment diameter 1")
            << 1
            << QStringList {QStringLiteral("......."), QStringLiteral("......."), QStringLiteral(".#####."),
                            QStringLiteral("......."), QStringLiteral(".......")};
        QTest::newRow("dab diameter 5")
            << 2
            << QStringList {QStringLiteral("..###.."), QStringLiteral(".#####."), QStringLiteral(".#####."),
                            QStringLiteral(".#####."), QStringLiteral("..###..")};
        QTest::newRow("rectangle") << 3
                                   << QStringList {QStringLiteral("......."), QStringLiteral("......."),
                                                   QStringLiteral(".###..."), QStringLiteral(".###..."),
                                                   QStringLiteral(".......")};
        QTest::newRow("fractional rectangle")
            << 4
            << QStringList {QStringLiteral("......."), QStringLiteral("......."), QStringLiteral(".##...."),
                            QStringLiteral(".##...."), QStringLiteral(".......")};
        QTest::newRow("triangle polygon")
            << 5
            << QStringList {QStringLiteral("#####.."), QStringLiteral("####..."), QStringLiteral("###...."),
                            QStringLiteral("##....."), QStringLiteral("#......")};
        QTest::newRow("rectangle clipped")
            << 6
            << QStringList {QStringLiteral("......."), QStringLiteral("......."), QStringLiteral("......."),
                            QStringLiteral(".....##"), QStringLiteral(".....##")};
        // A lasso fills by non-zero winding: a loop drawn twice over stays filled.
        QTest::newRow("lasso drawn twice")
            << 8
            << QStringList {QStringLiteral("......."), QStringLiteral(".###..."), QStringLiteral(".###..."),
                            QStringLiteral(".###..."), QStringLiteral(".......")};
        QTest::newRow("two-loop lasso")
            << 7
            << QStringList {QStringLiteral("##....."), QStringLiteral("##....."), QStringLiteral("..##..."),
                            QStringLiteral("..##..."), QStringLiteral(".......")};
    }

    void tools()
    {
        QFETCH(int, tool);
        QFETCH(QStringList, expected);
        MaskDocument document(QSize(7, 5));
        switch (tool) {
        case 0:
            document.strokeSegment(document.beginStroke(), {3.5, 2.5}, {3.5, 2.5}, 3);
            break;
        case 1:
            document.strokeSegment(document.beginStroke(), {1.5, 2.5}, {5.5, 2.5}, 1);
            break;
        case 2:
            document.strokeSegment(document.beginStroke(), {3.5, 2.5}, {3.5, 2.5}, 5);
            break;
        case 3:
            document.rectangle(QRectF(1, 2, 3, 2));
            break;
        case 4:
            document.rectangle(QRectF(QPointF(3.4, 3.6), QPointF(1.4, 1.6))); // drawn backwards
            break;
        case 5:
            document.polygon(QPolygonF({{0, 0}, {6, 0}, {0, 6}}));
            break;
        case 6:
            document.rectangle(QRectF(5, 3, 10, 10));
            break;
        case 7:
            document.lasso(QPolygonF({{0, 0}, {2, 0}, {2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}, {0, 2}}));
            break;
        case 8:
            document.lasso(QPolygonF({{1, 1}, {4, 1}, {4, 4}, {1, 4}, {1, 1}, {4, 1}, {4, 4}, {1, 4}}));
            break;
        }
        QCOMPARE(rowsOf(document.mask()), expected);
        QCOMPARE(document.undoStack()->count(), 1);
        QCOMPARE(document.selectedPixels(), whitePixels(document.mask()));
    }

    void eraser()
    {
        MaskDocument document(QSize(7, 5));
        document.rectangle(QRectF(0, 0, 7, 5));
        document.strokeSegment(document.beginStroke(), {0.5, 2.5}, {6.5, 2.5}, 1, MaskDocument::Mode::Erase);
        document.rectangle(QRectF(0, 0, 2, 2), MaskDocument::Mode::Erase);
        QCOMPARE(
            rowsOf(document.mask()),
            (QStringList {QStringLiteral("..#####"), QStringLiteral("..#####"), QStringLiteral("......."),
                          QStringLiteral("#######"), QStringLiteral("#######")}));
        QCOMPARE(document.shapes().size(), 2);
        QVERIFY(document.shapes().at(1).erase);
    }

    void shapesAreKept()
    {
        MaskDocument document(QSize(20, 20));
        QSignalSpy spy(&document, &MaskDocument::shapesChanged);
        document.rectangle(QRectF(1, 1, 3, 3));
        document.lasso(QPolygonF({{5, 5}, {9, 5}, {9, 9}}));
        const QPolygonF vertices({{10, 10}, {15, 10}, {15, 15}, {10, 15}});
        document.polygon(vertices, MaskDocument::Mode::Erase);
        QCOMPARE(spy.count(), 3);
        QCOMPARE(document.shapes().size(), 3);
        QCOMPARE(document.shapes().at(0).kind, MaskShape::Kind::Rectangle);
        QCOMPARE(document.shapes().at(0).points, QPolygonF({{1, 1}, {4, 1}, {4, 4}, {1, 4}}));
        QCOMPARE(document.shapes().at(1).kind, MaskShape::Kind::Lasso);
        QCOMPARE(document.shapes().at(2).kind, MaskShape::Kind::Polygon);
        QCOMPARE(document.shapes().at(2).points, vertices);
        QVERIFY(document.shapes().at(2).erase);

        document.undoStack()->undo();
        QCOMPARE(document.shapes().size(), 2);
        document.undoStack()->redo();
        QCOMPARE(document.shapes().size(), 3);

        const QList<MaskShape> before = document.shapes();
        document.clear();
        QVERIFY(document.shapes().isEmpty());
        QCOMPARE(document.selectedPixels(), 0);
        document.undoStack()->undo();
        QCOMPARE(document.shapes(), before);
    }

    void reshapeMovesTheShapesOwnPixels()
    {
        MaskDocument document(QSize(12, 8));
        const int stroke = document.beginStroke();
        document.strokeSegment(stroke, {10.5, 0.5}, {10.5, 7.5}, 1); // column 10, not part of the polygon
        document.polygon(QPolygonF({{1, 1}, {5, 1}, {5, 5}, {1, 5}}));
        QCOMPARE(rowsOf(document.mask()),
                 lines({"..........#.", ".####.....#.", ".####.....#.", ".####.....#.", ".####.....#.",
                        "..........#.", "..........#.", "..........#."}));
        QSignalSpy shapes(&document, &MaskDocument::shapesChanged);
        document.reshape(0, QPolygonF({{1, 1}, {5, 1}, {8, 7}, {1, 5}}));
        QCOMPARE(shapes.count(), 1);
        QCOMPARE(document.shapes().at(0).points.at(2), QPointF(8, 7));
        QCOMPARE(rowsOf(document.mask()),
                 lines({"..........#.", ".####.....#.", ".#####....#.", ".#####....#.", ".######...#.",
                        "...####...#.", "......##..#.", "..........#."}));
        QCOMPARE(document.selectedPixels(), whitePixels(document.mask()));
        // Shrinking it again clears what only the shape had selected; the brushed column stays.
        document.reshape(0, QPolygonF({{1, 1}, {3, 1}, {3, 3}, {1, 3}}));
        QCOMPARE(rowsOf(document.mask()),
                 lines({"..........#.", ".##.......#.", ".##.......#.", "..........#.", "..........#.",
                        "..........#.", "..........#.", "..........#."}));
        document.undoStack()->undo();
        document.undoStack()->undo();
        QCOMPARE(document.shapes().at(0).points, QPolygonF({{1, 1}, {5, 1}, {5, 5}, {1, 5}}));
        QCOMPARE(rowsOf(document.mask()).at(1), QStringLiteral(".####.....#."));
        // An erased shape moves a hole, and after an invert a painted shape behaves as an erased one.
        document.invert();
        QVERIFY(document.shapes().at(0).erase);
        document.reshape(0, QPolygonF({{2, 1}, {5, 1}, {5, 5}, {2, 5}}));
        QCOMPARE(rowsOf(document.mask()).at(1), QStringLiteral("##...#####.#"));
    }

    void undoRedoRestoresExactly()
    {
        MaskDocument document(QSize(61, 47));
        QRandomGenerator random(1234);
        std::vector<QImage> states {document.mask().copy()};
        std::vector<QList<MaskShape>> shapes {document.shapes()};
        for (int i = 0; i < 80; ++i) {
            const int before = document.undoStack()->count();
            randomOperation(document, random);
            if (document.undoStack()->count() != before) {
                states.push_back(document.mask().copy());
                shapes.push_back(document.shapes());
            }
            QCOMPARE(document.selectedPixels(), whitePixels(document.mask()));
        }
        QCOMPARE(std::size_t(document.undoStack()->count()) + 1, states.size());
        for (int i = int(states.size()) - 1; i > 0; --i) {
            QCOMPARE(document.mask(), states[std::size_t(i)]);
            QCOMPARE(document.shapes(), shapes[std::size_t(i)]);
            document.undoStack()->undo();
            QCOMPARE(document.selectedPixels(), whitePixels(document.mask()));
        }
        QCOMPARE(document.mask(), states.front());
        for (std::size_t i = 1; i < states.size(); ++i) {
            document.undoStack()->redo();
            QCOMPARE(document.mask(), states[i]);
            QCOMPARE(document.shapes(), shapes[i]);
        }
    }

    void invertTwiceIsIdentity()
    {
        MaskDocument document(QSize(33, 21));
        document.polygon(QPolygonF({{2, 3}, {30, 5}, {12, 19}}));
        const QImage original = document.mask().copy();
        const double coverage = document.coverage();
        document.invert();
        QCOMPARE(document.coverage(), 1.0 - coverage);
        for (int y = 0; y < original.height(); ++y) {
            for (int x = 0; x < original.width(); ++x)
                QCOMPARE(int(document.mask().constScanLine(y)[x]), 255 - original.constScanLine(y)[x]);
        }
        document.invert();
        QCOMPARE(document.mask(), original);
        QCOMPARE(document.coverage(), coverage);
        QCOMPARE(document.undoStack()->count(), 3);
        document.undoStack()->undo();
        document.undoStack()->undo();
        QCOMPARE(document.mask(), original);
    }

    void strokeIsOneUndoStep()
    {
        MaskDocument document(QSize(200, 100));
        const int first = document.beginStroke();
        for (int i = 0; i < 40; ++i)
            document.strokeSegment(first, QPointF(5 + 4 * i, 50 + 20 * std::sin(i / 4.0)),
                                   QPointF(9 + 4 * i, 50 + 20 * std::sin((i + 1) / 4.0)), 6);
        QCOMPARE(document.undoStack()->count(), 1);
        const QImage afterFirst = document.mask().copy();
        const int second = document.beginStroke();
        QVERIFY(second != first);
        for (int i = 0; i < 10; ++i)
            document.strokeSegment(second, QPointF(100, 5 + 9 * i), QPointF(100, 14 + 9 * i), 3);
        QCOMPARE(document.undoStack()->count(), 2);
        document.undoStack()->undo();
        QCOMPARE(document.mask(), afterFirst);
        document.undoStack()->undo();
        QCOMPARE(whitePixels(document.mask()), 0);
        QCOMPARE(document.selectedPixels(), 0);
    }

    void segmentThatChangesNothingPushesNothing()
    {
        MaskDocument document(QSize(20, 20));
        document.strokeSegment(document.beginStroke(), {5, 5}, {5, 5}, 4, MaskDocument::Mode::Erase);
        document.strokeSegment(document.beginStroke(), {-30, -30}, {-20, -20}, 4);
        QCOMPARE(document.undoStack()->count(), 0);
    }

    void farOffCoordinatesAreClipped()
    {
        MaskDocument document(QSize(6, 4));
        document.rectangle(QRectF(-1e12, -1e12, 2e12, 2e12));
        QCOMPARE(document.coverage(), 1.0);
        document.strokeSegment(document.beginStroke(), {-1e12, 1.5}, {1e12, 1.5}, 1,
                               MaskDocument::Mode::Erase);
        QCOMPARE(document.selectedPixels(), 18);
    }

    void importScalesWithNotice()
    {
        MaskDocument document(QSize(8, 6));
        QSignalSpy notices(&document, &MaskDocument::notice);
        const QImage small
            = pattern({QStringLiteral("##.."), QStringLiteral("##.."), QStringLiteral("##..")});
        const Result<bool> scaled = document.importPng(png(small));
        QVERIFY(scaled.ok());
        QVERIFY(scaled.value());
        QCOMPARE(notices.count(), 1);
        QVERIFY(notices.at(0).at(0).toString().contains(QStringLiteral("4×3")));
        QVERIFY(notices.at(0).at(0).toString().contains(QStringLiteral("8×6")));
        QCOMPARE(rowsOf(document.mask()), QStringList(6, QStringLiteral("####....")));
        QCOMPARE(document.coverage(), 0.5);

        const QImage exact = pattern(QStringList(6, QStringLiteral("......##")));
        const Result<bool> same = document.importPng(png(exact));
        QVERIFY(same.ok());
        QVERIFY(!same.value());
        QCOMPARE(notices.count(), 1);
        QCOMPARE(document.mask(), exact);
        QCOMPARE(document.undoStack()->count(), 2);
        document.undoStack()->undo();
        QCOMPARE(rowsOf(document.mask()), QStringList(6, QStringLiteral("####....")));

        const Result<bool> broken = document.importPng(QByteArrayLiteral("not a png"));
        QVERIFY(!broken.ok());
        QCOMPARE(document.undoStack()->count(), 2);
    }

    void coverageValues()
    {
        MaskDocument document(QSize(10, 10));
        document.rectangle(QRectF(0, 0, 5, 2));
        QCOMPARE(document.coverage(), 0.1);
        document.rectangle(QRectF(0, 0, 10, 5));
        QCOMPARE(document.coverage(), 0.5);
        document.invert();
        QCOMPARE(document.coverage(), 0.5);
        document.rectangle(QRectF(0, 0, 10, 10), MaskDocument::Mode::Erase);
        QCOMPARE(document.coverage(), 0.0);
        document.undoStack()->undo();
        QCOMPARE(document.coverage(), 0.5);
        document.clear();
        QCOMPARE(document.coverage(), 0.0);
    }

    void dirtyRectanglesAreTight()
    {
        MaskDocument document(QSize(90, 70));
        QSignalSpy spy(&document, &MaskDocument::changed);
        QRandomGenerator random(99);
        for (int i = 0; i < 60; ++i) {
            const QImage before = document.mask().copy();
            spy.clear();
            randomOperation(document, random);
            const QRect expected = differing(before, document.mask());
            if (expected.isEmpty()) {
                QVERIFY(spy.isEmpty());
                continue;
            }
            // Every emitted rectangle is the tight box of what that step changed (one per segment of a
            // stroke); together they cover exactly the changed pixels.
            QRect united;
            for (const auto &arguments : spy)
                united |= arguments.at(0).toRect();
            QCOMPARE(united, expected);
            QVERIFY(document.mask().rect().contains(united));

            spy.clear();
            const QImage after = document.mask().copy();
            document.undoStack()->undo();
            QCOMPARE(spy.count(), 1);
            QCOMPARE(spy.at(0).at(0).toRect(), differing(after, document.mask()));
            document.undoStack()->redo();
            QCOMPARE(document.mask(), after);
        }
    }

    void undoHistoryStaysSmall()
    {
        MaskDocument document(QSize(4096, 4096));
        QRandomGenerator random(7);
        for (int stroke = 0; stroke < 50; ++stroke) {
            const int id = document.beginStroke();
            QPointF at(200 + random.bounded(3600.0), 200 + random.bounded(3600.0));
            const double heading = random.bounded(6.283);
            // About 300 pixels long, in segments of 10 pixels as a mouse delivers them.
            for (int i = 0; i < 30; ++i) {
                const double turn = heading + std::sin(i / 5.0);
                const QPointF next = at + QPointF(10 * std::cos(turn), 10 * std::sin(turn));
                document.strokeSegment(id, at, next, 40);
                at = next;
            }
        }
        QCOMPARE(document.undoStack()->count(), 50);
        qInfo("undo history: %zu bytes", document.undoBytes());
        QVERIFY2(document.undoBytes() < std::size_t(64) * 1024 * 1024,
                 qPrintable(QString::number(document.undoBytes())));
        // One bit per pixel of each stroke's bounding box: well under a megabyte in all.
        QVERIFY2(document.undoBytes() < std::size_t(2) * 1024 * 1024,
                 qPrintable(QString::number(document.undoBytes())));
        QCOMPARE(document.selectedPixels(), whitePixels(document.mask()));
    }

    // A stroke circling the whole image keeps the tiles along its path, not its bounding box (which would
    // take 1.6 MB at one bit per pixel).
    void longStrokeKeepsOnlyItsPath()
    {
        MaskDocument document(QSize(4096, 4096));
        const int id = document.beginStroke();
        QPointF at(2048 + 1800, 2048);
        for (int i = 1; i <= 1200; ++i) {
            const double angle = i * 2 * 3.14159265358979 / 1200;
            const QPointF next(2048 + 1800 * std::cos(angle), 2048 + 1800 * std::sin(angle));
            document.strokeSegment(id, at, next, 40);
            at = next;
        }
        QCOMPARE(document.undoStack()->count(), 1);
        QVERIFY2(document.undoBytes() < std::size_t(512) * 1024,
                 qPrintable(QString::number(document.undoBytes())));
        const qint64 painted = document.selectedPixels();
        QVERIFY(painted > 400000);
        document.undoStack()->undo();
        QCOMPARE(document.selectedPixels(), 0);
        QCOMPARE(whitePixels(document.mask()), 0);
        document.undoStack()->redo();
        QCOMPARE(document.selectedPixels(), painted);
    }
};

QTEST_GUILESS_MAIN(TestMaskDocument)
#include "tst_maskdocument.moc"
