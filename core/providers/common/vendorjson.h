#pragma once

#include "model/capabilities.h"
#include "model/error.h"
#include "model/httpcall.h"
#include "model/result.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

// Helpers every real family's adapter shares: reading vendor JSON safely and turning HTTP statuses into
// Error kinds. Pure functions (no clock: times come from HttpResponse::received).
namespace tessera::vendor {

// Parses a JSON object from a vendor's answer. Integer literals too long for a double to hold exactly
// (16 digits or more) are read as strings, so ids like Discord's 19-digit ones survive (PROVIDERS.md,
// "never toDouble() an id"). An HTML page, an empty body, a non-object or broken JSON is a BadResponse
// whose message says what arrived ("an HTML page", "broken JSON at offset 12").
Result<QJsonObject> parseObject(const HttpResponse &response);
// The same for a top-level array (midjourney-proxy's list-by-condition).
Result<QJsonArray> parseArray(const HttpResponse &response);
// The same for a string holding JSON (apixo's resultJson, kie's paramJson).
Result<QJsonObject> parseObjectText(const QString &text);

// A JSON-quoted copy of `body` in which every integer literal of 16+ digits is a string.
QByteArray quoteLongIntegers(const QByteArray &body);

// An id as a string, whether the vendor sent a string or a number; empty when absent or of another type.
// Numbers that fit 64 bits are converted exactly; others (already strings after parseObject) pass through.
QString idString(const QJsonValue &value);

// An envelope's code: a JSON number holding a whole number, or a string of digits (some gateways quote
// it); nullopt when absent, fractional, too large or unreadable.
std::optional<int> codeNumber(const QJsonValue &value);

// "62%", "62", 62, 0.62 → 62 (clamped to 0..100); nullopt when absent or unreadable.
std::optional<int> percent(const QJsonValue &value);

// The first non-empty string among `keys` of `object` (vendors use message/msg/err/failReason...).
QString firstString(const QJsonObject &object, std::initializer_list<const char *> keys);

// The Error kind for an HTTP (or envelope) status, per ARCHITECTURE.md "Errors":
// 400/422 → InvalidRequest, 401/403 → Unauthorized, 402 → PaymentRequired, 404/410 → NotFound,
// 408 → Timeout, 429 → RateLimited, 455/503 → Maintenance, 505 (kie "feature disabled") → Unsupported,
// 501 (kie "generation failed") and other 5xx → ServerError, anything else → BadResponse.
Error::Kind kindForStatus(int status);

// An Error for a non-2xx answer: the kind from kindForStatus(), the vendor's message when it sent one
// (else "HTTP 502" plus a short excerpt of the body), the status, the vendor code, and Retry-After.
// `message` and `vendorCode` come from the family's envelope parsing.
Error httpError(const HttpResponse &response, const QString &message = {}, const QString &vendorCode = {});

// A BadResponse for an answer whose shape is wrong ("data.taskId is missing"), with a short excerpt.
Error badShape(const HttpResponse &response, const QString &what);

// A parameter checked against the family's range and step (IntRange); InvalidRequest naming `field`
// ("stylize: use a multiple of 50 from 0 to 1000 (not 125)"), ok when unset or accepted.
Status checkRange(const QString &field, const std::optional<int> &value, const IntRange &range);

} // namespace tessera::vendor
