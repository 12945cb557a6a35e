#include "textresults.h"

#include <QClipboard>
#include <QFrame>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QVBoxLayout>

namespace tessera::ui {

namespace {

const QString kFinalPrompt = QStringLiteral("finalPrompt");
const QString kSeed = QStringLiteral("seed");

QPushButton *smallButton(const QString &text, const QString &accessible, QWidget *parent)
{
    auto *b = new QPushButton(text, parent);
    b->setAccessibleName(accessible);
    b->setAutoDefault(false);
    return b;
}

} // namespace

namespace {

// Markdown as Midjourney writes it in a message ("## Important tokens", "**red** fox"), as plain lines.
QString plainNote(const QString &preamble)
{
    QStringList lines;
    for (QString line : preamble.split(QLatin1Char('\n'))) {
        line = line.trimmed();
        const bool heading = line.startsWith(QLatin1Char('#'));
        while (line.startsWith(QLatin1Char('#')))
            line.remove(0, 1);
        line.remove(QStringLiteral("**"));
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        lines.append(heading ? line + QLatin1Char(':') : line);
    }
    // A last heading with nothing under it only announces the prompts ("Shortened prompts:").
    if (!lines.isEmpty() && lines.constLast().endsWith(QLatin1Char(':')))
        lines.removeLast();
    return lines.join(QLatin1Char('\n'));
}

} // namespace

PromptList parsePrompts(const QString &finalPrompt)
{
    // A keycap digit: the digit, an optional variation selector (U+FE0F), the combining keycap (U+20E3).
    static const QRegularExpression marker(QStringLiteral("[1-9]\\x{FE0F}?\\x{20E3}"));
    PromptList list;
    qsizetype start = -1;
    for (auto it = marker.globalMatch(finalPrompt); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        if (start < 0) {
            list.note = plainNote(finalPrompt.left(m.capturedStart()));
        } else {
            const QString part = finalPrompt.mid(start, m.capturedStart() - start).trimmed();
            if (!part.isEmpty())
                list.prompts.append(part);
        }
        start = m.capturedEnd();
    }
    const QString last = finalPrompt.mid(start < 0 ? 0 : start).trimmed();
    if (!last.isEmpty())
        list.prompts.append(last);
    return list;
}

QStringList splitPrompts(const QString &finalPrompt)
{
    return parsePrompts(finalPrompt).prompts;
}

bool hasTextResult(const Task &task)
{
    switch (task.operation.kind) {
    case OperationKind::Seed:
    case OperationKind::Describe:
    case OperationKind::Shorten:
        return true;
    default:
        return false;
    }
}

TextResultView::TextResultView(QWidget *parent)
    : QWidget(parent)
{
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_title->setFont(big);
    m_state = new QLabel(this);
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_body = new QWidget(this);
    m_bodyLayout = new QVBoxLayout(m_body);
    m_bodyLayout->setContentsMargins(0, 0, 0, 0);
    m_bodyLayout->setSpacing(10);

    auto *inner = new QWidget(this);
    auto *innerLayout = new QVBoxLayout(inner);
    innerLayout->setContentsMargins(16, 16, 16, 16);
    innerLayout->addWidget(m_title);
    innerLayout->addWidget(m_state);
    innerLayout->addWidget(m_body);
    innerLayout->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(inner);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);
}

void TextResultView::clearBody()
{
    while (QLayoutItem *item = m_bodyLayout->takeAt(0)) {
        if (QWidget *w = item->widget())
            w->deleteLater();
        delete item;
    }
    m_prompts.clear();
    m_seed.clear();
    m_note.clear();
}

