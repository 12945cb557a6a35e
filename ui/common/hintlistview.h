#pragma once

#include <QListView>

namespace tessera::ui {

// A list view that says what would be in it while it is empty ("No tasks yet…").
class HintListView : public QListView
{
    Q_OBJECT
public:
    explicit HintListView(QWidget *parent = nullptr);
    void setEmptyHint(const QString &text);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_hint;
};

} // namespace tessera::ui
