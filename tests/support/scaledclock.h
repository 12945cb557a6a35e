#pragma once

#include "model/clock.h"

namespace tessera::test {

// Wall-clock time run faster: `speed` engine milliseconds pass for each real one, and a callback due in
// d engine milliseconds runs after d / speed real ones. End-to-end tests of families whose vendor sets a
// least time between status checks (kolersky: 5 s, which the product never shortens) run in milliseconds
// with it. Speed 1 (the default) is the system clock.
class ScaledClock final : public Clock
{
public:
    qint64 nowMs() const override;
    void callAfter(qint64 delayMs, QObject *context, std::function<void()> fn) override;

    void setSpeed(double speed);
    double speed() const { return m_speed; }

private:
    double m_speed = 1;
    qint64 m_realBase = 0; // real time when the speed was last set
    qint64 m_base = 0; // engine time then
};

} // namespace tessera::test
