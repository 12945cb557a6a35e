#include "transport.h"

#include <QCoreApplication>
#include <QMetaObject>

namespace tessera {

TransportReply::TransportReply(QObject *parent)
    : QObject(parent)
{ }

const Result<HttpResponse> &TransportReply::result() const
{
    Q_ASSERT(m_result.has_value());
    return *m_result;
}

void TransportReply::abort()
{
    if (isFinished())
        return;
    onAbort();
    finish(
        Error::make(Error::Kind::Cancelled, QCoreApplication::translate("Transport", "Request cancelled")));
}

TransportReply *TransportReply::finishedWith(Result<HttpResponse> result)
{
    auto *reply = new TransportReply;
    reply->finish(std::move(result));
    return reply;
}

void TransportReply::finish(Result<HttpResponse> result)
{
    if (isFinished())
        return;
    m_result = std::move(result);
    // Queued so that a caller connecting after send() returns never misses the signal.
    QMetaObject::invokeMethod(this, &TransportReply::finished, Qt::QueuedConnection);
}

TransportRouter::TransportRouter(Transport *demo, Transport *http)
    : m_demo(demo)
    , m_http(http)
{ }

Transport *TransportRouter::route(const Account &account) const
{
    return account.isDemo() ? m_demo : m_http;
}

TransportReply *TransportRouter::send(const HttpCall &call, const Account &account, const QString &apiKey)
{
    if (Transport *t = route(account))
        return t->send(call, account, apiKey);
    return TransportReply::finishedWith(Error::make(
        Error::Kind::Unsupported,
        QCoreApplication::translate("Transport", "No connection is available for %1 accounts in this build")
            .arg(account.family)));
}

TransportReply *TransportRouter::download(const QUrl &url, const Account &account, qint64 maxBytes)
{
    if (Transport *t = route(account))
        return t->download(url, account, maxBytes);
    return TransportReply::finishedWith(Error::make(
        Error::Kind::Unsupported,
        QCoreApplication::translate("Transport", "No connection is available for %1 accounts in this build")
            .arg(account.family)));
}

} // namespace tessera
