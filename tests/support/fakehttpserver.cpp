#include "fakehttpserver.h"

#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <utility>

namespace tessera::test {

namespace {

QByteArray findHeader(const HeaderList &headers, const QByteArray &name)
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool hasHeaderNamed(const HeaderList &headers, const QByteArray &name)
{
    for (const auto &pair : headers) {
        if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

} // namespace

QByteArray RecordedRequest::header(const QByteArray &name) const
{
    return findHeader(headers, name);
}

bool RecordedRequest::hasHeader(const QByteArray &name) const
{
    return hasHeaderNamed(headers, name);
}

QUrlQuery RecordedRequest::queryItems() const
{
    return QUrlQuery(query);
}

QJsonObject RecordedRequest::json() const
{
    return QJsonDocument::fromJson(body).object();
}

Answer Answer::json(int status, const QJsonObject &body)
{
    return bytes(QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json", status);
}

Answer Answer::jsonArray(int status, const QJsonArray &body)
{
    return bytes(QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json", status);
}

Answer Answer::jsonText(int status, QByteArray json)
{
    return bytes(std::move(json), "application/json", status);
}

Answer Answer::file(int status, const QString &path, QByteArray contentType)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("FakeHttpServer: cannot read %s", qPrintable(path));
    return bytes(f.readAll(), std::move(contentType), status);
}

Answer Answer::text(int status, QByteArray body, QByteArray contentType)
{
    return bytes(std::move(body), std::move(contentType), status);
}

Answer Answer::bytes(QByteArray body, QByteArray contentType, int status)
{
    Answer a;
    a.status = status;
    a.body = std::move(body);
    a.headers.append({QByteArrayLiteral("Content-Type"), std::move(contentType)});
    return a;
}

Answer Answer::redirect(QByteArray location, int status)
{
    Answer a;
    a.status = status;
    a.headers.append({QByteArrayLiteral("Location"), std::move(location)});
    return a;
}

Answer Answer::hanging()
{
    Answer a;
    a.hang = true;
    return a;
}

Answer Answer::dropped()
{
    Answer a;
    a.drop = Drop::BeforeAnswer;
    return a;
}

Answer Answer::droppedMidBody(QByteArray body, QByteArray contentType)
{
    Answer a = bytes(std::move(body), std::move(contentType));
    a.drop = Drop::MidBody;
    return a;
}

Answer &Answer::header(QByteArray name, QByteArray value)
{
    headers.append({std::move(name), std::move(value)});
    return *this;
}

Answer &Answer::after(int ms)
{
    delayMs = ms;
    return *this;
}

Answer &Answer::inChunks()
{
    chunked = true;
    return *this;
}

bool FakeHttpServer::Route::matches(const QByteArray &requestMethod, const QString &path) const
{
    if (method != "*" && method.compare(requestMethod, Qt::CaseInsensitive) != 0)
        return false;
    if (regex)
        return regex->match(path).hasMatch();
    if (pattern.endsWith(QLatin1Char('*')))
        return path.startsWith(QStringView(pattern).chopped(1));
    return path == pattern;
}

FakeHttpServer::FakeHttpServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &FakeHttpServer::onNewConnection);
    if (!m_server->listen(QHostAddress::LocalHost, 0))
        qFatal("FakeHttpServer: cannot listen on 127.0.0.1: %s", qPrintable(m_server->errorString()));
}

FakeHttpServer::~FakeHttpServer()
{
    closeConnections();
}

quint16 FakeHttpServer::port() const
{
    return m_server->serverPort();
}

QString FakeHttpServer::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

QUrl FakeHttpServer::url(QAnyStringView pathAndQuery) const
{
    return QUrl(baseUrl() + pathAndQuery.toString());
}

FakeHttpServer::Route &FakeHttpServer::route(const QByteArray &method, const QString &pattern,
                                             const std::optional<QRegularExpression> &regex)
{
    for (Route &r : m_routes) {
        if (r.method == method && r.pattern == pattern && r.regex.has_value() == regex.has_value()
            && (!regex || r.regex->pattern() == regex->pattern()))
            return r;
    }
    Route r;
    r.method = method;
    r.pattern = pattern;
    r.regex = regex;
    m_routes.append(std::move(r));
    return m_routes.last();
}

void FakeHttpServer::on(const QByteArray &method, QAnyStringView path, Answer answer)
{
    route(method, path.toString(), std::nullopt).repeat = std::move(answer);
}

void FakeHttpServer::on(const QByteArray &method, QAnyStringView path, Handler handler)
{
    route(method, path.toString(), std::nullopt).handler = std::move(handler);
}

void FakeHttpServer::on(const QByteArray &method, const QRegularExpression &path, Answer answer)
{
    route(method, path.pattern(), path).repeat = std::move(answer);
}

void FakeHttpServer::on(const QByteArray &method, const QRegularExpression &path, Handler handler)
{
    route(method, path.pattern(), path).handler = std::move(handler);
}

void FakeHttpServer::enqueue(const QByteArray &method, QAnyStringView path, Answer answer)
{
    route(method, path.toString(), std::nullopt).queue.append(std::move(answer));
}

void FakeHttpServer::enqueue(const QByteArray &method, QAnyStringView path, const QList<Answer> &answers)
{
    route(method, path.toString(), std::nullopt).queue.append(answers);
}

void FakeHttpServer::respond(Handler handler)
{
    m_fallback = std::move(handler);
}

void FakeHttpServer::clearRoutes()
{
    m_routes.clear();
    m_fallback = {};
}

QList<RecordedRequest> FakeHttpServer::requests(const QByteArray &method, QAnyStringView path) const
{
    Route filter;
    filter.method = method;
    filter.pattern = path.toString();
    QList<RecordedRequest> out;
    for (const RecordedRequest &r : m_requests) {
        if (filter.matches(r.method, r.path))
            out.append(r);
    }
    return out;
}

int FakeHttpServer::count(const QByteArray &method, QAnyStringView path) const
{
    return static_cast<int>(requests(method, path).size());
}

std::optional<RecordedRequest> FakeHttpServer::last(const QByteArray &method, QAnyStringView path) const
{
    const QList<RecordedRequest> matching = requests(method, path);
    if (matching.isEmpty())
        return std::nullopt;
    return matching.last();
}

void FakeHttpServer::closeConnections()
{
    const QList<QTcpSocket *> sockets = m_connections.keys();
    m_connections.clear();
    for (QTcpSocket *socket : sockets) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

Answer FakeHttpServer::answerFor(const RecordedRequest &request)
{
    for (Route &r : m_routes) {
        if (!r.matches(request.method, request.path))
            continue;
        if (!r.queue.isEmpty())
            return r.queue.takeFirst();
        if (r.handler)
            return r.handler(request);
        if (r.repeat)
            return *r.repeat;
    }
    if (m_fallback)
        return m_fallback(request);
    return Answer::json(
        404,
        QJsonObject {
            {QStringLiteral("error"),
             QStringLiteral("no route for %1 %2").arg(QString::fromLatin1(request.method), request.path)}});
}

void FakeHttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        m_connections.insert(socket, Connection {++m_connectionsAccepted, {}, false});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { process(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_connections.remove(socket);
            socket->deleteLater();
        });
    }
}

// Parses every complete request in the connection's buffer and answers it, one at a time.
void FakeHttpServer::process(QTcpSocket *socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    it->buffer += socket->readAll();
    while (!it->busy) {
        const qsizetype headerEnd = it->buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QList<QByteArray> lines = it->buffer.left(headerEnd).split('\n');
        RecordedRequest request;
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        const QByteArray target = requestLine.value(1);
        const qsizetype question = target.indexOf('?');
        request.path = QUrl::fromPercentEncoding(question < 0 ? target : target.left(question));
        request.query = question < 0 ? QString() : QString::fromLatin1(target.mid(question + 1));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                request.headers.append({lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
        }
        const qint64 length = request.header("Content-Length").toLongLong();
        const qsizetype total = headerEnd + 4 + length;
        if (it->buffer.size() < total)
            return; // the body is still on its way
        request.body = it->buffer.mid(headerEnd + 4, length);
        it->buffer.remove(0, total);
        request.received = QDateTime::currentDateTimeUtc();
        request.connection = it->id;
        m_requests.append(request);

        const Answer answer = answerFor(request);
        emit requestReceived();
        it = m_connections.find(socket); // a handler or a slot may have closed connections
        if (it == m_connections.end())
            return;
        if (answer.hang) {
            it->busy = true;
            return;
        }
        if (answer.delayMs > 0) {
            it->busy = true;
            QTimer::singleShot(answer.delayMs, socket, [this, socket, request, answer] {
                write(socket, request, answer);
                if (const auto c = m_connections.find(socket); c != m_connections.end()) {
                    c->busy = false;
                    process(socket);
                }
            });
            return;
        }
        write(socket, request, answer);
        it = m_connections.find(socket);
        if (it == m_connections.end())
            return;
    }
}

void FakeHttpServer::write(QTcpSocket *socket, const RecordedRequest &request, const Answer &answer)
{
    if (!m_connections.contains(socket))
        return;
    if (answer.drop == Answer::Drop::BeforeAnswer) {
        socket->disconnectFromHost();
        return;
    }
    const bool close = request.header("Connection").compare("close", Qt::CaseInsensitive) == 0
        || findHeader(answer.headers, "Connection").compare("close", Qt::CaseInsensitive) == 0;
    const bool noBody = request.method == "HEAD" || answer.status == 204 || answer.status == 304;

    QByteArray head = "HTTP/1.1 " + QByteArray::number(answer.status) + ' ' + reason(answer.status) + "\r\n";
    for (const auto &[name, value] : answer.headers)
        head += name + ": " + value + "\r\n";
    if (answer.chunked)
        head += "Transfer-Encoding: chunked\r\n";
    else if (!hasHeaderNamed(answer.headers, "Content-Length"))
        head += "Content-Length: " + QByteArray::number(answer.body.size()) + "\r\n";
    if (close && !hasHeaderNamed(answer.headers, "Connection"))
        head += "Connection: close\r\n";
    head += "\r\n";

    if (noBody) {
        socket->write(head);
    } else if (answer.drop == Answer::Drop::MidBody) {
        socket->write(head + answer.body.left(answer.body.size() / 2));
        socket->disconnectFromHost();
        return;
    } else if (answer.chunked) {
        const qsizetype half = answer.body.size() / 2;
        QByteArray chunks = head;
        for (const QByteArray &part : {answer.body.left(half), answer.body.mid(half)}) {
            if (!part.isEmpty())
                chunks += QByteArray::number(part.size(), 16) + "\r\n" + part + "\r\n";
        }
        socket->write(chunks + "0\r\n\r\n");
    } else {
        socket->write(head + answer.body);
    }
    if (close)
        socket->disconnectFromHost();
}

} // namespace tessera::test
