#pragma once

#include <QMimeData>
#include <QPlainTextEdit>
#include <QStringList>

namespace tessera::ui {

// The prompt field: Ctrl+Enter submits; Esc leaves it for the images (leaveRequested); Up on the first
// line and Down on the last walk through the prompts used before (newest first); `--flags` are
// highlighted. Images pasted or dropped here are
// handed on as references (imagesPasted).
class PromptEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit PromptEditor(QWidget *parent = nullptr);

    void setHistory(const QStringList &newestFirst);
    void remember(const QString &prompt);
    QString prompt() const { return toPlainText().trimmed(); }

    QSize sizeHint() const override;

signals:
    void submitRequested();
    void leaveRequested(); // Esc: the user wants the keyboard on the images
    // Images (image data, or files and links that look like images) pasted or dropped here: they are
    // references, not prompt text.
    void imagesPasted(const QMimeData *mime);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;

private:
    void recall(int delta);

    QStringList m_history;
    int m_position = -1; // -1: the user's own text
    QString m_draft;
};

} // namespace tessera::ui
