#pragma once

#include "model/account.h"

#include <QHash>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace tessera {
class HistoryStore;
class LayeredSecretStore;
class ProviderRegistry;
class Transport;
} // namespace tessera

namespace tessera::ui {

class KeyHints;

// Settings → Accounts (PRODUCT.md "Settings"): add, edit, remove, make default, per-family options with
// explanations, the API key (stored in the system keychain; shown only as "stored", or "••••1234" for a
// key typed in this run), "Test connection". An account is saved when the user presses Save; keys never
// leave the SecretStore.
class AccountsPage : public QWidget
{
    Q_OBJECT
public:
    // What the page works with; each must outlive it.
    struct Services
    {
        HistoryStore &store; // accounts and the default one
        const ProviderRegistry &providers; // adapters for "Test connection"
        Transport &transport; // the one way out for "Test connection"
        LayeredSecretStore &secrets; // keys: the keychain, or memory for this session
        KeyHints &keyHints;
    };

    explicit AccountsPage(const Services &services, QWidget *parent = nullptr);

    // A new account of `family` being added.
    void startAdding(const QString &family = QStringLiteral("kie"));
    void selectAccount(const QString &accountId);

signals:
    void accountsChanged();

private:
    void build();
    void reloadList(const QString &select = {});
    void showAccount(const QString &accountId);
    void rebuildOptions(const QString &family, const QJsonObject &values);
    void updateKeyState();
    void validateUrl();
    void save();
    void removeSelected();
    void makeDefault();
    void testConnection();
    void storeKey(const Account &account, const QString &key);
    Account editedAccount() const;
    QString selectedId() const;

    HistoryStore &m_store;
    const ProviderRegistry &m_providers;
    Transport &m_transport;
    LayeredSecretStore &m_secrets;
    KeyHints &m_keyHints;
    QListWidget *m_list = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_makeDefault = nullptr;
    QWidget *m_editor = nullptr;
    QComboBox *m_family = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_baseUrl = nullptr;
    QLabel *m_urlMessage = nullptr;
    QLineEdit *m_key = nullptr;
    QLabel *m_keyState = nullptr;
    QFormLayout *m_optionsForm = nullptr;
    QWidget *m_optionsBox = nullptr;
    QHash<QString, QWidget *> m_optionFields;
    QPushButton *m_save = nullptr;
    QPushButton *m_test = nullptr;
    QLabel *m_testResult = nullptr;
    QLabel *m_message = nullptr;
    QString m_editingId; // empty while adding
    int m_shown = 0; // changes when another account (or a new one) is shown: late test results are dropped
};

} // namespace tessera::ui
