#pragma once

#include "model/task.h"

#include <QStringList>
#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace tessera::ui {

// A describe or shorten answer (PROVIDERS.md §4: `properties.finalPrompt`, four prompts marked 1️⃣…4️⃣;
// shorten lists its suggestions the same way, after a "## Important tokens" section). The text before
// the first marker is a note (markdown headings and bold marks removed; a bare heading that only
// announces the list is dropped), never a prompt. Text without markers is one prompt.
struct PromptList
{
    QString note;
    QStringList prompts;
};
PromptList parsePrompts(const QString &finalPrompt);
QStringList splitPrompts(const QString &finalPrompt); // parsePrompts(...).prompts

// Whether the Gallery shows `task` as text rather than as images: seed, describe and shorten.
bool hasTextResult(const Task &task);

// The Gallery's page for text results: a seed to copy, or the returned prompts each with "Use this
// prompt" (which puts it into Compose) and Copy. While the task runs it shows its state.
class TextResultView : public QWidget
{
    Q_OBJECT
public:
    explicit TextResultView(QWidget *parent = nullptr);

    void showTask(const Task &task);
    QStringList prompts() const { return m_prompts; }
    QString seed() const { return m_seed; }
    QString note() const { return m_note; } // the provider's text before the prompts (shorten's tokens)

signals:
    void usePromptRequested(const QString &prompt);
    void message(const QString &text);

private:
    void clearBody();
    void addPromptCard(int number, const QString &prompt);
    void addSeed(const QString &seed);

    QLabel *m_title = nullptr;
    QLabel *m_state = nullptr;
    QWidget *m_body = nullptr;
    QVBoxLayout *m_bodyLayout = nullptr;
    QStringList m_prompts;
    QString m_seed;
    QString m_note;
    QString m_shownKey; // task id + state: the cards are rebuilt only when the result changes
};

} // namespace tessera::ui
