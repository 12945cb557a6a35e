#include "composepanel.h"

#include "prompteditor.h"
#include "providers/providerregistry.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

namespace tessera::ui {

namespace {

const QString kDefault = QStringLiteral("");

QString typeLabel(GenerateType type)
{
    switch (type) {
    case GenerateType::Text:
        return ComposePanel::tr("Imagine (text → image)");
    case GenerateType::Image:
        return ComposePanel::tr("Image → image");
    case GenerateType::Style:
        return ComposePanel::tr("Style reference");
    case GenerateType::Omni:
        return ComposePanel::tr("Omni reference");
    case GenerateType::Video:
        return ComposePanel::tr("Video");
    case GenerateType::VideoHd:
        return ComposePanel::tr("Video HD");
    }
    return {};
}

void fillChoices(QComboBox *box, const QStringList &values, const QString &defaultLabel)
{
    const QString previous = box->currentData().toString();
    box->clear();
    box->addItem(defaultLabel, kDefault);
    for (const QString &v : values)
        box->addItem(v, v);
    const int keep = box->findData(previous);
    box->setCurrentIndex(keep >= 0 ? keep : 0);
    box->setEnabled(!values.isEmpty());
}

} // namespace

ComposePanel::ComposePanel(const ProviderRegistry &providers, QWidget *parent)
    : QWidget(parent)
    , m_providers(providers)
{
    m_account = new QComboBox(this);
    m_account->setAccessibleName(tr("Account"));
    m_account->setToolTip(tr("Which provider account runs the task"));
    m_type = new QComboBox(this);
    m_type->setAccessibleName(tr("Task type"));
    m_prompt = new PromptEditor(this);
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->setAccessibleName(tr("Problem with the prompt"));
    m_error->hide();

    m_aspect = new QComboBox(this);
    m_aspect->setAccessibleName(tr("Aspect ratio"));
    m_version = new QComboBox(this);
    m_version->setAccessibleName(tr("Model version"));
    m_speed = new QComboBox(this);
    m_speed->setAccessibleName(tr("Speed"));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Account"), m_account);
    form->addRow(tr("T&ype"), m_type);

    auto *params = new QFormLayout;
    params->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    params->addRow(tr("Aspect &ratio"), m_aspect);
    params->addRow(tr("&Version"), m_version);
    params->addRow(tr("&Speed"), m_speed);
    addIntField(m_chaos, tr("&Chaos"), tr("How different the four images are from each other"), params);
    addIntField(m_stylize, tr("St&ylize"), tr("How strongly the model's own style is applied"), params);
    addIntField(m_weird, tr("&Weird"), tr("Unusual, offbeat results"), params);

    m_cost = new QLabel(this);
    m_cost->setAccessibleName(tr("Cost"));
    m_generate = new QPushButton(tr("Generate"), this);
    m_generate->setDefault(true);
    m_generate->setToolTip(tr("Send the prompt (Ctrl+Enter)"));
    m_generate->setAccessibleName(tr("Generate"));
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_cost, 1);
    bottom->addWidget(m_generate);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("&Prompt"), this));
    static_cast<QLabel *>(layout->itemAt(layout->count() - 1)->widget())->setBuddy(m_prompt);
    layout->addWidget(m_prompt);
    layout->addWidget(m_error);
    layout->addSpacing(6);
    layout->addLayout(params);
    layout->addSpacing(6);
    layout->addLayout(bottom);
    layout->addStretch(1);

    connect(m_generate, &QPushButton::clicked, this, &ComposePanel::generate);
    connect(m_prompt, &PromptEditor::submitRequested, this, &ComposePanel::generate);
    connect(m_prompt, &QPlainTextEdit::textChanged, m_error, &QLabel::hide);
    connect(m_account, &QComboBox::currentIndexChanged, this, [this] {
        applyCapabilities();
        emit accountChanged(currentAccountId());
    });
}

