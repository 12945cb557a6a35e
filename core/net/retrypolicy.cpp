#include "retrypolicy.h"

#include <QRandomGenerator>

#include <algorithm>
#include <utility>

namespace tessera {

RetryPolicy::Outcome RetryPolicy::Outcome::answer(int status, QDateTime retryAfter)
{
    Outcome o;
    o.status = status;
    o.retryAfter = std::move(retryAfter);
    return o;
}

RetryPolicy::Outcome RetryPolicy::Outcome::failed(Failure failure)
{
    Outcome o;
    o.failure = failure;
    return o;
}

RetryPolicy::RetryPolicy()
    : RetryPolicy(Config())
{ }

RetryPolicy::RetryPolicy(Config config, Random random)
    : m_config(config)
    , m_random(std::move(random))
{ }

bool RetryPolicy::isRepeatable(HttpCall::Purpose purpose)
{
    return purpose == HttpCall::Purpose::Status || purpose == HttpCall::Purpose::Cancel;
}

RetryPolicy::Decision RetryPolicy::decide(HttpCall::Purpose purpose, int attempt, const Outcome &outcome,
                                          const QDateTime &now) const
{
    if (attempt >= m_config.maxAttempts)
        return {};
    const Decision backoff {true, fullJitter(attempt)};
    const bool repeatable = isRepeatable(purpose);

    switch (outcome.failure) {
    case Failure::NotConnected:
        return backoff;
    case Failure::Timeout:
    case Failure::Dropped:
        return repeatable ? backoff : Decision {};
    case Failure::Fatal:
        return {};
    case Failure::None:
        break;
    }

    const int status = outcome.status;
    if (status == 429 || status == 503) {
        // Both say the request was not processed, so even a submit goes again (PROVIDERS.md §6).
        if (outcome.retryAfter.isValid() && now.isValid()) {
            const qint64 wait = std::max<qint64>(0, now.msecsTo(outcome.retryAfter));
            if (wait > m_config.maxWaitMs)
                return {};
            return {true, wait};
        }
        // A rate limit without a deadline: wait at least half the ceiling, or the retry is likely to
        // arrive while the limit still holds.
        return status == 429 ? Decision {true, equalJitter(attempt)} : backoff;
    }
    if (status == 501 || status == 505)
        return {};
    if (status == 455 || status == 408 || (status >= 500 && status < 600))
        return repeatable ? backoff : Decision {};
    return {};
}

qint64 RetryPolicy::backoffCeiling(int attempt) const
{
    const qint64 cap = std::max<qint64>(0, m_config.capMs);
    qint64 ceiling = std::max<qint64>(0, m_config.baseMs);
    for (int i = 1; i < attempt && ceiling < cap; ++i)
        ceiling *= 2;
    return std::min(ceiling, cap);
}

qint64 RetryPolicy::fullJitter(int attempt) const
{
    return random(backoffCeiling(attempt));
}

qint64 RetryPolicy::equalJitter(int attempt) const
{
    const qint64 ceiling = backoffCeiling(attempt);
    return ceiling / 2 + random(ceiling - ceiling / 2);
}

qint64 RetryPolicy::random(qint64 bound) const
{
    if (bound <= 0)
        return 0;
    const qint64 value = m_random
        ? m_random(bound)
        : static_cast<qint64>(QRandomGenerator::global()->bounded(static_cast<quint64>(bound) + 1));
    return std::clamp<qint64>(value, 0, bound);
}

bool RetryPolicy::provesNotCreated(const Error &error)
{
    return error.httpStatus == 429 || error.httpStatus == 503 || error.kind == Error::Kind::RateLimited;
}

} // namespace tessera
