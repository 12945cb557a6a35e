#include "composepanel.h"

#include "flagsync.h"
#include "prompteditor.h"
#include "providers/providerregistry.h"
#include "rangefield.h"
#include "referencelist.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace tessera::ui {

namespace {

const QString kDefault = QStringLiteral("");
constexpr int kBlendMax = 5; // PROVIDERS.md §4: blend takes 2–5 images

QString typeLabel(const QString &key)
{
    static const QList<std::pair<QString, const char *>> labels {
        {QStringLiteral("text"), QT_TRANSLATE_NOOP("ComposePanel", "Imagine (text → image)")},
        {QStringLiteral("image"), QT_TRANSLATE_NOOP("ComposePanel", "Image → image")},
        {QStringLiteral("style"), QT_TRANSLATE_NOOP("ComposePanel", "Style reference")},
        {QStringLiteral("omni"), QT_TRANSLATE_NOOP("ComposePanel", "Omni reference")},
        {QStringLiteral("video"), QT_TRANSLATE_NOOP("ComposePanel", "Video")},
        {QStringLiteral("video-hd"), QT_TRANSLATE_NOOP("ComposePanel", "Video HD")},
        {QStringLiteral("describe"), QT_TRANSLATE_NOOP("ComposePanel", "Describe (image → prompts)")},
        {QStringLiteral("blend"), QT_TRANSLATE_NOOP("ComposePanel", "Blend (2–5 images)")},
        {QStringLiteral("shorten"), QT_TRANSLATE_NOOP("ComposePanel", "Shorten a prompt")},
    };
    for (const auto &[name, text] : labels) {
        if (name == key)
            return ComposePanel::tr(text);
    }
    return key;
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
}

QComboBox *choiceBox(const QString &accessible, QWidget *parent)
{
    auto *box = new QComboBox(parent);
    box->setAccessibleName(accessible);
    return box;
}

bool isVideo(const std::optional<GenerateType> &type)
{
    return type && (*type == GenerateType::Video || *type == GenerateType::VideoHd);
}

} // namespace

ComposePanel::ComposePanel(const ProviderRegistry &providers, QWidget *parent)
    : QWidget(parent)
    , m_providers(providers)
{
    auto *inner = new QWidget(this);
    m_account = choiceBox(tr("Account"), inner);
    m_account->setToolTip(tr("Which provider account runs the task"));
    m_type = choiceBox(tr("Task type"), inner);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Account"), m_account);
    form->addRow(tr("T&ype"), m_type);

    m_promptLabel = new QLabel(tr("&Prompt"), inner);
    m_prompt = new PromptEditor(inner);
    m_promptLabel->setBuddy(m_prompt);
    m_refsLabel = new QLabel(tr("Re&ferences"), inner);
    m_refs = new ReferenceList(inner);
    m_refsLabel->setBuddy(m_refs->listWidget());

    m_flagProblems = new QLabel(inner);
    auto *layout = new QVBoxLayout(inner);
    layout->addLayout(form);
    layout->addWidget(m_promptLabel);
    layout->addWidget(m_prompt);
    layout->addWidget(m_flagProblems);
    layout->addWidget(m_refsLabel);
    layout->addWidget(m_refs);
    layout->addSpacing(6);
    layout->addWidget(buildParameters());
    m_flags = new FlagSync(m_prompt, {m_aspect, m_version, m_speed, m_chaos, m_stylize, m_weird},
                           m_flagProblems, this);
    layout->addStretch(1);

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(inner);

    // Below the scrolling part, always in view: what went wrong, the cost and Generate.
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->setAccessibleName(tr("Problem with the request"));
    m_error->hide();
    m_cost = new QLabel(this);
    m_cost->setAccessibleName(tr("Cost"));
    m_generate = new QPushButton(tr("Generate"), this);
    m_generate->setDefault(true);
    m_generate->setToolTip(tr("Send the request (Ctrl+Enter in the prompt; then Esc takes the keyboard to "
                              "the images)"));
    m_generate->setAccessibleName(tr("Generate"));
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_cost, 1);
    bottom->addWidget(m_generate);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 6);
    outer->addWidget(scroll, 1);
    auto *footer = new QVBoxLayout;
    footer->setContentsMargins(9, 0, 9, 0);
    footer->addWidget(m_error);
    footer->addLayout(bottom);
    outer->addLayout(footer);

    connect(m_generate, &QPushButton::clicked, this, &ComposePanel::generate);
    connect(m_prompt, &PromptEditor::submitRequested, this, &ComposePanel::generate);
    connect(m_prompt, &QPlainTextEdit::textChanged, m_error, &QLabel::hide);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &ComposePanel::updateGenerate);
    connect(m_flags, &FlagSync::problemsChanged, this, &ComposePanel::updateGenerate);
    connect(m_refs, &ReferenceList::changed, this, [this] {
        m_error->hide();
        refreshCost();
    });
    connect(m_refs, &ReferenceList::problem, this, &ComposePanel::showError);
    connect(m_prompt, &PromptEditor::imagesPasted, this, [this](const QMimeData *mime) {
        // An image given to a text prompt means "image → image" where the family has it.
        if (m_refs->isHidden() && !setCurrentType(generateTypeName(GenerateType::Image))) {
            showError(tr("references: this account's task type takes no reference images"));
            return;
        }
        m_refs->addMime(mime);
    });
    connect(m_type, &QComboBox::currentIndexChanged, this, &ComposePanel::applyType);
    connect(m_account, &QComboBox::currentIndexChanged, this, [this] {
        applyCapabilities();
        emit accountChanged(currentAccountId());
    });
}

