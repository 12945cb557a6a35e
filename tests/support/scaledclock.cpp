#include "scaledclock.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tessera::test {

qint64 ScaledClock::nowMs() const
{
    const qint64 real = QDateTime::currentMSecsSinceEpoch();
    if (m_speed == 1 && m_base == m_realBase)
        return real;
    return m_base + std::llround(double(real - m_realBase) * m_speed);
}

void ScaledClock::callAfter(qint64 delayMs, QObject *context, std::function<void()> fn)
{
    const qint64 real = std::llround(double(std::clamp<qint64>(delayMs, 0, 24LL * 3600 * 1000)) / m_speed);
    QTimer::singleShot(std::chrono::milliseconds(real), context, std::move(fn));
}

void ScaledClock::setSpeed(double speed)
{
    const qint64 now = nowMs();
    m_realBase = QDateTime::currentMSecsSinceEpoch();
    m_base = now;
    m_speed = std::max(speed, 1e-3);
}

} // namespace tessera::test
