#include "downloader.h"

#include "leases.h"
#include "logging.h"
#include "model/clock.h"
#include "model/futures.h"
#include "providers/common/vendorjson.h"
#include "providers/providerregistry.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"

#include <QCoreApplication>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace tessera {

namespace {

void sortImages(QList<ImageRef> &images)
{
    std::sort(images.begin(), images.end(), [](const ImageRef &a, const ImageRef &b) {
        return a.role != b.role ? a.role < b.role : a.index < b.index;
    });
}

} // namespace

Downloader::Downloader(JobHost &host, HistoryStore &store, ImageArchive &archive,
                       const ProviderRegistry &providers, Transport &transport, Clock &clock, Leases &leases,
                       Config config, QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_store(store)
    , m_archive(archive)
    , m_providers(providers)
    , m_transport(transport)
    , m_clock(clock)
    , m_leases(leases)
    , m_config(config)
{ }

Error Downloader::failureOf(const HttpResponse &response)
{
    const int status = response.status;
    if (status == 404 || status == 403 || status == 410)
        return Error::make(
            Error::Kind::NotFound,
            tr("The provider no longer has this file (HTTP %1); result links expire after some "
               "days")
                .arg(status),
            status);
    const Error::Kind kind = vendor::kindForStatus(status);
    return Error::make(kind == Error::Kind::Unauthorized ? Error::Kind::BadResponse : kind,
                       tr("The file server answered HTTP %1").arg(status), status);
}

bool Downloader::meansExpired(const Error &e)
{
    return e.kind == Error::Kind::NotFound || e.httpStatus == 404 || e.httpStatus == 403
        || e.httpStatus == 410;
}

std::optional<Error> Downloader::missingNote(const QList<ImageRef> &images)
{
    QStringList reasons;
    bool onlyExpired = true;
    for (const ImageRef &img : images) {
        if (img.state == ImageState::Failed) {
            onlyExpired = false;
            reasons.append(img.error);
        } else if (img.state == ImageState::Expired) {
            reasons.append(img.error.isEmpty() ? tr("its link has expired") : img.error);
        }
    }
    if (reasons.isEmpty())
        return std::nullopt;
    const auto count = reasons.size();
    const QString what
        = count == 1 ? tr("1 image could not be saved") : tr("%1 images could not be saved").arg(count);
    return Error::make(onlyExpired ? Error::Kind::NotFound : Error::Kind::Io,
                       what + QStringLiteral(": ") + reasons.join(QStringLiteral("; ")));
}

void Downloader::start(Job &job, const TaskSnapshot &snapshot)
{
    job.phase = Job::Phase::Downloading;
    // The vendor deletes results some days after the task was created (PROVIDERS.md, "General rules");
    // past that an image not yet in the archive is marked Expired (HistoryStore::markExpiredImages).
    const int retentionDays = job.adapter->capabilities(job.account).resultRetentionDays;
    const QDateTime created = job.task.created.isValid() ? job.task.created : m_clock.now();
    const QDateTime expires = retentionDays > 0 ? created.addDays(retentionDays) : QDateTime();
    // Keep what an earlier run already stored; everything else is (re)fetched.
    QList<ImageRef> images;
    for (const RemoteImage &remote : snapshot.results) {
        ImageRef img;
        img.role = remote.role;
        img.index = remote.index;
        img.remoteUrl = remote.url;
        img.state = ImageState::Pending;
        img.expires = expires;
        for (const ImageRef &old : job.task.images) {
            if (old.role == img.role && old.index == img.index && old.isLocal())
                img = old;
        }
        images.append(img);
    }
    for (const ImageRef &old : job.task.images) {
        if (old.role == ImageRole::Tile && old.isLocal()
            && std::none_of(images.cbegin(), images.cend(),
                            [&](const ImageRef &i) { return i.role == old.role && i.index == old.index; }))
            images.append(old);
    }
    job.task.images = images;
    job.task.state = TaskState::Running;
    job.task.progress = 100;
    // What a write killed before its rename left (no ingest of this task is under way now).
    ImageArchive::removeLeftovers(m_archive.root(), ImageArchive::taskFolder(job.task.id, job.task.created));
    // The URLs are on disk before any download starts: an interrupted download resumes at the next start.
    if (!m_host.persist(job, true))
        return;
    m_host.changed(job);
    downloadNext(job);
}

void Downloader::downloadNext(Job &job)
{
    for (int slot = 0; slot < job.task.images.size(); ++slot) {
        const ImageRef &img = job.task.images[slot];
        if (img.state != ImageState::Pending || img.remoteUrl.isEmpty())
            continue;
        ++job.downloadsInFlight;
        TransportReply *reply
            = m_transport.download(QUrl(img.remoteUrl), job.account, m_config.maxDownloadBytes);
        job.downloads.append(reply);
        const QString id = job.task.id;
        const int generation = job.generation;
        connect(reply, &TransportReply::finished, this,
                [this, id, generation, slot, reply] { onDownloaded(id, generation, slot, reply); });
    }
    if (job.downloadsInFlight == 0)
        finish(job);
}

void Downloader::onDownloaded(const QString &taskId, int generation, int slot, TransportReply *reply)
{
    reply->deleteLater();
    Job *job = m_host.jobFor(taskId, generation);
    if (!job)
        return;
    job->downloads.removeAll(reply);
    const Result<HttpResponse> &result = reply->result();
    std::optional<Error> failure;
    if (!result)
        failure = result.error();
    else if (!result->isSuccess())
        failure = failureOf(*result);
    if (failure) {
        ImageRef &img = job->task.images[slot];
        img.state = meansExpired(*failure) ? ImageState::Expired : ImageState::Failed;
        img.error = failure->userText();
        qCWarning(lcTasks) << "download failed for" << taskId << img.remoteUrl << img.error;
        if (--job->downloadsInFlight == 0)
            finish(*job);
        return;
    }
    const ImageRef &img = job->task.images[slot];
    ImageArchive::Ingest request;
    request.bytes = result->body;
    request.root = m_archive.root();
    request.folder = ImageArchive::taskFolder(job->task.id, job->task.created);
    request.role = img.role;
    request.index = img.index;
    request.remoteUrl = img.remoteUrl;
    request.splitGrid = img.role == ImageRole::Grid;
    request.allocationLimitMb = m_config.decodeLimitMb;
    // Decoding, splitting and writing happen on the pool; the result comes back to this thread. Once the
    // engine is gone the stored files simply wait for the next run.
    whenReady(this, QtConcurrent::run(&ImageArchive::ingest, request),
              [this, taskId, generation, slot](const Result<QList<ImageRef>> &stored) {
                  onIngested(taskId, generation, slot, stored);
              });
}

void Downloader::onIngested(const QString &taskId, int generation, int slot,
                            const Result<QList<ImageRef>> &stored)
{
    Job *job = m_host.jobFor(taskId, generation);
    if (!job)
        return;
    if (!stored) {
        ImageRef &img = job->task.images[slot];
        img.state = ImageState::Failed;
        img.error = stored.error().userText();
    } else {
        const QDateTime expires = job->task.images[slot].expires; // the link's, kept for the record
        job->task.images[slot] = stored->first();
        job->task.images[slot].expires = expires;
        for (qsizetype i = 1; i < stored->size(); ++i) {
            const ImageRef &tile = stored->at(i);
            auto existing
                = std::find_if(job->task.images.begin(), job->task.images.end(), [&](const ImageRef &r) {
                      return r.role == tile.role && r.index == tile.index;
                  });
            if (existing != job->task.images.end())
                *existing = tile;
            else
                job->task.images.append(tile);
        }
        // Recorded at once: after a crash an image already in the archive is not fetched again.
        if (!m_host.persist(*job, true))
            return;
    }
    if (--job->downloadsInFlight == 0)
        finish(*job);
}

void Downloader::finish(Job &job)
{
    if (job.retryOnly) {
        finishRetry(job);
        return;
    }
    sortImages(job.task.images);
    m_host.finishRun(job, TaskState::Succeeded, missingNote(job.task.images));
}

int Downloader::retryMissing()
{
    const qint64 now = m_clock.nowMs();
    // Past its expiry a link is not tried again: the image becomes Expired (never deleted).
    if (const Result<int> expired = m_store.markExpiredImages(now); !expired)
        qCWarning(lcTasks) << "cannot mark expired images:" << expired.error().message;
    else if (*expired > 0)
        qCInfo(lcTasks) << *expired << "image links have expired";
    const auto tasks = m_store.tasksWithUndownloadedImages();
    if (!tasks) {
        qCWarning(lcTasks) << "cannot look for images to download again:" << tasks.error().message;
        return 0;
    }
    int queued = 0;
    for (const Task &task : *tasks) {
        if (!m_retryQueue.contains(task.id) && !m_host.jobFor(task.id, 0)) {
            m_retryQueue.append(task.id);
            ++queued;
        }
    }
    startNextRetry();
    return queued;
}

void Downloader::startNextRetry()
{
    const auto running = [this] {
        const std::vector<Job *> jobs = m_host.jobs();
        return std::count_if(jobs.cbegin(), jobs.cend(), [](const Job *j) { return j->retryOnly; });
    };
    while (!m_retryQueue.isEmpty() && running() < std::max(1, m_config.maxRetries))
        startRetry(m_retryQueue.takeFirst());
}

bool Downloader::startRetry(const QString &taskId)
{
    if (m_host.jobFor(taskId, 0))
        return false;
    // The lease keeps another process (the CLI, a second window) from fetching the same files.
    if (!m_leases.claim(taskId))
        return false;
    // Read again under the lease: what the list said may have changed since.
    const auto stored = m_store.task(taskId);
    if (!stored || !stored->has_value() || (*stored)->state != TaskState::Succeeded) {
        m_leases.release(taskId);
        return false;
    }
    Task task = **stored;
    const auto account = m_store.account(task.accountId);
    const ProviderAdapter *adapter
        = account && account->has_value() ? m_providers.adapter((*account)->family) : nullptr;
    bool any = false;
    for (ImageRef &img : task.images) {
        if ((img.state == ImageState::Pending || img.state == ImageState::Failed)
            && !img.remoteUrl.isEmpty()) {
            img.state = ImageState::Pending;
            any = true;
        }
    }
    if (!adapter || !any) {
        m_leases.release(taskId);
        return false;
    }
    qCInfo(lcTasks) << "fetching again the missing images of" << taskId;
    ImageArchive::removeLeftovers(m_archive.root(), ImageArchive::taskFolder(task.id, task.created));
    Job *job = m_host.startRetryJob(task, **account, adapter);
    job->phase = Job::Phase::Downloading;
    downloadNext(*job);
    return true;
}

void Downloader::finishRetry(Job &job)
{
    // Images still Pending here were never asked for (no URL): they keep their state.
    sortImages(job.task.images);
    job.task.error = missingNote(job.task.images);
    const QString id = job.task.id;
    if (!m_host.persist(job, true))
        return; // persist() reported it and ended the job
    m_leases.release(id);
    const std::optional<Error> note = job.task.error;
    m_host.changed(job);
    m_host.endRetryJob(job);
    qCInfo(lcTasks) << "missing images of" << id << (note ? note->message : QStringLiteral("saved"));
    QMetaObject::invokeMethod(
        this, [this] { startNextRetry(); }, Qt::QueuedConnection);
}

} // namespace tessera
