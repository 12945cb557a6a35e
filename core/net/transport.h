#pragma once

#include "model/account.h"
#include "model/httpcall.h"
#include "model/result.h"

#include <QObject>
#include <QUrl>

#include <functional>
#include <optional>

namespace tessera {

// One request in flight. Emits finished() exactly once, always from the event loop (never from inside
// Transport::send), whatever happens: an answer, a failure, or abort(). The receiver owns the reply and
// deletes it (deleteLater) once it has read result().
class TransportReply : public QObject
{
    Q_OBJECT
public:
    explicit TransportReply(QObject *parent = nullptr);

    bool isFinished() const { return m_result.has_value(); }
    // Valid once finished() was emitted.
    const Result<HttpResponse> &result() const;

    // Stops the request; finished() follows with a Cancelled error unless it already came.
    void abort();

    // A reply that finishes with `result` on the next turn of the event loop.
    static TransportReply *finishedWith(Result<HttpResponse> result);

signals:
    void finished();
    // The request is held before its next attempt because the server said to wait (429 or 503, with or
    // without Retry-After, or the account's gate that such an answer closed): it goes again at `untilMs`
    // (milliseconds since the epoch, UTC). The engine shows the wait on the task.
    void waiting(qint64 untilMs, int httpStatus);

protected:
    // For implementations: record the outcome and emit finished() (queued). Later calls are ignored.
    void finish(Result<HttpResponse> result);
    virtual void onAbort() { }

private:
    std::optional<Result<HttpResponse>> m_result;
};

// Sends adapter calls and fetches result files. HttpClient (real families) and the demo backend
// implement it; the TaskEngine uses one Transport for every family.
class Transport
{
public:
    virtual ~Transport() = default;
    // `apiKey` may be empty (the demo needs none). The reply is parentless; the caller owns it.
    virtual TransportReply *send(const HttpCall &call, const Account &account, const QString &apiKey) = 0;
    // Fetches a result file, refusing bodies over `maxBytes`.
    virtual TransportReply *download(const QUrl &url, const Account &account, qint64 maxBytes) = 0;
};

// Sends each account's calls to the transport of its family: the demo backend for "demo", the HTTP
// client for everything else.
class TransportRouter final : public Transport
{
public:
    TransportRouter(Transport *demo, Transport *http);
    TransportReply *send(const HttpCall &call, const Account &account, const QString &apiKey) override;
    TransportReply *download(const QUrl &url, const Account &account, qint64 maxBytes) override;

private:
    Transport *route(const Account &account) const;
    Transport *m_demo;
    Transport *m_http;
};

} // namespace tessera
