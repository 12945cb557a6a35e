#pragma once

#include "model/capabilities.h"

#include <QWidget>

#include <optional>

class QSlider;
class QSpinBox;

namespace tessera::ui {

// An integer parameter with the family's range and step (chaos 0–100 in steps of 5, stylize in steps of
// 50...): a slider that moves by whole steps and a spin box whose arrows do too. One position below the
// minimum reads "default": the parameter is then not sent at all (PROVIDERS.md: unset fields are omitted).
// A typed value off the step is moved to the nearest accepted one when editing ends.
class RangeField : public QWidget
{
    Q_OBJECT
public:
    RangeField(const QString &name, const QString &tip, QWidget *parent = nullptr);

    void setRange(const IntRange &range); // resets to "default"
    IntRange range() const { return m_range; }
    std::optional<int> value() const;
    void setValue(std::optional<int> value);

    QSpinBox *spinBox() const { return m_spin; }
    QSlider *slider() const { return m_slider; }

signals:
    void valueChanged(); // by the user or by setValue()

private:
    int unset() const { return m_range.min - m_range.step; }
    int snapped(int value) const;

    QSlider *m_slider;
    QSpinBox *m_spin;
    IntRange m_range {0, 100, 1, true};
};

} // namespace tessera::ui