QWidget *ComposePanel::buildParameters()
{
    auto *box = new QWidget(this);
    m_params = new QFormLayout(box);
    m_params->setContentsMargins(0, 0, 0, 0);
    m_params->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_dimensions = choiceBox(tr("Blend dimensions"), box);
    m_aspect = choiceBox(tr("Aspect ratio"), box);
    m_version = choiceBox(tr("Model version"), box);
    m_speed = choiceBox(tr("Speed"), box);
    m_chaos = new RangeField(tr("Chaos"), tr("How different the four images are from each other"), box);
    m_stylize = new RangeField(tr("Stylize"), tr("How strongly the model's own style is applied"), box);
    m_weird = new RangeField(tr("Weird"), tr("Unusual, offbeat results"), box);
    m_omniWeight = new RangeField(tr("Omni weight"), tr("How closely the result follows the reference"), box);
    m_motion = choiceBox(tr("Video motion"), box);
    m_batch = choiceBox(tr("Videos per job"), box);
    m_watermark = new QLineEdit(box);
    m_watermark->setAccessibleName(tr("Watermark"));
    m_watermark->setPlaceholderText(tr("none"));
    m_translate = new QCheckBox(tr("to English"), box);
    m_translate->setToolTip(tr("Let the provider translate the prompt into English first"));
    m_translate->setAccessibleName(tr("Translate"));
    m_params->addRow(tr("&Dimensions"), m_dimensions);
    m_params->addRow(tr("Aspect &ratio"), m_aspect);
    m_params->addRow(tr("&Version"), m_version);
    m_params->addRow(tr("&Speed"), m_speed);
    m_params->addRow(tr("&Chaos"), m_chaos);
    m_params->addRow(tr("Sty&lize"), m_stylize);
    m_params->addRow(tr("&Weird"), m_weird);
    m_params->addRow(tr("&Omni weight"), m_omniWeight);
    m_params->addRow(tr("&Motion"), m_motion);
    m_params->addRow(tr("V&ideos"), m_batch);
    m_params->addRow(tr("Wat&ermark"), m_watermark);
    m_params->addRow(tr("Tra&nslate"), m_translate);
    return box;
}

void ComposePanel::setAccounts(const QList<Account> &accounts, const QString &currentId)
{
    m_accounts = accounts;
    {
        const QSignalBlocker block(m_account);
        m_account->clear();
        for (const Account &a : accounts)
            m_account->addItem(a.displayName(), a.id);
        const int index = m_account->findData(currentId);
        m_account->setCurrentIndex(index >= 0 ? index : 0);
    }
    applyCapabilities();
}

QString ComposePanel::currentAccountId() const
{
    return m_account->currentData().toString();
}

