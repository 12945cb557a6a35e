#pragma once

#include "model/account.h"
#include "model/capabilities.h"
#include "model/operation.h"

#include <QList>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;

namespace tessera {
class ProviderRegistry;
}

namespace tessera::ui {

class PromptEditor;

// The left dock: which account, what to generate and with which parameters. Offers only the values the
// selected account's family accepts; a parameter left at "default" is not sent at all.
class ComposePanel : public QWidget
{
    Q_OBJECT
public:
    explicit ComposePanel(const ProviderRegistry &providers, QWidget *parent = nullptr);

    void setAccounts(const QList<Account> &accounts, const QString &currentId);
    QString currentAccountId() const;
    void setPromptHistory(const QStringList &newestFirst);

    Operation operation() const; // what Generate would send now
    void showError(const QString &message); // under the prompt; cleared on the next edit
    void accepted(); // the task was queued: remember the prompt, clear the error

    PromptEditor *promptEditor() const { return m_prompt; }

signals:
    void generateRequested(const tessera::Operation &op, const QString &accountId);
    void accountChanged(const QString &accountId);

public slots:
    void generate();

private:
    struct IntField
    {
        QSlider *slider = nullptr;
        QSpinBox *spin = nullptr;
        QLabel *label = nullptr;
    };

    void applyCapabilities();
    void addIntField(IntField &field, const QString &name, const QString &tip, QFormLayout *form);
    static void configure(IntField &field, const IntRange &range);
    static std::optional<int> valueOf(const IntField &field);

    const ProviderRegistry &m_providers;
    QList<Account> m_accounts;
    QComboBox *m_account = nullptr;
    QComboBox *m_type = nullptr;
    PromptEditor *m_prompt = nullptr;
    QLabel *m_error = nullptr;
    QComboBox *m_aspect = nullptr;
    QComboBox *m_version = nullptr;
    QComboBox *m_speed = nullptr;
    IntField m_chaos;
    IntField m_stylize;
    IntField m_weird;
    QLabel *m_cost = nullptr;
    QPushButton *m_generate = nullptr;
};

} // namespace tessera::ui
