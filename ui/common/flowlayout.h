#pragma once

#include <QLayout>
#include <QList>

namespace tessera::ui {

// Lays its items out in rows, left to right, wrapping to a new row when the width runs out; each row is
// centred. Used for bars of grouped buttons that must stay whole when a dock makes the centre narrow
// (the Gallery's action bar). Reports heightForWidth so that its owner can give it the rows it needs.
class FlowLayout : public QLayout
{
public:
    // `spacing` between items of a row, `rowSpacing` between rows.
    explicit FlowLayout(QWidget *parent = nullptr, int spacing = 6, int rowSpacing = 6);
    ~FlowLayout() override;

    void addItem(QLayoutItem *item) override;
    int count() const override { return static_cast<int>(m_items.size()); }
    QLayoutItem *itemAt(int index) const override;
    QLayoutItem *takeAt(int index) override;

    Qt::Orientations expandingDirections() const override { return {}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize minimumSize() const override;
    QSize sizeHint() const override;
    void setGeometry(const QRect &rect) override;

private:
    // Places the items (unless `dryRun`) and returns the height used.
    int arrange(const QRect &rect, bool dryRun) const;

    QList<QLayoutItem *> m_items;
    int m_spacing;
    int m_rowSpacing;
};

} // namespace tessera::ui
