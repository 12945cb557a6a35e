#include "flagsync.h"

#include "model/promptflags.h"
#include "prompteditor.h"
#include "rangefield.h"

#include <QComboBox>
#include <QLabel>
#include <QTextCursor>
#include <QTextDocument>

#include <optional>

namespace tessera::ui {

namespace {

// The values a choice box offers, for "this account offers …" (the first entry is "default").
QString offered(const QComboBox *box)
{
    QStringList values;
    for (int i = 1; i < box->count(); ++i)
        values.append(box->itemData(i).toString());
    return values.join(QStringLiteral(", "));
}

bool inUse(const QWidget *field)
{
    return field && !field->isHidden();
}

} // namespace

FlagSync::FlagSync(PromptEditor *prompt, const Fields &fields, QLabel *problems, QObject *parent)
    : QObject(parent)
    , m_prompt(prompt)
    , m_fields(fields)
    , m_label(problems)
{
    m_label->setWordWrap(true);
    m_label->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_label->setAccessibleName(tr("Problem with the prompt's flags"));
    m_label->hide();
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &FlagSync::fromPrompt);
    for (const auto &[box, field] : {std::pair {m_fields.aspect, QStringLiteral("ar")},
                                     std::pair {m_fields.version, QStringLiteral("v")},
                                     std::pair {m_fields.speed, QStringLiteral("speed")}}) {
        const QString name = field;
        connect(box, &QComboBox::currentIndexChanged, this, [this, name] { fromField(name); });
    }
    for (const auto &[range, field] : {std::pair {m_fields.chaos, QStringLiteral("chaos")},
                                       std::pair {m_fields.stylize, QStringLiteral("stylize")},
                                       std::pair {m_fields.weird, QStringLiteral("weird")}}) {
        const QString name = field;
        connect(range, &RangeField::valueChanged, this, [this, name] { fromField(name); });
    }
}

void FlagSync::setStrictValues(bool strict)
{
    m_strict = strict;
}

void FlagSync::fromPrompt()
{
    if (m_applying)
        return;
    const PromptFlags flags = PromptFlags::parse(m_prompt->toPlainText());
    QStringList problems = flags.problems;
    m_applying = true;
    const auto choice = [&](const QString &field, QComboBox *box, const QString &value, const QString &flag) {
        if (!inUse(box))
            return;
        if (value.isEmpty()) {
            if (m_fromPrompt.remove(field))
                box->setCurrentIndex(0); // the flag is gone: back to default
            return;
        }
        const int index = box->findData(value);
        if (index < 0) {
            if (m_strict)
                problems.append(tr("%1 %2: this account offers %3").arg(flag, value, offered(box)));
            return;
        }
        box->setCurrentIndex(index);
        m_fromPrompt.insert(field);
    };
    const auto range
        = [&](const QString &field, RangeField *box, const std::optional<int> &value, const QString &flag) {
              if (!inUse(box))
                  return;
              if (!value) {
                  if (m_fromPrompt.remove(field))
                      box->setValue(std::nullopt);
                  return;
              }
              if (!box->range().accepts(*value)) {
                  problems.append(tr("%1 %2: from %3 to %4 here")
                                      .arg(flag)
                                      .arg(*value)
                                      .arg(box->range().min)
                                      .arg(box->range().max));
                  return;
              }
              box->setValue(value);
              m_fromPrompt.insert(field);
          };
    choice(QStringLiteral("ar"), m_fields.aspect, flags.aspectRatio, QStringLiteral("--ar"));
    choice(QStringLiteral("v"), m_fields.version, flags.version, QStringLiteral("--v"));
    choice(QStringLiteral("speed"), m_fields.speed, flags.speed, QStringLiteral("--") + flags.speed);
    range(QStringLiteral("chaos"), m_fields.chaos, flags.chaos, QStringLiteral("--chaos"));
    range(QStringLiteral("stylize"), m_fields.stylize, flags.stylize, QStringLiteral("--stylize"));
    range(QStringLiteral("weird"), m_fields.weird, flags.weird, QStringLiteral("--weird"));
    m_applying = false;
    showProblems(problems);
}

QString FlagSync::fieldValue(const QString &field) const
{
    const auto number = [](const RangeField *box) {
        const std::optional<int> v = box->value();
        return v ? QString::number(*v) : QString();
    };
    if (field == QLatin1String("ar"))
        return m_fields.aspect->currentData().toString();
    if (field == QLatin1String("v"))
        return m_fields.version->currentData().toString();
    if (field == QLatin1String("speed"))
        return m_fields.speed->currentData().toString();
    if (field == QLatin1String("chaos"))
        return number(m_fields.chaos);
    if (field == QLatin1String("stylize"))
        return number(m_fields.stylize);
    return number(m_fields.weird);
}

void FlagSync::fromField(const QString &field)
{
    if (m_applying)
        return;
    const QString text = m_prompt->toPlainText();
    if (!PromptFlags::has(text, field)) {
        m_fromPrompt.remove(field); // the user's own choice, not the prompt's
        return;
    }
    // The flag in the prompt follows the field: rewritten where it stands, removed for "default". One
    // edit of the document, so that Ctrl+Z in the prompt undoes it.
    const QString value = fieldValue(field);
    const QString rewritten = PromptFlags::withFlag(text, field, value);
    if (rewritten == text)
        return;
    m_applying = true;
    QTextCursor cursor = m_prompt->textCursor();
    const int position = cursor.position();
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(rewritten);
    cursor.endEditBlock();
    cursor.setPosition(std::min<int>(position, int(rewritten.size())));
    m_prompt->setTextCursor(cursor);
    m_applying = false;
    if (value.isEmpty())
        m_fromPrompt.remove(field);
    else
        m_fromPrompt.insert(field);
    fromPrompt(); // the problems of the rewritten prompt
}

void FlagSync::showProblems(const QStringList &problems)
{
    if (problems == m_problems)
        return;
    m_problems = problems;
    m_label->setText(problems.join(QLatin1Char('\n')));
    m_label->setVisible(!problems.isEmpty());
    emit problemsChanged();
}

} // namespace tessera::ui
