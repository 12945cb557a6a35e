#pragma once

#include "model/error.h"
#include "model/httpcall.h"

#include <QDateTime>

#include <functional>

namespace tessera {

// Whether an attempt that did not succeed is made again, and after how long (PROVIDERS.md §6: 429 is
// honoured with its Retry-After; 5xx, 455, timeouts and dropped connections are retried with full-jitter
// backoff; a submit is never re-sent once it may have reached the server, except after 429 or 503).
// Pure: the time (`now`) and the random source come from outside, so the table is tested without waiting.
//
// The table, for the attempt that just ended:
//   answer 429                 → retry (any purpose): after Retry-After, else after an equal-jitter backoff
//   answer 503                 → retry (any purpose): after Retry-After, else after a full-jitter backoff
//   answer 455, 408, other 5xx → retry Status/Cancel only, full jitter (the server may have acted on it)
//   answer 501, 505            → never (kie: "generation failed", "feature disabled": final answers)
//   any other answer           → never (2xx is done; 400/401/402/403/404/422... would fail the same way)
//   NotConnected               → retry (any purpose), full jitter: the request never left this computer
//   Timeout, Dropped           → retry Status/Cancel only, full jitter
//   Fatal                      → never
// No retry once `maxAttempts` attempts were made, nor when Retry-After asks for more than `maxWaitMs`
// (the answer then goes back to the caller, whose Error carries the deadline).
class RetryPolicy
{
public:
    struct Config
    {
        qint64 baseMs = 1000; // ceiling of the first backoff
        qint64 capMs = 30'000; // no backoff ceiling goes above this
        int maxAttempts = 4; // attempts in all, the first one included
        qint64 maxWaitMs = 120'000; // the longest Retry-After waited for inside the transport
    };

    // How an attempt ended when no HTTP answer came.
    enum class Failure {
        None, // an HTTP answer arrived: see Outcome::status
        // Connection refused, host not found (QNetworkReply::ConnectionRefusedError, HostNotFoundError,
        // and the proxy equivalents): no byte of the request reached the server, so even a submit is
        // safe to send again.
        NotConnected,
        Timeout, // no (complete) answer in time: the server may have received and acted on the request
        Dropped, // the connection closed before the answer was complete: same
        Fatal, // TLS, protocol, redirect or size problems: another attempt would end the same way
    };

    struct Outcome
    {
        int status = 0; // the HTTP status when Failure::None
        Failure failure = Failure::None;
        QDateTime retryAfter; // the server's Retry-After deadline; invalid when it sent none

        static Outcome answer(int status, QDateTime retryAfter = {});
        static Outcome failed(Failure failure);
    };

    struct Decision
    {
        bool retry = false;
        qint64 delayMs = 0; // wait this long before the next attempt
    };

    // A uniform random integer in [0, bound]. Empty: QRandomGenerator::global().
    using Random = std::function<qint64(qint64 bound)>;

    RetryPolicy();
    explicit RetryPolicy(Config config, Random random = {});

    // `attempt` is the number of the attempt that just ended: 1 for the first.
    Decision decide(HttpCall::Purpose purpose, int attempt, const Outcome &outcome,
                    const QDateTime &now) const;

    // min(cap, base·2^(attempt−1)): the upper bound of the random delay after `attempt`.
    qint64 backoffCeiling(int attempt) const;
    // Status and Cancel may be sent again even if the server may have seen them. Submit and Other
    // (uploads, account calls: effects Tessera cannot vouch for) are sent again only when the server
    // proved it did not act (429, 503) or the request never left (NotConnected).
    static bool isRepeatable(HttpCall::Purpose purpose);
    // Whether a failed submit proves the server created nothing, so that it may wait and go again: a 429
    // or 503 answer, or a family's own "too busy, try later" (RateLimited, e.g. midjourney-proxy's queue
    // full with HTTP 200). Anything else may have reached the server and is never sent again.
    static bool provesNotCreated(const Error &error);

    const Config &config() const { return m_config; }

private:
    qint64 fullJitter(int attempt) const;
    qint64 equalJitter(int attempt) const;
    qint64 random(qint64 bound) const;

    Config m_config;
    Random m_random;
};

} // namespace tessera
