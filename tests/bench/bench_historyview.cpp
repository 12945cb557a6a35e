// The History browser at scale (issue "History and archive at scale": scrolling never blocks the GUI
// thread for more than 16 ms). Against a populated history (TESSERA_BENCH_HOME, as for bench_history:
// the HOME `tessera-populate` ran with, or the folder holding history.sqlite), the real
// HistoryView over the paging model reading pages on its worker thread: each iteration jumps the grid to
// a seeded random position and lets Qt paint it and handle what arrived; worst_ms is the longest such
// GUI-thread frame. Runs on the offscreen platform unless QT_QPA_PLATFORM says otherwise.
#include "history/historymodel.h"
#include "history/historyview.h"
#include "history/thumbnailloader.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QListView>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>
#include <cstdio>

using namespace tessera;

namespace {

QString historyPath()
{
    const QString given = qEnvironmentVariable("TESSERA_BENCH_HOME");
    const QStringList candidates {given + QStringLiteral("/.local/share/tessera/history.sqlite"),
                                  given + QStringLiteral("/history.sqlite")};
    for (const QString &candidate : candidates) {
        if (!given.isEmpty() && QFile::exists(candidate))
            return candidate;
    }
    return {};
}

void BM_ScrollJump(benchmark::State &state)
{
    const QString path = historyPath();
    if (path.isEmpty()) {
        state.SkipWithError("set TESSERA_BENCH_HOME to a history made by `tessera-populate` (README)");
        return;
    }
    auto store = HistoryStore::open(path);
    if (!store) {
        state.SkipWithError(qPrintable(store.error().message));
        return;
    }
    ImageArchive archive(QFileInfo(path).absolutePath() + QStringLiteral("/archive"));
    QTemporaryDir cache;
    ui::ThumbnailLoader thumbnails(cache.path());
    ui::HistoryModel model(**store, archive);
    model.readPagesFrom(path);
    model.reload();
    ui::HistoryView view(model, **store, archive, thumbnails);
    view.resize(900, 900);
    view.show();
    QApplication::processEvents();
    QScrollBar *bar = view.listView()->verticalScrollBar();
    QRandomGenerator random(6);
    QElapsedTimer frame;
    qint64 worstNs = 0;
    for (auto _ : state) {
        frame.start();
        bar->setValue(int(random.bounded(bar->maximum() + 1)));
        view.listView()->viewport()->repaint();
        QApplication::processEvents();
        worstNs = std::max(worstNs, frame.nsecsElapsed());
    }
    state.counters["rows"] = model.rowCount();
    state.counters["worst_ms"] = double(worstNs) / 1e6;
}

} // namespace

BENCHMARK(BM_ScrollJump)->Unit(benchmark::kMillisecond)->Iterations(300);

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
