#include "accountspage.h"

#include "keyhints.h"
#include "model/accountoptions.h"
#include "model/baseurl.h"
#include "net/transport.h"
#include "providers/providerregistry.h"
#include "secrets/secretstore.h"
#include "settingsnote.h"
#include "storage/historystore.h"
#include "tasks/connectiontest.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QUuid>
#include <QVBoxLayout>

namespace tessera::ui {

namespace {

constexpr int kIdRole = Qt::UserRole;

} // namespace

AccountsPage::AccountsPage(const Services &services, QWidget *parent)
    : QWidget(parent)
    , m_store(services.store)
    , m_providers(services.providers)
    , m_transport(services.transport)
    , m_secrets(services.secrets)
    , m_keyHints(services.keyHints)
{
    build();
    reloadList();
}

void AccountsPage::build()
{
    QWidget *page = this;
    m_list = new QListWidget(page);
    m_list->setAccessibleName(tr("Accounts"));
    m_list->setMinimumWidth(220);
    m_list->setObjectName(QStringLiteral("accountList"));
    auto *add = new QPushButton(tr("&Add…"), page);
    m_remove = new QPushButton(tr("&Remove"), page);
    m_makeDefault = new QPushButton(tr("Make &default"), page);
    add->setObjectName(QStringLiteral("addButton"));
    m_remove->setObjectName(QStringLiteral("removeButton"));
    m_makeDefault->setObjectName(QStringLiteral("makeDefaultButton"));
    connect(add, &QPushButton::clicked, this, [this] { startAdding(); });
    connect(m_remove, &QPushButton::clicked, this, &AccountsPage::removeSelected);
    connect(m_makeDefault, &QPushButton::clicked, this, &AccountsPage::makeDefault);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item)
            showAccount(item->data(kIdRole).toString());
    });
    auto *listButtons = new QHBoxLayout;
    listButtons->addWidget(add);
    listButtons->addWidget(m_remove);
    listButtons->addWidget(m_makeDefault);
    auto *left = new QVBoxLayout;
    left->addWidget(m_list);
    left->addLayout(listButtons);

    m_editor = new QWidget(page);
    auto *form = new QFormLayout;
    m_family = new QComboBox(m_editor);
    for (const QString &family : knownFamilies())
        m_family->addItem(familyTitle(family), family);
    m_family->setAccessibleName(tr("Family"));
    m_family->setObjectName(QStringLiteral("family"));
    connect(m_family, &QComboBox::currentIndexChanged, this,
            [this] { rebuildOptions(m_family->currentData().toString(), editedAccount().options); });
    m_name = new QLineEdit(m_editor);
    m_name->setAccessibleName(tr("Account name"));
    m_name->setObjectName(QStringLiteral("name"));
    m_baseUrl = new QLineEdit(m_editor);
    m_baseUrl->setAccessibleName(tr("Base URL"));
    m_baseUrl->setObjectName(QStringLiteral("baseUrl"));
    m_baseUrl->setPlaceholderText(QStringLiteral("https://api.example.com"));
    m_urlMessage = new QLabel(m_editor);
    m_urlMessage->setWordWrap(true);
    m_urlMessage->setObjectName(QStringLiteral("urlMessage"));
    connect(m_baseUrl, &QLineEdit::textChanged, this, &AccountsPage::validateUrl);
    m_key = new QLineEdit(m_editor);
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setAccessibleName(tr("API key"));
    m_key->setObjectName(QStringLiteral("key"));
    m_key->setPlaceholderText(tr("Paste the account's API key"));
    m_keyState = new QLabel(m_editor);
    m_keyState->setWordWrap(true);
    m_keyState->setObjectName(QStringLiteral("keyState"));
    form->addRow(tr("&Family"), m_family);
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("Base &URL"), m_baseUrl);
    form->addRow(QString(), m_urlMessage);
    form->addRow(tr("API &key"), m_key);
    form->addRow(QString(), m_keyState);

    m_optionsBox = new QGroupBox(tr("Options"), m_editor);
    m_optionsForm = new QFormLayout(m_optionsBox);

    m_save = new QPushButton(tr("&Save"), m_editor);
    m_save->setDefault(true);
    m_save->setObjectName(QStringLiteral("saveButton"));
    m_test = new QPushButton(tr("&Test connection"), m_editor);
    m_test->setObjectName(QStringLiteral("testButton"));
    m_testResult = new QLabel(m_editor);
    m_testResult->setObjectName(QStringLiteral("testResult"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message = new QLabel(m_editor);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    connect(m_save, &QPushButton::clicked, this, &AccountsPage::save);
    connect(m_test, &QPushButton::clicked, this, &AccountsPage::testConnection);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_test);
    actions->addStretch();
    actions->addWidget(m_save);

    // The fields scroll (a family may have many options); the actions stay in view below them.
    auto *fields = new QWidget(m_editor);
    auto *fieldsLayout = new QVBoxLayout(fields);
    fieldsLayout->addLayout(form);
    fieldsLayout->addWidget(m_optionsBox);
    fieldsLayout->addStretch();
    auto *scroll = new QScrollArea(m_editor);
    scroll->setWidget(fields);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *editorLayout = new QVBoxLayout(m_editor);
    editorLayout->setContentsMargins(0, 0, 0, 0);
    editorLayout->addWidget(scroll, 1);
    editorLayout->addLayout(actions);
    editorLayout->addWidget(m_testResult);
    editorLayout->addWidget(m_message);

    auto *layout = new QHBoxLayout(page);
    layout->addLayout(left);
    layout->addWidget(m_editor, 1);
}

