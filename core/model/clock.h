#pragma once

#include <QDateTime>
#include <QObject>
#include <QPointer>

#include <functional>
#include <vector>

namespace tessera {

// Time as the engine sees it. Injected so that tests of polling, caps and timeouts run in milliseconds
// and deterministically (ManualClock).
class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0; // milliseconds since the epoch, UTC
    QDateTime now() const { return QDateTime::fromMSecsSinceEpoch(nowMs(), Qt::UTC); }
    // Runs `fn` on `context`'s thread after `delayMs`, unless `context` was destroyed by then.
    virtual void callAfter(qint64 delayMs, QObject *context, std::function<void()> fn) = 0;
};

// Wall-clock time and QTimer.
class SystemClock final : public Clock
{
public:
    qint64 nowMs() const override;
    void callAfter(qint64 delayMs, QObject *context, std::function<void()> fn) override;
};

// Time that moves only when told: advance() runs every callback that falls due, in order.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'780'000'000'000);
    qint64 nowMs() const override { return m_now; }
    void callAfter(qint64 delayMs, QObject *context, std::function<void()> fn) override;

    void advance(qint64 ms);
    int pendingCount() const { return static_cast<int>(m_pending.size()); }
    // Milliseconds until the next callback falls due; -1 when none is pending.
    qint64 nextDueInMs() const;

private:
    struct Pending
    {
        qint64 due;
        quint64 order;
        QPointer<QObject> context;
        std::function<void()> fn;
    };
    qint64 m_now;
    quint64 m_order = 0;
    std::vector<Pending> m_pending;
};

} // namespace tessera
