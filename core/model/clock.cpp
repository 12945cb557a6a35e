#include "clock.h"

#include <QTimer>

#include <algorithm>

namespace tessera {

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

void SystemClock::callAfter(qint64 delayMs, QObject *context, std::function<void()> fn)
{
    const auto delay = std::chrono::milliseconds(std::clamp<qint64>(delayMs, 0, 24LL * 3600 * 1000));
    QTimer::singleShot(delay, context, std::move(fn));
}

ManualClock::ManualClock(qint64 startMs)
    : m_now(startMs)
{ }

void ManualClock::callAfter(qint64 delayMs, QObject *context, std::function<void()> fn)
{
    m_pending.push_back({m_now + std::max<qint64>(0, delayMs), m_order++, context, std::move(fn)});
}

void ManualClock::advance(qint64 ms)
{
    const qint64 target = m_now + ms;
    for (;;) {
        // Callbacks may schedule further callbacks; take the earliest due one each round.
        auto it
            = std::min_element(m_pending.begin(), m_pending.end(), [](const Pending &a, const Pending &b) {
                  return a.due != b.due ? a.due < b.due : a.order < b.order;
              });
        if (it == m_pending.end() || it->due > target)
            break;
        Pending p = std::move(*it);
        m_pending.erase(it);
        m_now = std::max(m_now, p.due);
        if (p.context)
            p.fn();
    }
    m_now = target;
}

qint64 ManualClock::nextDueInMs() const
{
    if (m_pending.empty())
        return -1;
    qint64 due = m_pending.front().due;
    for (const Pending &p : m_pending)
        due = std::min(due, p.due);
    return std::max<qint64>(0, due - m_now);
}

} // namespace tessera
