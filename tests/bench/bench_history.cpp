// The history at scale (issue 6): opening a 100,000-task history with the browser's first page, full-text
// search, pages deep in the list, scrolling through all of it, and the memory that takes.
//
// Against a history made by `tessera-populate` (README, "History at scale"):
//   TESSERA_BENCH_HOME=/tmp/tessera-100k bench_history
// where TESSERA_BENCH_HOME is the HOME the generator ran with (the history is then in
// .local/share/tessera) or the data directory itself (the folder holding history.sqlite). Without it the
// benchmark populates a temporary folder with TESSERA_BENCH_TASKS tasks (default 100,000; about a
// minute) by running tessera-populate, and removes it at the end.
#include "storage/historystore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>
#include <memory>

#ifdef Q_OS_LINUX
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace tessera;

namespace {

QString g_database; // history.sqlite under test
constexpr int kPage = 100; // rows per page of the browser's paging model
constexpr int kTopHits = 50; // what a search shows first

// Peak resident memory of this process (VmHWM), in MB; 0 when unknown.
double peakRssMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

// Drops the database's pages from the operating system's cache, so that an open reads from the disk
// as after a reboot (posix_fadvise needs no privileges, unlike drop_caches).
void evictFromPageCache(const QString &database)
{
#ifdef Q_OS_LINUX
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        const int fd = ::open(QFile::encodeName(database + suffix).constData(), O_RDONLY);
        if (fd < 0)
            continue;
        ::fdatasync(fd);
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
    }
#else
    Q_UNUSED(database)
#endif
}

HistoryStore &sharedStore()
{
    static std::unique_ptr<HistoryStore> store = [] {
        auto opened = HistoryStore::open(g_database);
        if (!opened) {
            std::fprintf(stderr, "cannot open %s: %s\n", qPrintable(g_database),
                         qPrintable(opened.error().message));
            std::exit(1);
        }
        return std::move(*opened);
    }();
    return *store;
}

// What the browser does when it opens: the database (with the migration check), the number of tasks
// for the scroll bar, and the first page.
void openWithFirstPage(benchmark::State &state, bool cold)
{
    for (auto _ : state) {
        if (cold) {
            state.PauseTiming();
            evictFromPageCache(g_database);
            state.ResumeTiming();
        }
        auto store = HistoryStore::open(g_database);
        if (!store) {
            state.SkipWithError(qPrintable(store.error().message));
            return;
        }
        const auto count = (*store)->countTasks({});
        const auto page = (*store)->queryTasks({}, kPage, 0);
        if (!count || !page || page->size() != std::min(kPage, *count)) {
            state.SkipWithError("the first page is wrong");
            return;
        }
        benchmark::DoNotOptimize(page->constData());
    }
}

void BM_OpenFirstPage(benchmark::State &state)
{
    openWithFirstPage(state, false);
}
BENCHMARK(BM_OpenFirstPage)->Unit(benchmark::kMillisecond);

void BM_OpenFirstPageCold(benchmark::State &state)
{
    openWithFirstPage(state, true);
}
BENCHMARK(BM_OpenFirstPageCold)->Unit(benchmark::kMillisecond)->Iterations(5);

// Typical searches: a common word, two words, a rare word, a one-letter prefix (the first key typed),
// a prefix and a word, and a word no prompt holds.
const char *const kQueries[] = {"fox", "misty lighthouse", "axolotl", "c", "cin owl", "nothinglikethis"};

void BM_SearchTop50(benchmark::State &state)
{
    HistoryQuery query;
    query.text = QString::fromLatin1(kQueries[state.range(0)]);
    state.SetLabel(kQueries[state.range(0)]);
    HistoryStore &store = sharedStore();
    qsizetype hits = 0;
    for (auto _ : state) {
        const auto found = store.queryTasks(query, kTopHits, 0);
        if (!found) {
            state.SkipWithError(qPrintable(found.error().message));
            return;
        }
        hits = found->size();
    }
    state.counters["hits"] = double(hits);
}
BENCHMARK(BM_SearchTop50)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);

// The number of matches, which the browser shows beside the search box.
void BM_SearchCount(benchmark::State &state)
{
    HistoryQuery query;
    query.text = QString::fromLatin1(kQueries[state.range(0)]);
    state.SetLabel(kQueries[state.range(0)]);
    HistoryStore &store = sharedStore();
    int matches = 0;
    for (auto _ : state) {
        const auto count = store.countTasks(query);
        if (!count) {
            state.SkipWithError(qPrintable(count.error().message));
            return;
        }
        matches = *count;
    }
    state.counters["matches"] = matches;
}
BENCHMARK(BM_SearchCount)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);