void AccountsPage::reloadList(const QString &select)
{
    const QString keep = select.isEmpty() ? selectedId() : select;
    const auto accounts = m_store.accounts();
    const auto preferred = m_store.defaultAccount();
    QSignalBlocker block(m_list);
    m_list->clear();
    if (!accounts) {
        m_message->setText(accounts.error().message);
        return;
    }
    for (const Account &a : *accounts) {
        const bool isDefault = preferred && preferred->id == a.id;
        auto *item
            = new QListWidgetItem(a.displayName() + (isDefault ? tr("  ★ default") : QString()), m_list);
        item->setData(kIdRole, a.id);
        if (a.id == keep)
            m_list->setCurrentItem(item);
    }
    if (!m_list->currentItem() && m_list->count() > 0)
        m_list->setCurrentRow(0);
    block.unblock();
    if (m_list->currentItem())
        showAccount(m_list->currentItem()->data(kIdRole).toString());
}

QString AccountsPage::selectedId() const
{
    return m_list->currentItem() ? m_list->currentItem()->data(kIdRole).toString() : QString();
}

void AccountsPage::selectAccount(const QString &accountId)
{
    reloadList(accountId);
}

void AccountsPage::startAdding(const QString &family)
{
    m_list->clearSelection();
    m_list->setCurrentItem(nullptr);
    m_editingId.clear();
    ++m_shown;
    m_family->setEnabled(true);
    m_name->setEnabled(true);
    m_baseUrl->setEnabled(true);
    m_key->setEnabled(true);
    m_remove->setEnabled(false);
    m_makeDefault->setEnabled(false);
    m_family->setCurrentIndex(std::max(0, m_family->findData(family)));
    m_name->clear();
    m_baseUrl->clear();
    m_key->clear();
    m_keyState->setText(tr("The key is kept in the system keychain, never in a file."));
    m_testResult->clear();
    m_message->setText(tr("New account: fill in the fields and press Save."));
    rebuildOptions(m_family->currentData().toString(), {});
    m_name->setFocus();
}

void AccountsPage::showAccount(const QString &accountId)
{
    const auto found = m_store.account(accountId);
    if (!found || !found->has_value())
        return;
    const Account &a = **found;
    if (a.id != m_editingId)
        ++m_shown;
    m_editingId = a.id;
    const bool demo = a.isDemo();
    if (demo) {
        if (m_family->findData(QStringLiteral("demo")) < 0)
            m_family->addItem(familyTitle(QStringLiteral("demo")), QStringLiteral("demo"));
    }
    {
        QSignalBlocker block(m_family);
        m_family->setCurrentIndex(m_family->findData(a.family));
    }
    m_family->setEnabled(false); // a family change is a new account
    m_name->setText(demo ? tr("Demo (offline)") : a.name);
    m_name->setEnabled(!demo);
    m_baseUrl->setText(a.baseUrl);
    m_baseUrl->setEnabled(!demo);
    m_key->clear();
    m_key->setEnabled(!demo);
    m_remove->setEnabled(!demo);
    const auto preferred = m_store.defaultAccount();
    const bool isDefault = preferred && preferred->id == a.id;
    m_makeDefault->setEnabled(!isDefault);
    m_makeDefault->setToolTip(
        isDefault ? tr("%1 is already the default account").arg(a.displayName())
                  : tr("Use %1 for new tasks unless Compose says otherwise").arg(a.displayName()));
    m_test->setEnabled(!demo);
    m_testResult->clear();
    m_message->clear();
    rebuildOptions(a.family, a.options);
    updateKeyState();
}

