// Mask export (issue "Mask editor", Performance): tracing + simplification of a 4096×4096 mask with 50
// blobs with holes, beside OpenCV's findContours(RETR_CCOMP, CHAIN_APPROX_SIMPLE) + approxPolyDP(ε=1) when
// OpenCV is installed (the target: no slower than 1.5× OpenCV), and PNG + base64 export at 2048² and
// 4096² (targets: ≤ 20 ms and ≤ 60 ms). Measure with the release preset.
#include "mask/maskexport.h"

#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <QRandomGenerator>

#include <benchmark/benchmark.h>

#ifdef TESSERA_HAVE_OPENCV
#include <opencv2/imgproc.hpp>
#endif

namespace {

// 50 blobs (ellipses, some rotated, each with one or two holes and some with an island in a hole),
// placed by a fixed seed so every run measures the same picture.
QImage blobs(int side)
{
    QImage mask(side, side, QImage::Format_Grayscale8);
    mask.fill(0);
    QPainter p(&mask);
    p.setRenderHint(QPainter::Antialiasing, false);
    QRandomGenerator random(4096);
    for (int i = 0; i < 50; ++i) {
        const double r = side * (0.02 + 0.05 * random.generateDouble());
        const QPointF c(r + random.generateDouble() * (side - 2 * r),
                        r + random.generateDouble() * (side - 2 * r));
        p.save();
        p.translate(c);
        p.rotate(random.bounded(180));
        p.setPen(Qt::NoPen);
        p.setBrush(Qt::white);
        p.drawEllipse(QPointF(0, 0), r, r * (0.5 + 0.5 * random.generateDouble()));
        p.setBrush(Qt::black);
        p.drawEllipse(QPointF(r * 0.2, 0), r * 0.25, r * 0.15);
        if (i % 3 == 0) {
            p.drawEllipse(QPointF(-r * 0.4, 0), r * 0.2, r * 0.2);
            p.setBrush(Qt::white);
            p.drawEllipse(QPointF(-r * 0.4, 0), r * 0.08, r * 0.08);
        }
        p.restore();
    }
    p.end();
    // Painting leaves only 0 and 255 without antialiasing; make sure of it.
    return mask.convertToFormat(QImage::Format_Grayscale8);
}

const QImage &mask4096()
{
    static const QImage mask = blobs(4096);
    return mask;
}

void traceAndSimplify(benchmark::State &state)
{
    const QImage &mask = mask4096();
    for (auto _ : state) {
        QJsonArray areas = tessera::mask::apixoAreas(mask, 1.0);
        benchmark::DoNotOptimize(areas);
    }
    state.SetItemsProcessed(state.iterations() * mask.width() * mask.height());
}
BENCHMARK(traceAndSimplify)->Unit(benchmark::kMillisecond);

#ifdef TESSERA_HAVE_OPENCV
void opencvContoursAndApprox(benchmark::State &state)
{
    const QImage &mask = mask4096();
    // A view on the same pixels; findContours may modify its input in old versions, so copy once per run.
    const cv::Mat view(mask.height(), mask.width(), CV_8UC1, const_cast<uchar *>(mask.constBits()),
                       static_cast<size_t>(mask.bytesPerLine()));
    for (auto _ : state) {
        cv::Mat input = view.clone();
        std::vector<std::vector<cv::Point>> contours;
        std::vector<cv::Vec4i> hierarchy;
        cv::findContours(input, contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
        std::vector<std::vector<cv::Point>> simplified(contours.size());
        for (std::size_t i = 0; i < contours.size(); ++i)
            cv::approxPolyDP(contours[i], simplified[i], 1.0, true);
        benchmark::DoNotOptimize(simplified.data());
    }
    state.SetItemsProcessed(state.iterations() * mask.width() * mask.height());
}
BENCHMARK(opencvContoursAndApprox)->Unit(benchmark::kMillisecond);
#endif

void pngAndBase64(benchmark::State &state)
{
    const int side = static_cast<int>(state.range(0));
    const QImage mask = side == 4096 ? mask4096() : blobs(side);
    for (auto _ : state) {
        const QString text = tessera::mask::base64(tessera::mask::encodePng(mask));
        benchmark::DoNotOptimize(text.constData());
    }
    state.SetItemsProcessed(state.iterations() * side * side);
}
BENCHMARK(pngAndBase64)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
