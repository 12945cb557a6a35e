// Mask export (issues "Mask editor" and "Correctness" §3): apixo's polygon areas beside OpenCV's
// findContours(RETR_CCOMP, CHAIN_APPROX_SIMPLE) + approxPolyDP when OpenCV is installed, on three seeded
// blob masks at ε ∈ {0.5, 1, 2}: time per mask, and as counters the vertex count and the IoU of the
// polygons filled back with the mask. Tessera's polygons are filled the way PROVIDERS.md §2 defines
// (pixels whose centres are inside); OpenCV's by OpenCV itself (drawContours, FILLED, with the hierarchy).
// The target: at the same ε, no more vertices, no lower IoU and less time than OpenCV. Also PNG + base64
// export at 2048² and 4096² (targets ≤ 20 ms and ≤ 60 ms). Measure with the release preset.
#include "blobmask.h"
#include "mask/maskexport.h"
#include "providers/apixo/apixomask.h"

#include <QImage>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <benchmark/benchmark.h>
#include <cmath>
#include <string>
#include <vector>

#ifdef TESSERA_HAVE_OPENCV
#include <opencv2/imgproc.hpp>
#endif

namespace {

QImage blobs(QSize size, int count, quint32 seed)
{
    return tessera::test::blobMask(size, count, seed);
}

struct MaskCase
{
    const char *name;
    QSize size;
    int blobs;
};
constexpr MaskCase kMasks[] = {
    {"4096x4096_50blobs", {4096, 4096}, 50},
    {"1536x1536_25blobs", {1536, 1536}, 25},
    {"1023x777_12blobs", {1023, 777}, 12},
};
constexpr double kEpsilons[] = {0.5, 1.0, 2.0};

const QImage &maskFor(int index)
{
    static std::vector<QImage> masks;
    if (masks.empty()) {
        quint32 seed = 4096;
        for (const MaskCase &c : kMasks)
            masks.push_back(blobs(c.size, c.blobs, seed++));
    }
    return masks[std::size_t(index)];
}

// Pixels whose centres are inside (even-odd within an area: a keyhole's cut is walked down and back up,
// so it cancels), the union over the areas.
QImage fillAreas(const QJsonArray &areas, QSize size)
{
    QImage out(size, QImage::Format_Grayscale8);
    out.fill(0);
    std::vector<std::vector<double>> rows(std::size_t(size.height()));
    for (const QJsonValue &area : areas) {
        const QJsonArray points = area.toObject().value(QStringLiteral("points")).toArray();
        const int n = int(points.size() / 2);
        for (auto &row : rows)
            row.clear();
        for (int i = 0; i < n; ++i) {
            const int j = (i + 1) % n;
            const double ax = points[2 * i].toInt(), ay = points[2 * i + 1].toInt();
            const double bx = points[2 * j].toInt(), by = points[2 * j + 1].toInt();
            if (ay == by)
                continue;
            const int y0 = std::max(0, int(std::ceil(std::min(ay, by) - 0.5)));
            const int y1 = std::min(size.height() - 1, int(std::ceil(std::max(ay, by) - 0.5)) - 1);
            for (int y = y0; y <= y1; ++y) {
                const double yc = y + 0.5;
                rows[std::size_t(y)].push_back(ax + (yc - ay) * (bx - ax) / (by - ay));
            }
        }
        for (int y = 0; y < size.height(); ++y) {
            auto &row = rows[std::size_t(y)];
            std::sort(row.begin(), row.end());
            uchar *line = out.scanLine(y);
            for (std::size_t k = 0; k + 1 < row.size(); k += 2) {
                const int from = std::max(0, int(std::floor(row[k] - 0.5)) + 1);
                const int to = std::min(size.width() - 1, int(std::floor(row[k + 1] - 0.5)));
                for (int x = from; x <= to; ++x)
                    line[x] = 255;
            }
        }
    }
    return out;
}

double iou(const QImage &a, const QImage &b)
{
    qint64 both = 0, either = 0;
    for (int y = 0; y < a.height(); ++y) {
        const uchar *p = a.constScanLine(y), *q = b.constScanLine(y);
        for (int x = 0; x < a.width(); ++x) {
            both += p[x] && q[x];
            either += p[x] || q[x];
        }
    }
    return either ? double(both) / double(either) : 1.0;
}

void tessera(benchmark::State &state)
{
    const QImage &mask = maskFor(int(state.range(0)));
    const double epsilon = kEpsilons[state.range(1)];
    QJsonArray areas;
    for (auto _ : state) {
        areas = tessera::apixo::maskAreas(mask, epsilon);
        benchmark::DoNotOptimize(areas);
    }
    qint64 vertices = 0;
    for (const QJsonValue &area : areas)
        vertices += area.toObject().value(QStringLiteral("points")).toArray().size() / 2;
    state.counters["vertices"] = double(vertices);
    state.counters["IoU"] = iou(fillAreas(areas, mask.size()), mask);
    state.SetLabel(std::string(kMasks[state.range(0)].name) + " eps=" + std::to_string(epsilon).substr(0, 3));
}

#ifdef TESSERA_HAVE_OPENCV
void opencv(benchmark::State &state)
{
    const QImage &mask = maskFor(int(state.range(0)));
    const double epsilon = kEpsilons[state.range(1)];
    // A view on the same pixels: since OpenCV 3.2 findContours leaves its input alone (it copies what it
    // needs, and that copy is part of its time).
    const cv::Mat view(mask.height(), mask.width(), CV_8UC1, const_cast<uchar *>(mask.constBits()),
                       static_cast<size_t>(mask.bytesPerLine()));
    std::vector<std::vector<cv::Point>> simplified;
    std::vector<cv::Vec4i> hierarchy;
    for (auto _ : state) {
        std::vector<std::vector<cv::Point>> contours;
        cv::findContours(view, contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
        simplified.assign(contours.size(), {});
        for (std::size_t i = 0; i < contours.size(); ++i)
            cv::approxPolyDP(contours[i], simplified[i], epsilon, true);
        benchmark::DoNotOptimize(simplified.data());
    }
    qint64 vertices = 0;
    for (const auto &c : simplified)
        vertices += qint64(c.size());
    QImage filled(mask.size(), QImage::Format_Grayscale8);
    filled.fill(0);
    cv::Mat target(filled.height(), filled.width(), CV_8UC1, filled.bits(),
                   static_cast<size_t>(filled.bytesPerLine()));
    cv::drawContours(target, simplified, -1, cv::Scalar(255), cv::FILLED, cv::LINE_8, hierarchy);
    state.counters["vertices"] = double(vertices);
    state.counters["IoU"] = iou(filled, mask);
    state.SetLabel(std::string(kMasks[state.range(0)].name) + " eps=" + std::to_string(epsilon).substr(0, 3));
}
#endif

void maskCases(benchmark::internal::Benchmark *b)
{
    for (int m = 0; m < int(std::size(kMasks)); ++m) {
        for (int e = 0; e < int(std::size(kEpsilons)); ++e)
            b->Args({m, e});
    }
    b->Unit(benchmark::kMillisecond);
}
BENCHMARK(tessera)->Apply(maskCases);
#ifdef TESSERA_HAVE_OPENCV
BENCHMARK(opencv)->Apply(maskCases);
#endif

void pngAndBase64(benchmark::State &state)
{
    const int side = static_cast<int>(state.range(0));
    const QImage mask = side == 4096 ? maskFor(0) : blobs({side, side}, 50, 4096);
    for (auto _ : state) {
        const QString text = tessera::mask::base64(tessera::mask::encodePng(mask));
        benchmark::DoNotOptimize(text.constData());
    }
    state.SetItemsProcessed(state.iterations() * side * side);
}
BENCHMARK(pngAndBase64)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
