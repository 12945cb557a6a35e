#pragma once

#include <QAnyStringView>
#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QRegularExpression>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <optional>

class QTcpServer;
class QTcpSocket;

namespace tessera::test {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// One request as the server read it.
struct RecordedRequest
{
    QByteArray method;
    QString path; // percent-decoded, without the query
    QString query; // as sent (still percent-encoded), without '?'
    HeaderList headers;
    QByteArray body;
    QDateTime received; // UTC, when the request was complete
    int connection = 0; // the TCP connection that carried it: 1, 2, ... in the order they were accepted

    QByteArray header(const QByteArray &name) const; // case-insensitive; empty when absent
    bool hasHeader(const QByteArray &name) const;
    QUrlQuery queryItems() const;
    QJsonObject json() const; // the body as a JSON object; empty when it is not one
};

// What the server does with one request.
struct Answer
{
    enum class Drop {
        None,
        BeforeAnswer, // close the connection after reading the request, without a byte of answer
        MidBody, // send the headers (with the full Content-Length) and half of the body, then close
    };

    int status = 200;
    HeaderList headers; // a Content-Length here replaces the computed one (to announce more than is sent)
    QByteArray body;
    int delayMs = 0; // wait before answering
    bool hang = false; // never answer; the connection stays open
    Drop drop = Drop::None;
    bool chunked = false; // Transfer-Encoding: chunked, body in two chunks

    static Answer json(int status, const QJsonObject &body);
    static Answer jsonArray(int status, const QJsonArray &body); // midjourney-proxy's list answers
    static Answer jsonText(int status, QByteArray json); // raw JSON, e.g. a vendor doc's example verbatim
    static Answer file(int status, const QString &path, QByteArray contentType = "application/json");
    static Answer text(int status, QByteArray body, QByteArray contentType = "text/plain; charset=utf-8");
    static Answer bytes(QByteArray body, QByteArray contentType, int status = 200); // images and files
    static Answer redirect(QByteArray location, int status = 302);
    static Answer hanging();
    static Answer dropped(); // Drop::BeforeAnswer
    static Answer droppedMidBody(QByteArray body, QByteArray contentType = "application/octet-stream");

    Answer &header(QByteArray name, QByteArray value);
    Answer &after(int ms);
    Answer &inChunks();
};

// A scripted HTTP/1.1 server on 127.0.0.1, ephemeral port, for tests of HttpClient and end-to-end tests
// of the families (STYLE.md "Tests"). Reads request headers and Content-Length bodies across packets,
// keeps connections alive, serves several connections at once, and records every request.
//
//   FakeHttpServer server;
//   server.on("POST", "/api/v1/mj/generate", Answer::jsonText(200, R"({"code":200})"));
//   server.enqueue("GET", "/api/v1/mj/record-info", Answer::json(500, {})); // first this, once,
//   server.on("GET", "/api/v1/mj/record-info", Answer::json(200, done));    // then always this
//   server.on("GET", "/files/*", Answer::bytes(png, "image/png"));         // a path prefix
//   account.baseUrl = server.baseUrl();
//   QTRY_COMPARE(server.count("GET", "/api/v1/mj/record-info"), 2);
//
// Routing: routes are tried in the order they were first registered; the first route whose method and
// path match and that has something to give answers: its queue first (each answer once), then its
// handler, then its repeated answer. A route with nothing left lets the next matching route answer.
// Requests no route answers go to respond()'s handler, else get 404 {"error": "no route for ..."}.
// A method "*" matches every method; a path ending in '*' matches as a prefix. Request bodies must come
// with Content-Length (Qt always sends one); chunked request bodies are not understood.
class FakeHttpServer : public QObject
{
    Q_OBJECT
public:
    using Request = RecordedRequest;
    using Handler = std::function<Answer(const RecordedRequest &)>;

    explicit FakeHttpServer(QObject *parent = nullptr);
    ~FakeHttpServer() override;

    quint16 port() const;
    QString baseUrl() const; // "http://127.0.0.1:<port>"
    QUrl url(QAnyStringView pathAndQuery) const;

    // The route's repeated answer (replacing an earlier one of the same method and path).
    void on(const QByteArray &method, QAnyStringView path, Answer answer);
    void on(const QByteArray &method, QAnyStringView path, Handler handler);
    void on(const QByteArray &method, const QRegularExpression &path, Answer answer);
    void on(const QByteArray &method, const QRegularExpression &path, Handler handler);
    // Answers given once each, in order, before the route's handler or repeated answer.
    void enqueue(const QByteArray &method, QAnyStringView path, Answer answer);
    void enqueue(const QByteArray &method, QAnyStringView path, const QList<Answer> &answers);
    // The answer to every request no route answers (instead of the default 404).
    void respond(Handler handler);
    void clearRoutes();

    QList<RecordedRequest> requests() const { return m_requests; }
    // The requests whose method and path match (the same matching as routes: "*" methods, prefixes).
    QList<RecordedRequest> requests(const QByteArray &method, QAnyStringView path) const;
    int count() const { return static_cast<int>(m_requests.size()); }
    int count(const QByteArray &method, QAnyStringView path) const;
    // The last matching request; std::nullopt when there is none.
    std::optional<RecordedRequest> last(const QByteArray &method = "*", QAnyStringView path = u"*") const;
    void clearRequests() { m_requests.clear(); }
    int connectionCount() const { return m_connectionsAccepted; }

    // Closes every open connection at once (hanging ones included).
    void closeConnections();

signals:
    void requestReceived();

private:
    struct Route
    {
        QByteArray method;
        QString pattern; // exact path, or prefix + '*'
        std::optional<QRegularExpression> regex;
        QList<Answer> queue;
        Handler handler;
        std::optional<Answer> repeat;
        bool matches(const QByteArray &method, const QString &path) const;
    };
    struct Connection
    {
        int id = 0;
        QByteArray buffer;
        bool busy = false; // an answer is pending (delayed or hanging): later requests wait
    };

    Route &route(const QByteArray &method, const QString &pattern,
                 const std::optional<QRegularExpression> &regex);
    Answer answerFor(const RecordedRequest &request);
    void onNewConnection();
    void process(QTcpSocket *socket);
    void write(QTcpSocket *socket, const RecordedRequest &request, const Answer &answer);

    QTcpServer *m_server;
    QList<Route> m_routes;
    Handler m_fallback;
    QList<RecordedRequest> m_requests;
    QHash<QTcpSocket *, Connection> m_connections;
    int m_connectionsAccepted = 0;
};

} // namespace tessera::test
