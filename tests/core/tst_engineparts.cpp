// The engine's named parts on their own (issue 13): PollScheduler's intervals and limits, the
// Downloader's reading of failed downloads and of what is missing, and Leases' ownership across
// processes (a live holder keeps its tasks; a killed one's stale lock lets them go at once).
#include "model/clock.h"
#include "storage/historystore.h"
#include "tasks/downloader.h"
#include "tasks/leases.h"
#include "tasks/pollscheduler.h"

#include <QDir>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace tessera;

namespace {

PollPolicy kolerskyLike()
{
    PollPolicy p;
    p.firstPollMs = 5000;
    p.intervalMs = 5000;
    p.maxIntervalMs = 60'000;
    p.steadyPolls = 12;
    p.growth = 1.25;
    p.minIntervalMs = 5000;
    p.pollBudget = 60;
    p.timeoutMs = 600'000;
    return p;
}

Task runningTask(int pollCount, std::optional<int> progress = {})
{
    Task t;
    t.id = QStringLiteral("t");
    t.state = TaskState::Running;
    t.pollCount = pollCount;
    t.progress = progress;
    return t;
}

HttpResponse answer(int status)
{
    HttpResponse r;
    r.status = status;
    return r;
}

ImageRef image(ImageState state, const QString &error = {})
{
    ImageRef i;
    i.role = ImageRole::Tile;
    i.state = state;
    i.error = error;
    return i;
}

} // namespace