void TextResultView::showTask(const Task &task)
{
    const OperationKind kind = task.operation.kind;
    m_title->setText(kind == OperationKind::Seed           ? tr("Seed")
                         : kind == OperationKind::Describe ? tr("Describe — prompts for this image")
                                                           : tr("Shorten — shorter prompts"));
    QString state;
    if (task.state != TaskState::Succeeded) {
        state = taskStateLabel(task.state);
        if (task.progress && isActive(task.state))
            state += QStringLiteral(" · %1%").arg(*task.progress);
        if (task.error)
            state += QStringLiteral("\n") + task.error->userText();
    }
    const QString key = task.id + QLatin1Char('/') + taskStateName(task.state)
        + task.remote.value(kFinalPrompt).toString() + task.remote.value(kSeed).toVariant().toString();
    m_state->setText(state);
    m_state->setVisible(!state.isEmpty());
    if (key == m_shownKey)
        return;
    m_shownKey = key;
    clearBody();
    if (task.state != TaskState::Succeeded)
        return;
    if (kind == OperationKind::Seed) {
        // Seeds may exceed 2^53: the adapters keep them as strings; a number is converted whole.
        const QJsonValue v = task.remote.value(kSeed);
        const QString seed = v.isString() ? v.toString().trimmed()
            : v.isDouble()                ? QString::number(v.toInteger())
                                          : QString();
        if (seed.isEmpty()) {
            m_state->setText(tr("The provider answered without a seed."));
            m_state->show();
            return;
        }
        addSeed(seed);
        return;
    }
    const PromptList list = parsePrompts(task.remote.value(kFinalPrompt).toString());
    if (list.prompts.isEmpty()) {
        m_state->setText(tr("The provider answered without a prompt."));
        m_state->show();
    }
    m_note = list.note;
    if (!list.note.isEmpty()) {
        auto *note = new QLabel(list.note, m_body);
        note->setObjectName(QStringLiteral("promptNote"));
        note->setAccessibleName(tr("Note from the provider"));
        note->setTextFormat(Qt::PlainText);
        note->setWordWrap(true);
        note->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        note->setForegroundRole(QPalette::PlaceholderText);
        m_bodyLayout->addWidget(note);
        note->show();
    }
    for (int i = 0; i < list.prompts.size(); ++i)
        addPromptCard(i + 1, list.prompts.at(i));
}

void TextResultView::addSeed(const QString &seed)
{
    m_seed = seed;
    auto *row = new QWidget(m_body);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *value = new QLabel(seed, row);
    value->setTextFormat(Qt::PlainText);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    value->setAccessibleName(tr("Seed value"));
    QFont mono = value->font();
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    mono.setPointSizeF(mono.pointSizeF() * 1.6);
    value->setFont(mono);
    auto *copy = smallButton(tr("Copy"), tr("Copy seed"), row);
    connect(copy, &QPushButton::clicked, this, [this, seed] {
        QGuiApplication::clipboard()->setText(seed);
        emit message(tr("Seed copied"));
    });
    layout->addWidget(value);
    layout->addWidget(copy);
    layout->addStretch(1);
    m_bodyLayout->addWidget(row);
    row->show(); // at once, not at the next turn of the event loop
    auto *hint = new QLabel(
        tr("Add <code>--seed %1</code> to a prompt to start from the same noise.").arg(seed.toHtmlEscaped()),
        m_body);
    hint->setWordWrap(true);
    m_bodyLayout->addWidget(hint);
    hint->show();
}

void TextResultView::addPromptCard(int number, const QString &prompt)
{
    m_prompts.append(prompt);
    auto *card = new QFrame(m_body);
    card->setFrameShape(QFrame::StyledPanel);
    card->setAccessibleName(tr("Prompt %1").arg(number));
    auto *layout = new QVBoxLayout(card);
    auto *text = new QLabel(QStringLiteral("%1. %2").arg(number).arg(prompt), card);
    text->setTextFormat(Qt::PlainText);
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    auto *buttons = new QHBoxLayout;
    auto *use = smallButton(tr("Use this prompt"), tr("Use prompt %1").arg(number), card);
    use->setToolTip(tr("Put this prompt into Compose"));
    auto *copy = smallButton(tr("Copy"), tr("Copy prompt %1").arg(number), card);
    connect(use, &QPushButton::clicked, this, [this, prompt] { emit usePromptRequested(prompt); });
    connect(copy, &QPushButton::clicked, this, [this, prompt] {
        QGuiApplication::clipboard()->setText(prompt);
        emit message(tr("Prompt copied"));
    });
    buttons->addWidget(use);
    buttons->addWidget(copy);
    buttons->addStretch(1);
    layout->addWidget(text);
    layout->addLayout(buttons);
    m_bodyLayout->addWidget(card);
    card->show();
}

} // namespace tessera::ui
