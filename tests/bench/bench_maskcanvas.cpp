// Mask editor responsiveness (issue "Mask editor", Performance): one brush segment on a 4096×4096 image
// updates the raster and repaints the canvas in ≤ 2 ms — only the dirty rectangle is painted. Each
// iteration sweeps a 48 px brush 8 screen pixels further along pixels it changes (an unchanged segment
// would paint nothing), then lets Qt paint what was marked dirty, as in the app. Measured at 100 % zoom and at
// "fit" (the whole 4096² image in a 1400×900 canvas, about 22 %). Runs on the offscreen platform unless
// QT_QPA_PLATFORM says otherwise. Measure with the release preset.
#include "mask/maskdocument.h"
#include "maskeditor/maskcanvas.h"

#include <QApplication>
#include <QImage>
#include <QPainter>

#include <benchmark/benchmark.h>

#include <memory>

namespace {

QImage picture(int side)
{
    QImage image(side, side, QImage::Format_RGB32);
    QPainter p(&image);
    QLinearGradient gradient(0, 0, side, side);
    gradient.setColorAt(0, QColor(30, 40, 90));
    gradient.setColorAt(1, QColor(240, 160, 90));
    p.fillRect(image.rect(), gradient);
    return image;
}

void brushSegment(benchmark::State &state, bool fit)
{
    constexpr int kSide = 4096;
    tessera::MaskDocument document(QSize(kSide, kSide));
    tessera::ui::MaskCanvas canvas(document, tessera::ui::MaskCanvas::buildPyramid(picture(kSide)));
    canvas.resize(1400, 900);
    canvas.show();
    QApplication::processEvents();
    if (fit)
        canvas.fitToWindow();
    else
        canvas.zoomBy(1.0 / canvas.zoom(), QPointF(0, 0)); // 100 %, the image's top-left corner shown
    QApplication::processEvents();

    // Fresh pixels every time: rows of segments across the part of the image that is visible.
    const QRectF visible = QRectF(canvas.toImage(QPointF(0, 0)),
                                  canvas.toImage(QPointF(canvas.width(), canvas.height())))
                               .intersected(QRectF(0, 0, kSide, kSide))
                               .adjusted(30, 30, -30, -30);
    const QPointF topLeft = visible.topLeft();
    const QPointF bottomRight = visible.bottomRight();
    // Rows 50 px apart; after the last row the brush starts again at the top in the other mode (paint,
    // then erase), so every segment changes pixels.
    const int stroke = document.beginStroke();
    auto mode = tessera::MaskDocument::Mode::Paint;
    QPointF at = topLeft;
    const double step = 8.0 / canvas.zoom() * (fit ? 0.25 : 1.0);
    for (auto _ : state) {
        if (at.x() + step > bottomRight.x()) {
            state.PauseTiming(); // moving to the next row is not a brush segment
            at = QPointF(topLeft.x(), at.y() + 50.0);
            if (at.y() > bottomRight.y()) {
                at.setY(topLeft.y());
                mode = mode == tessera::MaskDocument::Mode::Paint ? tessera::MaskDocument::Mode::Erase
                                                                  : tessera::MaskDocument::Mode::Paint;
            }
            state.ResumeTiming();
        }
        const QPointF next = at + QPointF(step, 0);
        document.strokeSegment(stroke, at, next, 48, mode);
        QApplication::processEvents(); // paints the dirty rectangle
        at = next;
    }
    state.counters["paint_px"] = canvas.lastPaintedRect().width() * canvas.lastPaintedRect().height();
    state.counters["selected"] = double(document.selectedPixels());
}

void BM_BrushSegment100(benchmark::State &state)
{
    brushSegment(state, false);
}
void BM_BrushSegmentFit(benchmark::State &state)
{
    brushSegment(state, true);
}

} // namespace

BENCHMARK(BM_BrushSegment100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BrushSegmentFit)->Unit(benchmark::kMillisecond);

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