Account ComposePanel::currentAccount() const
{
    const QString id = currentAccountId();
    for (const Account &a : m_accounts) {
        if (a.id == id)
            return a;
    }
    return {};
}

void ComposePanel::setPromptHistory(const QStringList &newestFirst)
{
    m_prompt->setHistory(newestFirst);
}

QString ComposePanel::currentType() const
{
    return m_type->currentData().toString();
}

bool ComposePanel::setCurrentType(const QString &name)
{
    const int index = m_type->findData(name);
    if (index < 0)
        return false;
    m_type->setCurrentIndex(index);
    return true;
}

QStringList ComposePanel::offeredTypes() const
{
    QStringList types;
    for (int i = 0; i < m_type->count(); ++i)
        types.append(m_type->itemData(i).toString());
    return types;
}

void ComposePanel::applyCapabilities()
{
    const Account account = currentAccount();
    const ProviderAdapter *adapter = m_providers.adapter(account.family);
    m_caps = adapter ? adapter->capabilities(account) : Capabilities();
    m_extras = familyExtras(account.family);
    {
        const QSignalBlocker block(m_type);
        const QString previous = currentType();
        m_type->clear();
        for (GenerateType t : std::as_const(m_caps.generateTypes))
            m_type->addItem(typeLabel(generateTypeName(t)), generateTypeName(t));
        for (OperationKind k : {OperationKind::Describe, OperationKind::Blend, OperationKind::Shorten}) {
            if (m_caps.supports(k))
                m_type->addItem(typeLabel(operationKindName(k)), operationKindName(k));
        }
        const int keep = m_type->findData(previous);
        m_type->setCurrentIndex(keep >= 0 ? keep : 0);
        m_type->setEnabled(m_type->count() > 1);
    }
    fillChoices(m_aspect, m_caps.aspectRatios, tr("default (1:1)"));
    fillChoices(m_version, m_caps.versions, tr("default"));
    fillChoices(m_speed, m_caps.speeds, tr("default"));
    fillChoices(m_dimensions, m_extras.blendDimensions, tr("default (square)"));
    fillChoices(m_motion, m_extras.videoMotions, tr("default"));
    QStringList batches;
    for (int b : std::as_const(m_extras.videoBatches))
        batches.append(QString::number(b));
    fillChoices(m_batch, batches, tr("default (1)"));
    m_chaos->setRange(m_caps.chaos);
    m_stylize->setRange(m_caps.stylize);
    m_weird->setRange(m_caps.weird);
    m_omniWeight->setRange(m_caps.omniWeight);
    m_refs->setLocalFilesAccepted(
        m_extras.localReferences,
        tr("references: %1 takes image URLs (https://…), not files — upload the image and add its link")
            .arg(account.family));
    m_generate->setEnabled(adapter != nullptr);
    applyType();
}