void ComposePanel::addIntField(IntField &field, const QString &name, const QString &tip, QFormLayout *form)
{
    field.slider = new QSlider(Qt::Horizontal, this);
    field.spin = new QSpinBox(this);
    field.spin->setSpecialValueText(tr("default"));
    field.spin->setToolTip(tip);
    field.slider->setToolTip(tip);
    field.spin->setAccessibleName(QString(name).remove(QLatin1Char('&')));
    field.slider->setAccessibleName(QString(name).remove(QLatin1Char('&')));
    auto *row = new QHBoxLayout;
    row->addWidget(field.slider, 1);
    row->addWidget(field.spin);
    form->addRow(name, row);
    field.label = qobject_cast<QLabel *>(form->labelForField(row));
    if (field.label)
        field.label->setBuddy(field.spin);
    connect(field.slider, &QSlider::valueChanged, field.spin, &QSpinBox::setValue);
    connect(field.spin, &QSpinBox::valueChanged, field.slider, &QSlider::setValue);
}

void ComposePanel::configure(IntField &field, const IntRange &range)
{
    // One step below the minimum is "default": the parameter is not sent.
    const int unset = range.min - range.step;
    field.spin->setRange(unset, range.max);
    field.spin->setSingleStep(range.step);
    field.slider->setRange(unset, range.max);
    field.slider->setSingleStep(range.step);
    field.slider->setPageStep(std::max(range.step, (range.max - range.min) / 10));
    field.spin->setValue(unset);
    for (QWidget *w : {static_cast<QWidget *>(field.slider), static_cast<QWidget *>(field.spin)}) {
        w->setVisible(range.supported);
    }
    if (field.label)
        field.label->setVisible(range.supported);
}

std::optional<int> ComposePanel::valueOf(const IntField &field)
{
    if (field.spin->isHidden()) // the family has no such parameter
        return std::nullopt;
    if (field.spin->value() == field.spin->minimum())
        return std::nullopt;
    return field.spin->value();
}

void ComposePanel::setAccounts(const QList<Account> &accounts, const QString &currentId)
{
    m_accounts = accounts;
    const QSignalBlocker block(m_account);
    m_account->clear();
    for (const Account &a : accounts)
        m_account->addItem(a.displayName(), a.id);
    const int index = m_account->findData(currentId);
    m_account->setCurrentIndex(index >= 0 ? index : 0);
    applyCapabilities();
}

QString ComposePanel::currentAccountId() const
{
    return m_account->currentData().toString();
}

void ComposePanel::setPromptHistory(const QStringList &newestFirst)
{
    m_prompt->setHistory(newestFirst);
}

void ComposePanel::applyCapabilities()
{
    const QString id = currentAccountId();
    Account account;
    for (const Account &a : std::as_const(m_accounts)) {
        if (a.id == id)
            account = a;
    }
    const ProviderAdapter *adapter = m_providers.adapter(account.family);
    const Capabilities caps = adapter ? adapter->capabilities(account) : Capabilities();
    m_type->clear();
    for (GenerateType t : caps.generateTypes)
        m_type->addItem(typeLabel(t), static_cast<int>(t));
    m_type->setEnabled(m_type->count() > 1);
    fillChoices(m_aspect, caps.aspectRatios, tr("default (1:1)"));
    fillChoices(m_version, caps.versions, tr("default"));
    fillChoices(m_speed, caps.speeds, tr("default"));
    configure(m_chaos, caps.chaos);
    configure(m_stylize, caps.stylize);
    configure(m_weird, caps.weird);
    m_cost->setText(account.isDemo() ? tr("Free — generated offline") : tr("1 request"));
    m_generate->setEnabled(adapter != nullptr);
}

Operation ComposePanel::operation() const
{
    Operation op = Operation::imagine(m_prompt->prompt());
    op.type = static_cast<GenerateType>(m_type->currentData().toInt());
    op.aspectRatio = m_aspect->currentData().toString();
    op.version = m_version->currentData().toString();
    op.speed = m_speed->currentData().toString();
    op.chaos = valueOf(m_chaos);
    op.stylize = valueOf(m_stylize);
    op.weird = valueOf(m_weird);
    return op;
}

void ComposePanel::generate()
{
    const Operation op = operation();
    if (op.prompt.isEmpty()) {
        showError(tr("Write a prompt first."));
        m_prompt->setFocus();
        return;
    }
    emit generateRequested(op, currentAccountId());
}

void ComposePanel::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
}

void ComposePanel::accepted()
{
    m_prompt->remember(m_prompt->prompt());
    m_error->hide();
}

} // namespace tessera::ui