// One page of the unfiltered list at an offset: scrolling lands anywhere.
void BM_Page(benchmark::State &state)
{
    HistoryStore &store = sharedStore();
    for (auto _ : state) {
        const auto page = store.queryTasks({}, kPage, int(state.range(0)));
        if (!page || page->isEmpty()) {
            state.SkipWithError("empty page: is the history smaller than the offset?");
            return;
        }
        benchmark::DoNotOptimize(page->constData());
    }
}
BENCHMARK(BM_Page)->Arg(0)->Arg(50'000)->Arg(90'000)->Unit(benchmark::kMillisecond);

// A page deep in a filtered list (one account, succeeded tasks, in the last year).
void BM_FilteredPage(benchmark::State &state)
{
    HistoryQuery query;
    query.accountIds = {QStringLiteral("populate-kie")};
    query.states = {TaskState::Succeeded};
    query.from = QDateTime::currentDateTimeUtc().addYears(-1);
    HistoryStore &store = sharedStore();
    for (auto _ : state) {
        const auto page = store.queryTasks(query, kPage, int(state.range(0)));
        if (!page) {
            state.SkipWithError(qPrintable(page.error().message));
            return;
        }
        benchmark::DoNotOptimize(page->constData());
    }
}
BENCHMARK(BM_FilteredPage)->Arg(0)->Arg(10'000)->Unit(benchmark::kMillisecond);

// Scrolling from the newest task to the oldest, one page at a time, as the paging model fetches them
// (each page is dropped once the next is read, as a model that keeps a window of pages would). Reports
// the slowest page (the GUI thread's worst stall if it fetched pages itself) and the peak memory.
void BM_ScrollEverything(benchmark::State &state)
{
    HistoryStore &store = sharedStore();
    double worstMs = 0;
    int pages = 0;
    for (auto _ : state) {
        const auto total = store.countTasks({});
        if (!total) {
            state.SkipWithError(qPrintable(total.error().message));
            return;
        }
        for (int offset = 0; offset < *total; offset += kPage) {
            QElapsedTimer timer;
            timer.start();
            const auto page = store.queryTasks({}, kPage, offset);
            worstMs = std::max(worstMs, double(timer.nsecsElapsed()) / 1e6);
            if (!page || page->isEmpty()) {
                state.SkipWithError("a page could not be read");
                return;
            }
            ++pages;
        }
    }
    state.counters["pages"] = pages;
    state.counters["worst_page_ms"] = worstMs;
    state.counters["peak_rss_MB"] = peakRssMb();
}
BENCHMARK(BM_ScrollEverything)->Unit(benchmark::kMillisecond)->Iterations(1);

// The history to measure: TESSERA_BENCH_HOME, or a temporary one populated now.
QString findOrPopulate(std::unique_ptr<QTemporaryDir> &temporary)
{
    const QString given = qEnvironmentVariable("TESSERA_BENCH_HOME");
    if (!given.isEmpty()) {
        const QStringList candidates {given + QStringLiteral("/.local/share/tessera/history.sqlite"),
                                      given + QStringLiteral("/history.sqlite")};
        for (const QString &candidate : candidates) {
            if (QFile::exists(candidate))
                return candidate;
        }
        std::fprintf(stderr,
                     "TESSERA_BENCH_HOME=%s holds no history.sqlite (run tessera-populate "
                     "with HOME set to it first)\n",
                     qPrintable(given));
        return {};
    }
    const int tasks = qEnvironmentVariableIsSet("TESSERA_BENCH_TASKS")
        ? qEnvironmentVariableIntValue("TESSERA_BENCH_TASKS")
        : 100'000;
    temporary = std::make_unique<QTemporaryDir>();
    const QString root = temporary->path();
    std::fprintf(stderr, "TESSERA_BENCH_HOME is not set: populating %d tasks into %s (once)...\n", tasks,
                 qPrintable(root));
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), root);
    env.insert(QStringLiteral("XDG_DATA_HOME"), root + QStringLiteral("/.local/share"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/.config"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), root + QStringLiteral("/.cache"));
    cli.setProcessEnvironment(env);
    cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    cli.start(QStringLiteral(TESSERA_POPULATE_PATH), {QStringLiteral("--tasks"), QString::number(tasks)});
    if (!cli.waitForFinished(-1) || cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0) {
        std::fprintf(stderr, "tessera-populate failed\n");
        return {};
    }
    return root + QStringLiteral("/.local/share/tessera/history.sqlite");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    std::unique_ptr<QTemporaryDir> temporary;
    g_database = findOrPopulate(temporary);
    if (g_database.isEmpty())
        return 1;
    const auto tasks = sharedStore().countTasks({});
    benchmark::AddCustomContext("history", qPrintable(g_database));
    benchmark::AddCustomContext("tasks", tasks ? std::to_string(*tasks) : std::string("?"));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    std::printf("peak RSS (VmHWM) after all benchmarks: %.1f MB\n", peakRssMb());
    return 0;
}
