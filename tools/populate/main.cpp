// tessera-populate: fills a throwaway data directory with a synthetic history, so that anyone can
// reproduce the figures of the README's "History at scale" (issue 6). A developer tool: built with the
// project, never installed or packaged. It opens only the history and the archive (no engine, no
// network, no keychain), at the same standard locations as tessera and tessera-cli.
//
//   HOME=$(mktemp -d) build/release/bin/tessera-populate --tasks 100000 [--seed 1] [--force] [--json]
#include "generator.h"
#include "storage/historystore.h"
#include "storage/paths.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <variant>

using namespace tessera;

namespace {

enum Exit { Ok = 0, Usage = 2, DataError = 3 };
constexpr int kBatchTasks = 2000; // tasks per transaction: one commit (one sync to disk) each
const QString kUsage
    = QStringLiteral("usage: tessera-populate --tasks N [--seed S] [--force] [--json]\n"
                     "  --tasks N   how many synthetic tasks to add (1 to 10,000,000)\n"
                     "  --seed S    seed of the generator (default 1): the same seed, the same history\n"
                     "  --force     populate even a data directory that holds tasks of your own\n"
                     "  --json      print the summary as JSON");

struct Request
{
    int tasks = 0;
    quint64 seed = 1;
    bool force = false;
    bool json = false;
};

// The request, or the exit code when there is nothing (more) to do: Ok after --help, Usage with a message
// on `err` for anything else that is not a request.
std::variant<Request, int> parse(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QString());
    const QCommandLineOption tasks(QStringLiteral("tasks"), QString(), QStringLiteral("n"));
    const QCommandLineOption seed(QStringLiteral("seed"), QString(), QStringLiteral("s"));
    const QCommandLineOption force(QStringLiteral("force"), QString());
    const QCommandLineOption json(QStringLiteral("json"), QString());
    parser.addOptions({help, tasks, seed, force, json});
    const auto usage = [&](const QString &message) {
        err << "tessera-populate: " << message << '\n' << kUsage << Qt::endl;
        return int(Usage);
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(help)) {
        out << kUsage << Qt::endl;
        return int(Ok);
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("takes no arguments, only options (\"%1\")")
                         .arg(parser.positionalArguments().join(QLatin1Char(' '))));
    Request request;
    bool ok = false;
    request.tasks = parser.value(tasks).toInt(&ok);
    if (!parser.isSet(tasks) || !ok || request.tasks < 1 || request.tasks > 10'000'000)
        return usage(QStringLiteral("--tasks N is required, from 1 to 10,000,000"));
    if (parser.isSet(seed)) {
        request.seed = parser.value(seed).toULongLong(&ok);
        if (!ok)
            return usage(
                QStringLiteral("--seed: \"%1\" is not a whole number from 0").arg(parser.value(seed)));
    }
    request.force = parser.isSet(force);
    request.json = parser.isSet(json);
    return request;
}

int populateHistory(const Request &request, const AppPaths &paths, QTextStream &out, QTextStream &err)
{
    const auto fail = [&](const QString &message, int code) {
        err << "tessera-populate: " << message << Qt::endl;
        return code;
    };
    auto opened = HistoryStore::open(paths.databasePath);
    if (!opened)
        return fail(QStringLiteral("cannot open the history: %1").arg(opened.error().message), DataError);
    HistoryStore &store = **opened;

    // The user's own tasks are those on any account the generator did not create.
    QStringList generatedAccounts;
    for (const populate::Family &f : populate::kFamilies)
        generatedAccounts.append(populate::accountIdOf(f));
    const auto total = store.taskCount();
    HistoryQuery generatedQuery;
    generatedQuery.accountIds = generatedAccounts;
    const auto generated = store.countTasks(generatedQuery);
    if (!total || !generated)
        return fail(!total ? total.error().message : generated.error().message, DataError);
    const int own = *total - *generated;
    if (own > 0 && !request.force)
        return fail(QStringLiteral("%1 holds %2 task(s) of your own; populate a throwaway HOME instead "
                                   "(HOME=$(mktemp -d) tessera-populate ...) or add --force")
                        .arg(paths.dataDir)
                        .arg(own),
                    Usage);

    for (const populate::Family &f : populate::kFamilies) {
        Account a;
        a.id = populate::accountIdOf(f);
        a.family = QString::fromLatin1(f.family);
        a.name = QString::fromLatin1(f.name);
        a.baseUrl = QStringLiteral("https://%1.populate.invalid").arg(a.family); // never resolves
        a.created = QDateTime::currentDateTimeUtc().addDays(-731);
        if (const Status s = store.saveAccount(a); !s)
            return fail(s.error().message, DataError);
    }

    QElapsedTimer timer;
    timer.start();
    populate::Generator generator(request.seed, request.tasks, *generated, paths.archiveDir);
    int written = 0;
    while (written < request.tasks) {
        const int batch = std::min(kBatchTasks, request.tasks - written);
        QList<Task> tasks;
        tasks.reserve(batch);
        for (int i = written; i < written + batch; ++i) {
            Result<Task> t = generator.make(i);
            if (!t)
                return fail(t.error().message, DataError);
            tasks.append(std::move(*t));
        }
        // The files are on disk before their rows: an interrupted run leaves spare files, never rows
        // without files.
        const Status s = store.inTransaction([&]() -> Status {
            for (const Task &t : std::as_const(tasks)) {
                if (const Status inserted = store.insertTask(t, {}, 0); !inserted)
                    return inserted;
            }
            return {};
        });
        if (!s)
            return fail(s.error().message, DataError);
        written += batch;
        if (written % (5 * kBatchTasks) != 0 && written != request.tasks)
            continue;
        err << QStringLiteral("populate: %1/%2 tasks, %3 images, %4 s")
                   .arg(written)
                   .arg(request.tasks)
                   .arg(generator.images())
                   .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1)
            << Qt::endl;
    }
    const double seconds = double(timer.elapsed()) / 1000.0;
    if (request.json) {
        const QJsonObject summary {{QStringLiteral("tasks"), written},
                                   {QStringLiteral("images"), generator.images()},
                                   {QStringLiteral("accounts"), int(populate::kFamilies.size())},
                                   {QStringLiteral("seed"), QString::number(request.seed)},
                                   {QStringLiteral("seconds"), seconds},
                                   {QStringLiteral("dataDir"), paths.dataDir},
                                   {QStringLiteral("archive"), paths.archiveDir}};
        out << QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Indented)).trimmed()
            << Qt::endl;
    } else {
        out << QStringLiteral("populated %1 tasks (%2 images, %3 accounts, seed %4) in %5 s into %6")
                   .arg(written)
                   .arg(generator.images())
                   .arg(populate::kFamilies.size())
                   .arg(request.seed)
                   .arg(seconds, 0, 'f', 1)
                   .arg(paths.dataDir)
            << Qt::endl;
    }
    return Ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    setApplicationIdentity();
    QTextStream out(stdout);
    QTextStream err(stderr);
    const auto parsed = parse(QCoreApplication::arguments(), out, err);
    if (const int *code = std::get_if<int>(&parsed))
        return *code;
    return populateHistory(std::get<Request>(parsed), AppPaths::standard(), out, err);
}
