#include "settingsdialog.h"

#include "common/screenfit.h"
#include "generalpage.h"

#include <QDialogButtonBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace tessera::ui {

SettingsDialog::SettingsDialog(const AccountsPage::Services &accounts, const QString &archiveDir,
                               QWidget *parent)
    : QDialog(parent)
    , m_tabs(new QTabWidget(this))
    , m_accounts(new AccountsPage(accounts, m_tabs))
    , m_general(new GeneralPage(archiveDir, m_tabs))
{
    setWindowTitle(tr("Settings"));
    m_tabs->addTab(m_accounts, tr("Accounts"));
    m_tabs->addTab(m_general, tr("General"));
    connect(m_accounts, &AccountsPage::accountsChanged, this, &SettingsDialog::accountsChanged);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(buttons);
    // Roomy where the screen allows, never taller or wider than it (a 1024 × 640 screen would otherwise
    // hide the Close button below its edge); the account fields scroll.
    resizeWithinScreen(this, QSize(900, 680), parent, 0.95);
}

void SettingsDialog::startAdding(const QString &family)
{
    m_tabs->setCurrentWidget(m_accounts);
    m_accounts->startAdding(family);
}

void SettingsDialog::selectAccount(const QString &accountId)
{
    m_tabs->setCurrentWidget(m_accounts);
    m_accounts->selectAccount(accountId);
}

} // namespace tessera::ui
