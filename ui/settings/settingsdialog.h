#pragma once

#include "model/account.h"

#include <QDialog>
#include <QHash>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTabWidget;

namespace tessera {
class AppCore;
class LayeredSecretStore;
} // namespace tessera

namespace tessera::ui {

// Settings (PRODUCT.md "Settings"): the accounts — add, edit, remove, make default, per-family options
// with explanations, the API key (stored in the system keychain; shown only as "stored", or "••••1234"
// for a key typed in this run, whose last four characters are held in memory only), "Test connection" —
// and the general settings. Everything is saved at once when the user presses Save; keys never leave the
// SecretStore.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(AppCore &core, QWidget *parent = nullptr);
    // Keys go to `secrets` instead of the core's store: a seam for tests of a keychain that fails.
    SettingsDialog(AppCore &core, LayeredSecretStore &secrets, QWidget *parent = nullptr);

    // Opens on the Accounts tab with a new account of `family` being added.
    void startAdding(const QString &family = QStringLiteral("kie"));
    void selectAccount(const QString &accountId);

    // Last four characters of keys typed in this run, by account id: memory only, for "••••1234".
    static QHash<QString, QString> &keyHints();

signals:
    void accountsChanged();

private:
    QWidget *buildAccountsTab();
    QWidget *buildGeneralTab();
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

    AppCore &m_core;
    LayeredSecretStore &m_secrets;
    QTabWidget *m_tabs;
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