void ComposePanel::applyType()
{
    const QString key = currentType();
    const std::optional<GenerateType> gen = generateTypeFromName(key);
    const bool describe = key == operationKindName(OperationKind::Describe);
    const bool blend = key == operationKindName(OperationKind::Blend);
    const bool shorten = key == operationKindName(OperationKind::Shorten);
    const bool omni = gen == GenerateType::Omni;
    const bool video = isVideo(gen);

    m_promptLabel->setVisible(!describe && !blend);
    m_prompt->setVisible(!describe && !blend);
    m_prompt->setPlaceholderText(shorten ? tr("A long prompt to make shorter…")
                                         : tr("Describe the image… e.g. a red fox in a snowy forest at dawn "
                                              "--ar 16:9"));
    const bool refs = describe || blend || (gen && *gen != GenerateType::Text);
    m_refsLabel->setVisible(refs);
    m_refs->setVisible(refs);
    const int most = std::max(1, m_caps.maxReferences);
    if (blend)
        m_refs->setLimits(2, std::min(kBlendMax, std::max(2, most)));
    else if (describe || omni || video)
        m_refs->setLimits(1, 1);
    else
        m_refs->setLimits(1, most);

    // "default" means "not sent" unless the family requires the field: then the value that is sent.
    const auto defaultLabel = [&gen](const QMap<GenerateType, QString> &sent) {
        return gen && sent.contains(*gen) ? tr("default (%1)").arg(sent.value(*gen)) : tr("default");
    };
    m_version->setItemText(0, defaultLabel(m_caps.versionWhenUnset));
    m_speed->setItemText(0, defaultLabel(m_caps.speedWhenUnset));
    m_motion->setItemText(0, defaultLabel(m_caps.motionWhenUnset));

    m_params->setRowVisible(m_dimensions, blend && !m_extras.blendDimensions.isEmpty());
    m_params->setRowVisible(m_aspect, gen && !m_caps.aspectRatios.isEmpty());
    m_params->setRowVisible(m_version, gen && !m_caps.versions.isEmpty());
    // PROVIDERS.md §1: speed is not used for video and omni reference.
    m_params->setRowVisible(m_speed, gen && !m_caps.speeds.isEmpty() && !video && !omni);
    m_params->setRowVisible(m_chaos, gen && m_caps.chaos.supported);
    m_params->setRowVisible(m_stylize, gen && m_caps.stylize.supported);
    m_params->setRowVisible(m_weird, gen && m_caps.weird.supported);
    m_params->setRowVisible(m_omniWeight, omni && m_caps.omniWeight.supported);
    m_params->setRowVisible(m_motion, video && !m_extras.videoMotions.isEmpty());
    m_params->setRowVisible(m_batch, video && !m_extras.videoBatches.isEmpty());
    m_params->setRowVisible(m_watermark, gen && m_extras.watermark);
    m_params->setRowVisible(m_translate, gen && m_extras.translate);

    m_generate->setText(describe      ? tr("Describe")
                            : blend   ? tr("Blend")
                            : shorten ? tr("Shorten")
                                      : tr("Generate"));
    m_error->hide();
    // The fields were refilled for this account and type: the prompt's flags fill them again.
    m_flags->setStrictValues(!m_extras.promptAsTyped);
    m_flags->fromPrompt();
    refreshCost();
    updateGenerate();
}

void ComposePanel::updateGenerate()
{
    const QString key = currentType();
    const bool needsPrompt = key == operationKindName(OperationKind::Shorten) || generateTypeFromName(key);
    QString why;
    if (needsPrompt && m_prompt->prompt().isEmpty())
        why = tr("Write a prompt first");
    else if (needsPrompt && !m_flags->problems().isEmpty())
        why = tr("Fix the prompt first: %1").arg(m_flags->problems().first());
    m_generate->setEnabled(why.isEmpty());
    m_generate->setToolTip(why.isEmpty()
                               ? tr("Send the request (Ctrl+Enter in the prompt; then Esc takes the "
                                    "keyboard to the images)")
                               : why);
}

void ComposePanel::refreshCost()
{
    const Account account = currentAccount();
    const bool video = isVideo(generateTypeFromName(currentType()));
    const int pending = m_refs->isHidden() ? 0 : m_refs->pendingCount();
    if (pending > 0)
        m_cost->setText(pending == 1 ? tr("Reading 1 image…") : tr("Reading %1 images…").arg(pending));
    else if (account.isDemo())
        m_cost->setText(tr("Free — generated offline"));
    else if (video && m_extras.videoRequests > 0)
        m_cost->setText(tr("%1 requests").arg(m_extras.videoRequests));
    else
        m_cost->setText(tr("1 request"));
    m_generate->setEnabled(pending == 0 && m_providers.adapter(account.family) != nullptr);
}

