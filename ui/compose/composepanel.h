#pragma once

#include "familyextras.h"
#include "model/account.h"
#include "model/capabilities.h"
#include "model/operation.h"

#include <QList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace tessera {
class ProviderRegistry;
}

namespace tessera::ui {

class FlagSync;

class PromptEditor;
class RangeField;
class ReferenceList;

// The left dock: which account, what to make and with which parameters. The task types are the family's
// generate types plus describe, blend and shorten where it has them; every parameter offers only the
// values the family accepts, and one left at "default" is not sent at all. Generate (Ctrl+Enter) asks
// for the task; what the engine refuses comes back through showError() and stays next to the button.
class ComposePanel : public QWidget
{
    Q_OBJECT
public:
    explicit ComposePanel(const ProviderRegistry &providers, QWidget *parent = nullptr);

    void setAccounts(const QList<Account> &accounts, const QString &currentId);
    QString currentAccountId() const;
    void setPromptHistory(const QStringList &newestFirst);

    // The task type by name: a generate type ("text", "image", "style", "omni", "video", "video-hd") or
    // an operation ("describe", "blend", "shorten"). setCurrentType() is false when it is not offered.
    QString currentType() const;
    bool setCurrentType(const QString &name);
    QStringList offeredTypes() const;

    Operation operation() const; // what Generate would send now
    void showError(const QString &message); // next to Generate; cleared on the next edit
    void accepted(); // the task was queued: remember the prompt, clear the error
    // "Use this prompt": the text goes into the prompt editor for a new imagine.
    void usePrompt(const QString &prompt);
    // "Reuse all parameters" (the history): the account (when it still exists), the task type, the
    // prompt, the references and every parameter of `op`. A value the account's family does not offer
    // is left at "default". False when the type is not offered by the account (the prompt is still set).
    bool setOperation(const Operation &op, const QString &accountId);

    PromptEditor *promptEditor() const { return m_prompt; }
    ReferenceList *references() const { return m_refs; }

signals:
    void generateRequested(const tessera::Operation &op, const QString &accountId);
    void accountChanged(const QString &accountId);

public slots:
    void generate();

private:
    Account currentAccount() const;
    void applyCapabilities();
    void applyType();
    void refreshCost();
    // Generate is usable when the request can be sent; otherwise greyed with the reason as its tooltip.
    void updateGenerate();
    QWidget *buildParameters();

    const ProviderRegistry &m_providers;
    QList<Account> m_accounts;
    Capabilities m_caps;
    FamilyExtras m_extras;
    QComboBox *m_account = nullptr;
    QComboBox *m_type = nullptr;
    QLabel *m_promptLabel = nullptr;
    PromptEditor *m_prompt = nullptr;
    QLabel *m_refsLabel = nullptr;
    ReferenceList *m_refs = nullptr;
    QFormLayout *m_params = nullptr;
    QComboBox *m_dimensions = nullptr;
    QComboBox *m_aspect = nullptr;
    QComboBox *m_version = nullptr;
    QComboBox *m_speed = nullptr;
    RangeField *m_chaos = nullptr;
    RangeField *m_stylize = nullptr;
    RangeField *m_weird = nullptr;
    RangeField *m_omniWeight = nullptr;
    QComboBox *m_motion = nullptr;
    QComboBox *m_batch = nullptr;
    QLineEdit *m_watermark = nullptr;
    QCheckBox *m_translate = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_cost = nullptr;
    QPushButton *m_generate = nullptr;
    QLabel *m_flagProblems = nullptr; // right under the prompt
    FlagSync *m_flags = nullptr;
};

} // namespace tessera::ui