class TstEngineParts : public QObject
{
    Q_OBJECT
private slots:
    void intervalsStaySteadyThenGrowAndNeverGoBelowTheVendorsMinimum()
    {
        const PollPolicy p = kolerskyLike();
        // Twelve checks at 5 s, then each gap a quarter longer, up to a minute.
        QCOMPARE(PollScheduler::nextInterval(p, 5000, 1), 5000);
        QCOMPARE(PollScheduler::nextInterval(p, 5000, 12), 5000);
        QCOMPARE(PollScheduler::nextInterval(p, 5000, 13), 6250);
        QCOMPARE(PollScheduler::nextInterval(p, 50'000, 30), 60'000);
        QCOMPARE(PollScheduler::nextInterval(p, 60'000, 40), 60'000);
        // The whole budget lasts well past the vendor's 5-minute operation timeout.
        qint64 interval = p.intervalMs;
        qint64 at = p.firstPollMs;
        for (int check = 1; check < p.pollBudget; ++check) {
            at += interval;
            interval = PollScheduler::nextInterval(p, interval, check);
            QVERIFY(interval >= p.minIntervalMs);
        }
        QVERIFY2(at > 30 * 60'000, qPrintable(QString::number(at)));
        // A family without back-off (interval = max) and no minimum: steady.
        PollPolicy flat;
        flat.intervalMs = flat.maxIntervalMs = 3000;
        QCOMPARE(PollScheduler::nextInterval(flat, 3000, 50), 3000);
    }

    void aRunStopsForTheBudgetItsCapOrItsTimeAndSaysSo()
    {
        PollPolicy p = kolerskyLike();
        QVERIFY(!PollScheduler::limitReached(p, runningTask(59), 10, 1000, QStringLiteral("kolersky")));
        const auto spent = PollScheduler::limitReached(p, runningTask(60, 45), 10, 1000, QStringLiteral("kolersky"));
        QVERIFY(spent);
        QCOMPARE(spent->kind, Error::Kind::StillRunning);
        QVERIFY2(spent->message.startsWith(QLatin1String("kolersky allows no more status checks for this task: "
                                                         "all 60 were used")),
                 qPrintable(spent->message));
        QVERIFY(spent->message.contains(QLatin1String("45 %")));
        QVERIFY(!spent->userText().contains(QLatin1String("did not answer")));

        p.pollBudget = 0;
        p.maxPolls = 3;
        const auto capped = PollScheduler::limitReached(p, runningTask(7), 3, 1000, QString());
        QVERIFY(capped);
        QVERIFY2(capped->message.startsWith(QLatin1String("Tessera stopped asking after 3 status checks")),
                 qPrintable(capped->message));
        QVERIFY(capped->message.endsWith(QLatin1String("Check again later.")));

        p.maxPolls = 0;
        const auto late = PollScheduler::limitReached(p, runningTask(7), 7, 600'000, QString());
        QVERIFY(late);
        QVERIFY2(late->message.startsWith(QLatin1String("Tessera stopped asking after 10 minutes")),
                 qPrintable(late->message));
    }

    void failedDownloadsAreReadLikeAnswers()
    {
        for (const int status : {403, 404, 410}) {
            const Error e = Downloader::failureOf(answer(status));
            QCOMPARE(e.kind, Error::Kind::NotFound);
            QVERIFY(Downloader::meansExpired(e));
            QCOMPARE(e.httpStatus, status);
        }
        QCOMPARE(Downloader::failureOf(answer(500)).kind, Error::Kind::ServerError);
        QCOMPARE(Downloader::failureOf(answer(503)).kind, Error::Kind::Maintenance);
        QCOMPARE(Downloader::failureOf(answer(429)).kind, Error::Kind::RateLimited);
        // Downloads never carry the key: a 401 is an odd answer, not a rejected key.
        QCOMPARE(Downloader::failureOf(answer(401)).kind, Error::Kind::BadResponse);
        QVERIFY(!Downloader::meansExpired(Downloader::failureOf(answer(500))));
    }

    void missingImagesAreCountedWithTheirReasons()
    {
        QVERIFY(!Downloader::missingNote({image(ImageState::Downloaded), image(ImageState::Pending)}));
        const auto expired = Downloader::missingNote({image(ImageState::Downloaded), image(ImageState::Expired)});
        QVERIFY(expired);
        QCOMPARE(expired->kind, Error::Kind::NotFound);
        QCOMPARE(expired->message, QStringLiteral("1 image could not be saved: its link has expired"));
        const auto mixed = Downloader::missingNote(
            {image(ImageState::Failed, QStringLiteral("disk full")), image(ImageState::Expired, QStringLiteral("gone"))});
        QVERIFY(mixed);
        QCOMPARE(mixed->kind, Error::Kind::Io);
        QCOMPARE(mixed->message, QStringLiteral("2 images could not be saved: disk full; gone"));
    }

    void leasesKnowALiveOwnerFromADeadOne()
    {
        QTemporaryDir dir;
        auto opened = HistoryStore::open(dir.filePath(QStringLiteral("h.sqlite")));
        QVERIFY(opened);
        HistoryStore &store = **opened;
        ManualClock clock;
        const QString locks = dir.filePath(QStringLiteral("leases"));
        Leases mine(store, clock, locks, 30'000);
        QVERIFY(mine.owner().endsWith(QUuid::fromString(mine.owner().section(QLatin1Char('|'), -1))
                                           .toString(QUuid::WithoutBraces)));
        QVERIFY(!mine.isDead(mine.owner()));
        {
            // Another engine of this process is alive; gone, its lock file goes with it.
            Leases other(store, clock, locks, 30'000);
            QVERIFY(!mine.isDead(other.owner()));
        }
        // Owners it cannot judge (another machine, an older id) count as alive.
        QVERIFY(!mine.isDead(QStringLiteral("elsewhere|") + QUuid::createUuid().toString(QUuid::WithoutBraces)));
        QVERIFY(!mine.isDead(QStringLiteral("host|123|456")));

        // A process that holds its lock is alive; killed, its stale lock says it is dead.
        const QString uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString owner = QSysInfo::machineHostName() + QLatin1Char('|') + uuid;
        QProcess holder;
        holder.start(QStringLiteral(TESSERA_LOCKHOLDER_PATH), {QDir(locks).filePath(uuid + QStringLiteral(".lock"))});
        QVERIFY(holder.waitForReadyRead(10'000));
        QVERIFY(!mine.isDead(owner));
        holder.kill();
        QVERIFY(holder.waitForFinished(10'000));
        QVERIFY(mine.isDead(owner));
    }
};

QTEST_GUILESS_MAIN(TstEngineParts)
#include "tst_engineparts.moc"
