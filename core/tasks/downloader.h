#pragma once

#include "job.h"

#include <QObject>
#include <QStringList>

#include <optional>

namespace tessera {

class Clock;
class HistoryStore;
class ImageArchive;
class Leases;
class ProviderRegistry;
class Transport;

// Results → archive (ARCHITECTURE.md, "The flow of one task"): every result file of a finished task is
// fetched (the size capped, never with the key), decoded, split when it is a grid and written on the
// pool, and recorded as soon as it is stored, so that an interrupted run never fetches it twice. Images
// that could not be saved say why; links past their expiry are Expired, never deleted. At start, ended
// tasks whose images are still pending or failed are fetched again, a few at a time, each under a lease.
class Downloader : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        qint64 maxDownloadBytes = 100LL * 1024 * 1024;
        int decodeLimitMb = 512;
        int maxRetries = 4; // ended tasks fetched again at once
    };

    Downloader(JobHost &host, HistoryStore &store, ImageArchive &archive, const ProviderRegistry &providers,
               Transport &transport, Clock &clock, Leases &leases, Config config, QObject *parent = nullptr);

    // The task succeeded with `snapshot`'s results: fetch what is not stored yet, then end the run.
    void start(Job &job, const TaskSnapshot &snapshot);
    // Fetches again the pending and failed (not expired) images of ended tasks. Returns how many tasks
    // were queued for it.
    int retryMissing();

    // Why a result file could not be fetched, from the file server's HTTP status: 404, 410 and 403 (the
    // links are signed and downloads never carry the key, so a 403 is no key problem) mean the vendor no
    // longer has it (NotFound, shown as expired); other statuses as for API calls.
    static Error failureOf(const HttpResponse &response);
    static bool meansExpired(const Error &e);
    // "2 images could not be saved: …" for images that are not in the archive; nothing when all are.
    static std::optional<Error> missingNote(const QList<ImageRef> &images);

private:
    void downloadNext(Job &job);
    void onDownloaded(const QString &taskId, int generation, int slot, TransportReply *reply);
    void onIngested(const QString &taskId, int generation, int slot, const Result<QList<ImageRef>> &stored);
    void finish(Job &job);
    void startNextRetry();
    bool startRetry(const QString &taskId);
    void finishRetry(Job &job);

    JobHost &m_host;
    HistoryStore &m_store;
    ImageArchive &m_archive;
    const ProviderRegistry &m_providers;
    Transport &m_transport;
    Clock &m_clock;
    Leases &m_leases;
    Config m_config;
    QStringList m_retryQueue; // ended tasks whose images retryMissing() will fetch
};

} // namespace tessera
