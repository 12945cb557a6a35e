#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace tessera::ui {

// Calls `done(result)` on `context`'s thread when `future` (work on the QtConcurrent pool) finishes —
// unless `context` has been destroyed by then, in which case nothing happens. QFuture::then(context, ...)
// of Qt 6.4 asserts when the context dies first (a viewer closed while its image decodes, the window
// closed while thumbnails load); a watcher owned by the context simply goes away with it.
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

} // namespace tessera::ui