void AccountsPage::rebuildOptions(const QString &family, const QJsonObject &values)
{
    while (m_optionsForm->rowCount() > 0)
        m_optionsForm->removeRow(0);
    m_optionFields.clear();
    for (const AccountOption &option : accountOptions(family)) {
        QWidget *field = nullptr;
        const QString value = values.value(option.key).toString();
        if (option.type == AccountOption::Type::Choice) {
            auto *combo = new QComboBox(m_optionsBox);
            combo->addItems(option.choices);
            combo->setCurrentIndex(std::max<qsizetype>(0, option.choices.indexOf(value)));
            field = combo;
        } else {
            auto *edit = new QLineEdit(value, m_optionsBox);
            edit->setPlaceholderText(option.placeholder);
            field = edit;
        }
        field->setToolTip(option.help);
        field->setAccessibleName(option.label);
        field->setObjectName(QStringLiteral("option-") + option.key);
        auto *help = settingsNote(option.help, m_optionsBox);
        help->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
        auto *cell = new QWidget(m_optionsBox);
        auto *cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 4);
        cellLayout->addWidget(field);
        cellLayout->addWidget(help);
        m_optionsForm->addRow(option.label, cell);
        m_optionFields.insert(option.key, field);
    }
    m_test->setEnabled(family != QLatin1String("demo"));
}

Account AccountsPage::editedAccount() const
{
    Account a;
    if (!m_editingId.isEmpty()) {
        if (const auto found = m_store.account(m_editingId); found && found->has_value())
            a = **found;
    }
    if (a.id.isEmpty())
        a.family = m_family->currentData().toString();
    if (!a.isDemo()) {
        a.name = m_name->text().trimmed();
        a.baseUrl = m_baseUrl->text().trimmed();
    }
    QJsonObject options;
    for (auto it = m_optionFields.constBegin(); it != m_optionFields.constEnd(); ++it) {
        QString value;
        if (auto *combo = qobject_cast<QComboBox *>(it.value()))
            value = combo->currentIndex() > 0 ? combo->currentText() : QString(); // the first is the default
        else if (auto *edit = qobject_cast<QLineEdit *>(it.value()))
            value = edit->text().trimmed();
        if (!value.isEmpty())
            options.insert(it.key(), value);
    }
    a.options = options;
    return a;
}

void AccountsPage::validateUrl()
{
    if (m_baseUrl->text().trimmed().isEmpty()) {
        m_urlMessage->clear();
        return;
    }
    const Result<QString> url = normalizeBaseUrl(m_baseUrl->text());
    m_urlMessage->setText(
        url ? (*url == m_baseUrl->text().trimmed() ? QString() : tr("Will be saved as %1").arg(*url))
            : url.error().message);
}

void AccountsPage::updateKeyState()
{
    const QString id = m_editingId;
    if (id.isEmpty() || id == QLatin1String(Account::kDemoId)) {
        m_keyState->setText(id.isEmpty() ? QString() : tr("The demo needs no key."));
        return;
    }
    const bool session = m_secrets.hasSessionKey(id);
    if (const QString lastFour = m_keyHints.lastFour(id); !lastFour.isEmpty()) {
        m_keyState->setText(session ? tr("••••%1 — kept in memory for this session only").arg(lastFour)
                                    : tr("••••%1 — stored in the system keychain").arg(lastFour));
        m_key->setPlaceholderText(tr("Type or paste a new key to replace the stored one"));
        return;
    }
    m_keyState->setText(tr("Checking the keychain…"));
    QPointer<QLabel> label = m_keyState;
    m_secrets.readKey(id, this, [this, id, label](const Result<QString> &key) {
        if (!label || m_editingId != id)
            return;
        if (key)
            label->setText(tr("A key is stored in the system keychain."));
        else if (key.error().kind == Error::Kind::NotFound)
            label->setText(tr("No key stored yet: paste the account's API key above and press Save."));
        else
            label->setText(key.error().message);
        // Replace only what is there.
        m_key->setPlaceholderText(key ? tr("Type or paste a new key to replace the stored one")
                                      : tr("Paste the account's API key"));
    });
}

void AccountsPage::save()
{
    Account a = editedAccount();
    m_message->clear();
    if (!a.isDemo()) {
        if (a.name.isEmpty()) {
            m_message->setText(tr("Name: give the account a name."));
            return;
        }
        const Result<QString> url = normalizeBaseUrl(a.baseUrl);
        if (!url) {
            m_message->setText(url.error().message);
            return;
        }
        a.baseUrl = *url;
        const auto sameName = m_store.accountByName(a.name);
        if (sameName && sameName->has_value() && (*sameName)->id != a.id) {
            m_message->setText(tr("Name: there is already an account \"%1\".").arg(a.name));
            return;
        }
    }
    const Result<Account> checked = checkAccountOptions(a);
    if (!checked) {
        m_message->setText(checked.error().message);
        return;
    }
    a = *checked;
    if (a.id.isEmpty()) {
        a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        a.created = QDateTime::currentDateTimeUtc();
    }
    if (const Status s = m_store.saveAccount(a); !s) {
        m_message->setText(s.error().message);
        return;
    }
    const QString key = m_key->text().trimmed();
    m_key->clear();
    m_editingId = a.id;
    reloadList(a.id);
    // "Saved." only once everything is: with a new key, after the keychain took it.
    m_message->setText(key.isEmpty() ? tr("Saved.")
                                     : tr("Account saved; storing the key in the system keychain…"));
    emit accountsChanged();
    if (!key.isEmpty())
        storeKey(a, key);
}

