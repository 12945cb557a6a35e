#pragma once

#include "demorecipe.h"
#include "net/transport.h"

#include <QHash>
#include <QObject>
#include <QString>

namespace tessera {
class Clock;
}

namespace tessera::demo {

// The offline demo's stand-in for a vendor's server, spoken to through the same Transport interface
// as a real HTTP API (so demo tasks take the engine's one path: submit, poll, download, archive).
// Jobs are kept as small JSON files in `stateDir` so that a task survives a restart of Tessera just as
// it would on a real server; images are rendered on the QtConcurrent pool when downloaded.
//
// Protocol (documented in DemoAdapter, which builds the calls):
//   POST /demo/tasks            {action, prompt, aspectRatio, version, speed, chaos, stylize, weird,
//                                seed, parent, index, variant, mask} → 200 {id} | 400/404 {error}
//     action: imagine | upscale | vary | reroll | inpaint. Actions name a finished `parent`; upscale and
//     vary take `index` 1-4 on a grid (vary also acts on an upscale), reroll none. inpaint (vary region)
//     takes `index` 1-4 on a grid and none on an upscale, `mask` (base64 PNG, white = regenerate, any
//     size: fitted nearest-neighbour to the image) and an optional `prompt` for the region; its result
//     is a grid of four in which only the masked pixels differ from the source image.
//   GET  /demo/tasks/<id>       → {id, status: queued|running|succeeded|cancelled, progress, seed,
//                                images: [{role, url}]} | 404 {error}
//   POST /demo/tasks/<id>/cancel → {status: "cancelled"} | 409 {error}
//   download demo://render/<id>/grid.png | image.png
//
// The account option "duration" (seconds, default 4) sets how long an imagine takes; "turbo" halves
// it, "relaxed" adds 60 %, an upscale takes 60 %.
class DemoBackend final : public QObject, public Transport
{
    Q_OBJECT
public:
    DemoBackend(QString stateDir, Clock &clock, QObject *parent = nullptr);

    // Long side of one grid tile in pixels (default 512; tests use small images).
    void setTileLongSide(int pixels) { m_tileLongSide = pixels; }
    int tileLongSide() const { return m_tileLongSide; }

    TransportReply *send(const HttpCall &call, const Account &account, const QString &apiKey) override;
    TransportReply *download(const QUrl &url, const Account &account, qint64 maxBytes) override;

    // The request handling itself, synchronous (exposed for tests).
    HttpResponse handle(const HttpCall &call, const Account &account);

private:
    HttpResponse submit(const QJsonObject &body, const Account &account);
    HttpResponse status(const QString &id);
    HttpResponse cancel(const QString &id);
    std::optional<DemoJob> job(const QString &id);
    Status save(const DemoJob &job);

    QString m_stateDir;
    Clock &m_clock;
    int m_tileLongSide = 512;
    QHash<QString, DemoJob> m_cache;
};

} // namespace tessera::demo