Operation ComposePanel::operation() const
{
    const QString key = currentType();
    const auto shown = [this](QWidget *field) { return m_params->isRowVisible(field); };
    Operation op;
    if (key == operationKindName(OperationKind::Describe)) {
        op.kind = OperationKind::Describe;
        op.references = m_refs->references();
        op.referenceNames = m_refs->names();
        return op;
    }
    if (key == operationKindName(OperationKind::Blend)) {
        op.kind = OperationKind::Blend;
        op.references = m_refs->references();
        op.referenceNames = m_refs->names();
        if (shown(m_dimensions))
            op.dimensions = m_dimensions->currentData().toString();
        return op;
    }
    if (key == operationKindName(OperationKind::Shorten)) {
        op.kind = OperationKind::Shorten;
        op.prompt = m_prompt->prompt();
        return op;
    }
    op = Operation::imagine(m_prompt->prompt());
    op.type = generateTypeFromName(key).value_or(GenerateType::Text);
    if (op.type != GenerateType::Text) {
        op.references = m_refs->references();
        op.referenceNames = m_refs->names();
    }
    if (shown(m_aspect))
        op.aspectRatio = m_aspect->currentData().toString();
    if (shown(m_version))
        op.version = m_version->currentData().toString();
    if (shown(m_speed))
        op.speed = m_speed->currentData().toString();
    if (shown(m_chaos))
        op.chaos = m_chaos->value();
    if (shown(m_stylize))
        op.stylize = m_stylize->value();
    if (shown(m_weird))
        op.weird = m_weird->value();
    if (shown(m_omniWeight))
        op.omniWeight = m_omniWeight->value();
    if (shown(m_motion))
        op.motion = m_motion->currentData().toString();
    if (shown(m_batch) && !m_batch->currentData().toString().isEmpty())
        op.videoBatch = m_batch->currentData().toString().toInt();
    if (shown(m_watermark))
        op.watermark = m_watermark->text().trimmed();
    if (shown(m_translate) && m_translate->isChecked())
        op.translate = true;
    return op;
}

void ComposePanel::generate()
{
    const Operation op = operation();
    if ((op.kind == OperationKind::Imagine || op.kind == OperationKind::Shorten) && op.prompt.isEmpty()) {
        showError(tr("Write a prompt first."));
        m_prompt->setFocus();
        return;
    }
    if (!m_refs->isHidden()) {
        if (m_refs->pendingCount() > 0) {
            showError(tr("Still reading the reference images…"));
            return;
        }
        if (m_refs->count() < m_refs->minimum()) {
            showError(m_refs->minimum() == 1 ? tr("references: %1 needs an image").arg(m_type->currentText())
                                             : tr("references: %1 needs at least %2 images")
                                                   .arg(m_type->currentText())
                                                   .arg(m_refs->minimum()));
            m_refs->listWidget()->setFocus();
            return;
        }
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

void ComposePanel::usePrompt(const QString &prompt)
{
    const QString key = currentType();
    if (!generateTypeFromName(key) && !setCurrentType(generateTypeName(GenerateType::Text))
        && m_type->count() > 0)
        m_type->setCurrentIndex(0);
    m_prompt->setPlainText(prompt);
    m_prompt->moveCursor(QTextCursor::End);
    m_prompt->setFocus();
}

bool ComposePanel::setOperation(const Operation &op, const QString &accountId)
{
    if (const int index = m_account->findData(accountId); index >= 0)
        m_account->setCurrentIndex(index); // applies the family's capabilities
    const bool special = op.kind == OperationKind::Describe || op.kind == OperationKind::Blend
        || op.kind == OperationKind::Shorten;
    const bool typeSet = setCurrentType(special ? operationKindName(op.kind) : generateTypeName(op.type));
    const auto choose = [](QComboBox *box, const QString &value) {
        const int index = box->findData(value);
        box->setCurrentIndex(index >= 0 ? index : 0);
    };
    m_prompt->setPlainText(op.prompt);
    m_refs->clear();
    for (const QString &ref : op.references)
        m_refs->addReference(ref);
    choose(m_aspect, op.aspectRatio);
    choose(m_version, op.version);
    choose(m_speed, op.speed);
    choose(m_dimensions, op.dimensions);
    choose(m_motion, op.motion);
    choose(m_batch, op.videoBatch ? QString::number(*op.videoBatch) : kDefault);
    m_chaos->setValue(op.chaos);
    m_stylize->setValue(op.stylize);
    m_weird->setValue(op.weird);
    m_omniWeight->setValue(op.omniWeight);
    m_watermark->setText(op.watermark);
    m_translate->setChecked(op.translate.value_or(false));
    m_error->hide();
    refreshCost();
    m_prompt->moveCursor(QTextCursor::End);
    return typeSet;
}

} // namespace tessera::ui