void AccountsPage::storeKey(const Account &account, const QString &key)
{
    const QString id = account.id;
    QPointer<AccountsPage> self = this;
    m_secrets.writeKey(id, key, this, [self, id, key](const Status &stored) {
        if (!self)
            return;
        if (stored) {
            self->m_keyHints.remember(id, key);
            self->updateKeyState();
            self->m_message->setText(tr("Saved."));
            emit self->accountsChanged();
            return;
        }
        // Never a silent downgrade: the user decides whether the key may live in memory for this run.
        const auto answer = QMessageBox::question(
            self, tr("Keychain not available"),
            tr("%1\n\nThe key was not saved. Tessera can keep it in memory until it quits — it is then never "
               "written anywhere, and you will be asked for it again next time. Keep it for this session?")
                .arg(stored.error().message),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
        if (!self) // closed while the question was open
            return;
        if (answer == QMessageBox::Yes) {
            self->m_secrets.setSessionKey(id, key);
            self->m_keyHints.remember(id, key);
            self->m_message->setText(tr("Account saved; its key is kept for this session only."));
            emit self->accountsChanged();
        } else {
            self->m_message->setText(tr("Account saved; its key was not stored."));
        }
        self->updateKeyState();
    });
}

void AccountsPage::removeSelected()
{
    const QString id = selectedId();
    const auto found = m_store.account(id);
    if (id.isEmpty() || !found || !found->has_value() || (*found)->isDemo())
        return;
    const Account a = **found;
    if (QMessageBox::question(
            this, tr("Remove account"),
            tr("Remove %1 and its key? Its tasks and images stay in the history.").arg(a.displayName()))
        != QMessageBox::Yes)
        return;
    if (const Status s = m_store.removeAccount(id); !s) {
        m_message->setText(s.error().message);
        return;
    }
    m_keyHints.forget(id);
    QPointer<QLabel> message = m_message;
    m_secrets.removeKey(id, this, [message](const Status &s) {
        if (!s && message)
            message->setText(tr("The key could not be removed from the keychain: %1").arg(s.error().message));
    });
    m_editingId.clear();
    reloadList();
    emit accountsChanged();
}

void AccountsPage::makeDefault()
{
    const QString id = selectedId();
    if (id.isEmpty())
        return;
    if (const Status s = m_store.setDefaultAccount(id); !s) {
        m_message->setText(s.error().message);
        return;
    }
    reloadList(id);
    emit accountsChanged();
}

void AccountsPage::testConnection()
{
    Account a = editedAccount();
    const Result<QString> url = normalizeBaseUrl(a.baseUrl);
    if (!url) {
        m_testResult->setText(url.error().message);
        return;
    }
    a.baseUrl = *url;
    const ProviderAdapter *adapter = m_providers.adapter(a.family);
    if (!adapter)
        return;
    m_test->setEnabled(false);
    m_testResult->setText(tr("Testing…"));
    QPointer<AccountsPage> self = this;
    const int shown = m_shown;
    auto run = [self, a, adapter, shown](const QString &key) {
        if (!self)
            return;
        tessera::testConnection(
            self->m_transport, *adapter, a, key, self, [self, shown](const ConnectionReport &r) {
                if (!self)
                    return;
                self->m_test->setEnabled(self->m_family->currentData().toString() != QLatin1String("demo"));
                // The user moved on to another account meanwhile: this verdict is not about it.
                if (self->m_shown != shown)
                    return;
                const bool good = r.verdict == ConnectionReport::Verdict::KeyAccepted;
                // An accepted key is proven by the server's "no such task" for a made-up id: its words
                // ("taskId … not found") would only confuse; a refusal keeps the vendor's own words.
                self->m_testResult->setText(
                    (good ? QStringLiteral("✓ ") : QStringLiteral("✗ ")) + connectionVerdictText(r.verdict)
                    + (good || r.message.isEmpty() ? QString() : QStringLiteral(" — ") + r.message));
            });
    };
    const QString typed = m_key->text().trimmed();
    if (!typed.isEmpty() || a.id.isEmpty()) {
        run(typed);
        return;
    }
    m_secrets.readKey(a.id, this, [run](const Result<QString> &key) { run(key ? *key : QString()); });
}

} // namespace tessera::ui
