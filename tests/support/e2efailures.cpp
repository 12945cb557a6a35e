#include "e2efailures.h"

#include "e2ehelpers.h"

namespace tessera::test::e2e {

QList<SubmitFailure> submitFailures()
{
    using K = Error::Kind;
    // Without a complete answer the submit may have created the task: the user is told it was not sent
    // again (TaskEngine, for every family).
    const QString notResent = QStringLiteral("not sent again");
    return {
        // vendor/json: "The server sent broken JSON (...)", whatever the family.
        SubmitFailure {.name = "malformed JSON",
                       .answer
                       = Answer::jsonText(200, R"({"code":200,"message":"success","data":{"taskId":)"),
                       .kind = K::BadResponse,
                       .httpStatus = 200,
                       .vendorCode = QString(),
                       .contains = QStringLiteral("broken JSON")},
        SubmitFailure {
            .name = "an HTML page with HTTP 200",
            .answer = Answer::text(200, "<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>",
                                   "text/html"),
            .kind = K::BadResponse,
            .httpStatus = 200,
            .vendorCode = QString(),
            .contains = QStringLiteral("web page")},
        SubmitFailure {.name = "the reply hangs",
                       .answer = Answer::hanging(),
                       .kind = K::Timeout,
                       .httpStatus = 0,
                       .vendorCode = QString(),
                       .contains = notResent},
        SubmitFailure {.name = "the connection drops",
                       .answer = Answer::dropped(),
                       .kind = K::Network,
                       .httpStatus = 0,
                       .vendorCode = QString(),
                       .contains = notResent},
        SubmitFailure {
            .name = "the connection drops mid-answer",
            .answer = Answer::droppedMidBody(R"({"code":200,"message":"success","data":{"taskId":"task_1"}})",
                                             "application/json"),
            .kind = K::Network,
            .httpStatus = 0,
            .vendorCode = QString(),
            .contains = notResent},
    };
}

QList<StatusHiccup> statusHiccups()
{
    return {
        StatusHiccup {.name = "503 twice then success",
                      .answers = {Answer::text(503, "busy"), Answer::text(503, "busy")}},
        StatusHiccup {.name = "a 502 HTML page then success",
                      .answers = {Answer::text(502, "<html><body>Bad Gateway</body></html>", "text/html")}},
        StatusHiccup {.name = "malformed JSON then success",
                      .answers = {Answer::jsonText(200, R"({"code":200,"data":{"state":)")}},
        StatusHiccup {.name = "an HTML page with HTTP 200 then success",
                      .answers = {Answer::text(200, "<html><body>Loading…</body></html>", "text/html")}},
        StatusHiccup {.name = "a hanging reply then success", .answers = {Answer::hanging()}},
        StatusHiccup {.name = "a dropped connection then success", .answers = {Answer::dropped()}},
    };
}

QList<DownloadFailure> downloadFailures()
{
    using K = Error::Kind;
    const QByteArray png = cachedPng({1024, 1024}, 7);
    const ImageState expired = ImageState::Expired;
    const ImageState failed = ImageState::Failed;
    return {
        DownloadFailure {.name = "404: expired",
                         .answer = Answer::text(404, "Not Found"),
                         .imageState = expired,
                         .taskKind = K::NotFound,
                         .words = QStringLiteral("404")},
        DownloadFailure {.name = "403: expired (signed URL)",
                         .answer
                         = Answer::text(403, "<Error><Code>AccessDenied</Code></Error>", "application/xml"),
                         .imageState = expired,
                         .taskKind = K::NotFound,
                         .words = QStringLiteral("403")},
        DownloadFailure {.name = "truncated: the connection drops mid-body",
                         .answer = Answer::droppedMidBody(png, "image/png"),
                         .imageState = failed,
                         .taskKind = K::Io,
                         .words = QStringLiteral("closed")},
        DownloadFailure {.name = "truncated: half a PNG",
                         .answer = Answer::bytes(png.left(png.size() / 2), "image/png"),
                         .imageState = failed,
                         .taskKind = K::Io,
                         .words = QStringLiteral("truncated")},
        DownloadFailure {.name = "corrupt bytes",
                         .answer = Answer::bytes(QByteArray(20'000, '\x5a'), "image/png"),
                         .imageState = failed,
                         .taskKind = K::Io,
                         .words = QStringLiteral("not an image")},
        DownloadFailure {.name = "an HTML page instead of an image",
                         .answer = Answer::text(200, "<html><body>Access denied</body></html>", "text/html"),
                         .imageState = failed,
                         .taskKind = K::Io,
                         .words = QStringLiteral("not an image")},
        DownloadFailure {.name = "a PNG declaring 30000x30000",
                         .answer = Answer::bytes(hugePng(30000), "image/png"),
                         .imageState = failed,
                         .taskKind = K::Io,
                         .words = QStringLiteral("30000×30000")},
        DownloadFailure {.name = "a redirect to file://",
                         .answer = Answer::redirect("file:///etc/passwd"),
                         .imageState = failed,
                         .taskKind = K::Io,
                         .words = QStringLiteral("file:")},
        DownloadFailure {.name = "a redirect to plain http elsewhere",
                         .answer = Answer::redirect("http://cdn.example.com/evil.png"),
                         .imageState = failed,
                         .taskKind = K::Io,
                         .words = QStringLiteral("http://")},
    };
}

QList<PollCap> pollCaps()
{
    return {
        PollCap {.name = "max-polls 3",
                 .option = QStringLiteral("max-polls"),
                 .value = QStringLiteral("3"),
                 .message = QStringLiteral("Tessera stopped asking after 3 status checks")},
        PollCap {.name = "timeout 0.4 s",
                 .option = QStringLiteral("timeout"),
                 .value = QStringLiteral("0.4"),
                 .message = QStringLiteral("Tessera stopped asking after")},
    };
}

QList<RateLimit> rateLimits()
{
    return {
        RateLimit {.name = "HTTP 429, Retry-After: 1", .httpStatus = 429, .httpDate = false},
        RateLimit {.name = "code 429 in an HTTP 200, Retry-After: 1", .httpStatus = 200, .httpDate = false},
        RateLimit {.name = "HTTP 429, Retry-After as an HTTP date", .httpStatus = 429, .httpDate = true},
    };
}

bool neverAnswered(const SubmitFailure &row)
{
    return row.kind == Error::Kind::Timeout || row.kind == Error::Kind::Network;
}

void verifySubmitError(const std::optional<Error> &error, const SubmitFailure &row)
{
    QVERIFY(error);
    QCOMPARE(int(error->kind), int(row.kind));
    if (row.httpStatus)
        QCOMPARE(error->httpStatus, *row.httpStatus);
    if (row.vendorCode)
        QCOMPARE(error->vendorCode, *row.vendorCode);
    if (!row.message.isEmpty())
        QCOMPARE(error->message, row.message);
    else
        QVERIFY2(!error->message.isEmpty(), "the user is told something");
    if (!row.contains.isEmpty())
        QVERIFY2(error->message.contains(row.contains), qPrintable(error->message));
}

void verifyDownloadError(const ImageRef &image, const std::optional<Error> &taskError,
                         const DownloadFailure &row)
{
    QCOMPARE(int(image.state), int(row.imageState));
    QVERIFY(!image.error.isEmpty());
    if (!row.words.isEmpty())
        QVERIFY2(image.error.contains(row.words), qPrintable(image.error));
    // The key never goes to a result URL: a 403 there means the file expired, not a bad key.
    QVERIFY2(!image.error.contains(QLatin1String("API key")), qPrintable(image.error));
    QVERIFY(!image.isLocal());
    QVERIFY(taskError); // says which image could not be saved
    QCOMPARE(int(taskError->kind), int(row.taskKind));
    QVERIFY2(taskError->message.contains(image.error), qPrintable(taskError->message));
}

} // namespace tessera::test::e2e
