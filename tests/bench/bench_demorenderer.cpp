#include "demo/demorenderer.h"

#include <benchmark/benchmark.h>

using tessera::demo::DemoRenderer;
using tessera::demo::Scene;

namespace {

std::array<Scene, 4> scenesFor(const char *prompt)
{
    std::array<Scene, 4> scenes;
    for (int i = 0; i < 4; ++i)
        scenes.at(std::size_t(i)) = DemoRenderer::composeScene(QString::fromLatin1(prompt), 42, i + 1, {});
    return scenes;
}

// An upscale: one 1024×1024 picture. Hills with trees are the common case, a harbour at night with
// water, buildings and stars the most expensive one.
void renderUpscale(benchmark::State &state, const char *prompt)
{
    const Scene scene = scenesFor(prompt).at(0);
    for (auto _ : state) {
        QImage image = DemoRenderer::render(scene, QSize(1024, 1024));
        benchmark::DoNotOptimize(image.constBits());
    }
    state.SetItemsProcessed(state.iterations() * 1024 * 1024);
}
BENCHMARK_CAPTURE(renderUpscale, forest, "a red fox in autumn forest")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(renderUpscale, harbor, "harbor at night with boats")->Unit(benchmark::kMillisecond);

// A grid: four 512×512 tiles.
void renderGrid(benchmark::State &state, const char *prompt)
{
    const std::array<Scene, 4> scenes = scenesFor(prompt);
    for (auto _ : state) {
        QImage image = DemoRenderer::renderGrid(scenes, QSize(512, 512));
        benchmark::DoNotOptimize(image.constBits());
    }
    state.SetItemsProcessed(state.iterations() * 1024 * 1024);
}
BENCHMARK_CAPTURE(renderGrid, forest, "a red fox in autumn forest")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(renderGrid, neon, "neon city")->Unit(benchmark::kMillisecond);

void composeScene(benchmark::State &state)
{
    int index = 0;
    for (auto _ : state) {
        Scene scene = DemoRenderer::composeScene(QStringLiteral("a red fox in autumn forest at sunset"), 42,
                                                 1 + (index++ & 3), {});
        benchmark::DoNotOptimize(scene.seed);
    }
}
BENCHMARK(composeScene);

} // namespace

BENCHMARK_MAIN();
