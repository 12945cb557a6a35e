#pragma once

#include "accountspage.h"

#include <QDialog>

class QTabWidget;

namespace tessera::ui {

class GeneralPage;

// Settings (PRODUCT.md "Settings"): the Accounts page and the General page in tabs. The dialog is given
// the services its pages use (no AppCore): the composition root, through the main window, decides them.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(const AccountsPage::Services &accounts, const QString &archiveDir,
                   QWidget *parent = nullptr);

    // Opens on the Accounts tab with a new account of `family` being added.
    void startAdding(const QString &family = QStringLiteral("kie"));
    void selectAccount(const QString &accountId);

signals:
    void accountsChanged();

private:
    QTabWidget *m_tabs;
    AccountsPage *m_accounts;
    GeneralPage *m_general;
};

} // namespace tessera::ui
