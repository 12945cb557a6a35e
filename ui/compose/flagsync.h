#pragma once

#include <QObject>
#include <QSet>
#include <QString>

class QComboBox;
class QLabel;

namespace tessera::ui {

class PromptEditor;
class RangeField;

// The prompt's Midjourney flags and Compose's fields are one state (issue 14): typing `--ar 16:9
// --chaos 20 --v 7` shows 16:9, 20 and 7 in the fields as it is typed, and deleting the flag puts the
// field back to default; changing a field whose flag is in the prompt rewrites that flag where it
// stands (or removes it for "default"). A field without a flag in the prompt is simply a field. A flag
// that cannot be read, or whose value this account does not offer, is named right under the prompt.
class FlagSync : public QObject
{
    Q_OBJECT
public:
    struct Fields
    {
        QComboBox *aspect = nullptr;
        QComboBox *version = nullptr;
        QComboBox *speed = nullptr;
        RangeField *chaos = nullptr;
        RangeField *stylize = nullptr;
        RangeField *weird = nullptr;
    };

    FlagSync(PromptEditor *prompt, const Fields &fields, QLabel *problems, QObject *parent = nullptr);

    // Reads the prompt again (after the fields were refilled for another account, say).
    void fromPrompt();
    // Whether a flag value the fields do not offer is a problem (true), or is sent as typed by a family
    // that passes the prompt on unchanged (false; the field then stays as it is).
    void setStrictValues(bool strict);
    // What is wrong with the flags now, one line each; empty when nothing is.
    QStringList problems() const { return m_problems; }

signals:
    void problemsChanged();

private:
    void fromField(const QString &field);
    QString fieldValue(const QString &field) const;
    void showProblems(const QStringList &problems);

    PromptEditor *m_prompt;
    Fields m_fields;
    QLabel *m_label;
    QSet<QString> m_fromPrompt; // fields whose value came from a flag in the prompt
    QStringList m_problems;
    bool m_applying = false;
    bool m_strict = true;
};

} // namespace tessera::ui
