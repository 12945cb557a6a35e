#include "e2eenv.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QImage>
#include <QPainter>

namespace tessera::test {

E2EEnv::E2EEnv(const QString &family, const QJsonObject &options)
    : paths(AppPaths::under(dir.path()))
{
    auto opened = HistoryStore::open(paths.databasePath);
    if (!opened)
        qFatal("cannot open the e2e history: %s", qPrintable(opened.error().message));
    store = std::move(*opened);
    archive = std::make_unique<ImageArchive>(paths.archiveDir);
    providers = ProviderRegistry::createDefault();

    HttpClient::Config config;
    config.transferTimeoutMs = 1500; // a hanging answer ends quickly
    config.retry.baseMs = 20;
    config.retry.capMs = 100;
    config.retry.maxAttempts = 3;
    config.retry.maxWaitMs = 5000;
    http = std::make_unique<HttpClient>(network, config);

    restartEngine();

    account.id = QStringLiteral("e2e-account");
    account.family = family;
    account.name = QStringLiteral("e2e");
    account.baseUrl = server.baseUrl();
    // Quick polling unless the test says otherwise.
    account.options = QJsonObject {{QStringLiteral("first-poll"), QStringLiteral("0.05")},
                                   {QStringLiteral("poll-interval"), QStringLiteral("0.05")}};
    for (auto it = options.constBegin(); it != options.constEnd(); ++it)
        account.options.insert(it.key(), it.value());
    if (!store->saveAccount(account))
        qFatal("cannot save the e2e account");
    bool written = false;
    QObject context;
    secrets.writeKey(account.id, QString::fromLatin1(kKey), &context,
                     [&](const Status &) { written = true; });
    while (!written)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
}

void E2EEnv::restartEngine()
{
    engine.reset();
    TaskEngine::Config engineConfig;
    engineConfig.maxTransientErrors = 4;
    engine = std::make_unique<TaskEngine>(*store, *archive, *providers, *http, clock, engineConfig);
    engine->setSecrets(&secrets);
}

E2EEnv::~E2EEnv()
{
    engine.reset();
    http.reset();
}

Result<QString> E2EEnv::submit(const Operation &op)
{
    return engine->submit(op, account.id);
}

Task E2EEnv::task(const QString &taskId) const
{
    const auto found = store->task(taskId);
    return found && found->has_value() ? **found : Task();
}

Task E2EEnv::runToEnd(const QString &taskId, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const Task t = task(taskId);
        if (!t.id.isEmpty() && isTerminal(t.state) && !engine->isDriving(taskId))
            return t;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    return task(taskId);
}

Task E2EEnv::run(const Operation &op, int timeoutMs)
{
    const Result<QString> id = submit(op);
    if (!id) {
        qWarning("submit refused: %s", qPrintable(id.error().message));
        return {};
    }
    return runToEnd(*id, timeoutMs);
}

QString E2EEnv::fileUrl(const QString &name) const
{
    return server.url(QStringLiteral("/files/") + name).toString();
}

void E2EEnv::serveFile(const QString &name, const QByteArray &bytes, const QByteArray &contentType)
{
    server.on("GET", QStringLiteral("/files/") + name, Answer::bytes(bytes, contentType));
}

QByteArray E2EEnv::png(QSize size, QColor color)
{
    QImage img(size, QImage::Format_RGB32);
    img.fill(color);
    QPainter p(&img);
    p.setPen(QPen(color.darker(), 3));
    p.drawRect(img.rect().adjusted(1, 1, -2, -2));
    p.end();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    img.save(&buffer, "PNG");
    return bytes;
}

QByteArray E2EEnv::maskPng(QSize size, QRect rect)
{
    QImage img(size, QImage::Format_Grayscale8);
    img.fill(0);
    QPainter p(&img);
    p.fillRect(rect, Qt::white);
    p.end();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    img.save(&buffer, "PNG");
    return bytes;
}

QString E2EEnv::pathOf(const ImageRef &image) const
{
    return archive->absolutePath(image.path);
}

} // namespace tessera::test
