#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace tessera {

// Calls `done(result)` on `context`'s thread when `future` (work on the QtConcurrent pool) finishes —
// unless `context` has been destroyed by then, in which case nothing happens. QFuture::then(context, ...)
// of Qt 6.4 asserts when the context dies first (an engine destroyed while an image decodes, a viewer
// closed while its image loads); a watcher owned by the context simply goes away with it. The one way
// results come back from the pool, in core and in the widgets (ARCHITECTURE.md, "Threads").
template<typename T, typename Done> void whenReady(QObject *context, QFuture<T> future, Done done)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, done = std::move(done)]() mutable {
                         watcher->deleteLater();
                         done(watcher->result());
                     });
    watcher->setFuture(std::move(future));
}

} // namespace tessera
