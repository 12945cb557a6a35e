#include "rangefield.h"

#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>

#include <algorithm>

namespace tessera::ui {

RangeField::RangeField(const QString &name, const QString &tip, QWidget *parent)
    : QWidget(parent)
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_spin(new QSpinBox(this))
{
    m_spin->setSpecialValueText(tr("default"));
    m_spin->setToolTip(tip);
    m_slider->setToolTip(tip);
    m_spin->setAccessibleName(name);
    m_slider->setAccessibleName(name);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_slider, 1);
    row->addWidget(m_spin);
    setFocusProxy(m_spin);

    // The slider counts steps: position 0 is "default", position k is min + (k - 1) * step.
    connect(m_slider, &QSlider::valueChanged, this, [this](int position) {
        {
            const QSignalBlocker block(m_spin);
            m_spin->setValue(position == 0 ? unset() : m_range.min + (position - 1) * m_range.step);
        }
        emit valueChanged();
    });
    connect(m_spin, &QSpinBox::valueChanged, this, [this](int value) {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(value <= unset() ? 0 : (value - m_range.min) / m_range.step + 1);
        emit valueChanged();
    });
    connect(m_spin, &QSpinBox::editingFinished, this, [this] {
        if (m_spin->value() != unset())
            m_spin->setValue(snapped(m_spin->value()));
    });
    setRange(m_range);
}

void RangeField::setRange(const IntRange &range)
{
    m_range = range;
    m_range.step = std::max(1, range.step);
    const QSignalBlocker blockSpin(m_spin);
    const QSignalBlocker blockSlider(m_slider);
    m_spin->setRange(unset(), m_range.max);
    m_spin->setSingleStep(m_range.step);
    m_spin->setValue(unset());
    const int positions = (m_range.max - m_range.min) / m_range.step + 1;
    m_slider->setRange(0, positions);
    m_slider->setSingleStep(1);
    m_slider->setPageStep(std::max(1, positions / 10));
    m_slider->setValue(0);
}

int RangeField::snapped(int value) const
{
    const int clamped = std::clamp(value, m_range.min, m_range.max);
    const int steps = (clamped - m_range.min + m_range.step / 2) / m_range.step;
    return std::min(m_range.min + steps * m_range.step,
                    m_range.max - (m_range.max - m_range.min) % m_range.step);
}

std::optional<int> RangeField::value() const
{
    if (m_spin->value() <= unset())
        return std::nullopt;
    return snapped(m_spin->value());
}

void RangeField::setValue(std::optional<int> value)
{
    m_spin->setValue(value ? snapped(*value) : unset());
}

} // namespace tessera::ui
