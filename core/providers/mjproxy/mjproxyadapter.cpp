#include "mjproxyadapter.h"

#include "mjproxybuttons.h"
#include "mjproxyforecast.h"
#include "mjproxyprotocol.h"
#include "model/promptflags.h"
#include "providers/common/vendorjson.h"

#include <QCoreApplication>

namespace tessera::mjproxy {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MjproxyAdapter", text);
}

bool isGridParent(const Task &parent, const QJsonArray &buttons)
{
    return parent.isGrid() || hasGridButtons(buttons);
}

} // namespace

QString MjproxyAdapter::family() const
{
    return QStringLiteral("mjproxy");
}

QString MjproxyAdapter::displayName() const
{
    return QStringLiteral("midjourney-proxy");
}

Capabilities MjproxyAdapter::capabilities(const Account &) const
{
    Capabilities c;
    c.generateTypes = {GenerateType::Text, GenerateType::Image, GenerateType::Style, GenerateType::Omni};
    c.operations
        = {OperationKind::Imagine, OperationKind::Upscale,  OperationKind::Vary,    OperationKind::Reroll,
           OperationKind::Pan,     OperationKind::Zoom,     OperationKind::Inpaint, OperationKind::Seed,
           OperationKind::Animate, OperationKind::Describe, OperationKind::Blend,   OperationKind::Shorten};
    // Midjourney reads any whole-number ratio from the prompt; these are the ones offered in lists.
    c.aspectRatios
        = {QStringLiteral("1:2"), QStringLiteral("9:16"), QStringLiteral("2:3"), QStringLiteral("3:4"),
           QStringLiteral("5:6"), QStringLiteral("1:1"),  QStringLiteral("6:5"), QStringLiteral("4:3"),
           QStringLiteral("3:2"), QStringLiteral("16:9"), QStringLiteral("2:1")};
    c.versions
        = {QStringLiteral("7"),   QStringLiteral("6.1"),   QStringLiteral("6"),    QStringLiteral("5.2"),
           QStringLiteral("5.1"), QStringLiteral("niji6"), QStringLiteral("niji7")};
    // No per-task speed: the account's path prefix (/mj-fast, /mj-relax...) decides (PROVIDERS.md §4).
    c.speeds = {};
    c.chaos = {0, 100, 1, true};
    c.stylize = {0, 1000, 1, true};
    c.weird = {0, 3000, 1, true};
    c.omniWeight = {1, 1000, 1, true};
    c.maxPromptLength = 2000;
    c.maxReferences = 5;
    c.upscaleVariants
        = {QStringLiteral("subtle"), QStringLiteral("creative"), QStringLiteral("2x"), QStringLiteral("4x")};
    c.varyVariants = {QStringLiteral("subtle"), QStringLiteral("strong")};
    c.serverCancel = true;
    c.reportsProgress = true;
    // Signed Discord CDN URLs expire sooner than the 15 days of the other families (PROVIDERS.md,
    // "General rules"); a day is a safe bound for when to stop retrying a download.
    c.resultRetentionDays = 1;
    c.maskWire = Capabilities::MaskWire::DataUrlPng; // maskBase64 is a data URL (PROVIDERS.md §4)
    return c;
}

Availability MjproxyAdapter::availability(const Operation &op, const Task *parent,
                                          const Account &account) const
{
    if (op.kind == OperationKind::VideoExtend)
        return Availability::no(tr("midjourney-proxy has no video extend"));
    if (!capabilities(account).supports(op.kind))
        return Availability::no(tr("midjourney-proxy has no %1").arg(op.label()));
    if (!isAction(op.kind)) {
        if (op.kind == OperationKind::Imagine
            && (op.type == GenerateType::Video || op.type == GenerateType::VideoHd))
            return Availability::no(tr("midjourney-proxy makes videos with Animate on an upscaled image"));
        return Availability::yes();
    }
    if (const auto refused = parentNotReady(parent, tr("This task has no midjourney-proxy id")))
        return *refused;
    if (op.kind == OperationKind::Seed)
        return Availability::yes();

    const QJsonArray buttons = storedButtons(*parent);
    const bool grid = isGridParent(*parent, buttons);
    if (grid && needsSingleImage(op)) {
        // The planner runs (or reuses) the U of the tile first, then presses the button on the upscale
        // (PROVIDERS.md §4 Decisions); whether the upscale will offer it is known only then.
        if (op.tile < 1 || op.tile > 4)
            return Availability::no(tr("Select one of the four images (1-4)"));
        if (!hasUpscaleButton(buttons, op.tile))
            return Availability::no(
                tr("This result has no U%1 button, which %2 needs first").arg(op.tile).arg(buttonLabel(op)));
        // Whether the upscale will carry the button, from the grid's model version (issue 12): an action
        // the upscale cannot offer is not offered, since its U would be paid for nothing.
        const Forecast forecast = forecastOnUpscale(op, gridVersion(*parent));
        if (forecast.verdict == Forecast::Verdict::NotOffered)
            return Availability::no(forecast.why);
        if (forecast.verdict == Forecast::Verdict::Unsure)
            return Availability::maybe(
                tr("%1 runs on the upscale of image %2, so U%2 is made (and charged) first; %3")
                    .arg(buttonLabel(op))
                    .arg(op.tile)
                    .arg(forecast.why));
        return Availability::yes();
    }
    if (!grid) {
        // An upscaled image has no U/V buttons, only their variants.
        if (op.kind == OperationKind::Upscale && op.variant.isEmpty())
            return Availability::no(tr("This is already an upscaled image; choose a variant such as Subtle "
                                       "or Creative"));
        if (op.kind == OperationKind::Vary && op.variant.isEmpty())
            return Availability::no(tr("This is an upscaled image; choose Vary (Subtle) or Vary (Strong)"));
        if (op.tile != 0)
            return Availability::no(tr("This is a single image: act on it without choosing a tile"));
    }
    if (grid && (op.kind == OperationKind::Upscale || op.kind == OperationKind::Vary)
        && (op.tile < 1 || op.tile > 4))
        return Availability::no(tr("Select one of the four images (1-4)"));
    if (!findButton(op, buttons))
        return Availability::no(tr("This result has no %1 button").arg(buttonLabel(op)));
    return Availability::yes();
}

Result<Operation> MjproxyAdapter::normalize(const Operation &op) const
{
    // The prompt goes to Midjourney as typed (PROVIDERS.md §4): no flag is lifted into the fields. Flags
    // that cannot be read are still refused here, as the default normalize would.
    if (op.kind != OperationKind::Imagine)
        return op;
    const PromptFlags flags = PromptFlags::parse(op.prompt);
    if (!flags.problems.isEmpty())
        return Error::make(Error::Kind::InvalidRequest,
                           tr("prompt: %1").arg(flags.problems.join(QStringLiteral("; "))));
    return op;
}

Result<SubmitOutcome> MjproxyAdapter::parseSubmit(const Operation &op, const HttpResponse &response) const
{
    return readSubmit(op, response);
}

Result<TaskSnapshot> MjproxyAdapter::parseStatus(const HttpResponse &response) const
{
    return readStatus(response);
}

Status MjproxyAdapter::parseCancel(const HttpResponse &response) const
{
    return readCancel(response);
}

PollPolicy MjproxyAdapter::pollPolicy(const Operation &, const Account &account) const
{
    // PROVIDERS.md §6: first poll after 3 s, then every 3 s, for up to 10 minutes.
    PollPolicy p;
    p.firstPollMs = 3000;
    p.intervalMs = 3000;
    p.maxIntervalMs = 3000;
    p.maxPolls = 0;
    p.timeoutMs = 10LL * 60 * 1000;
    return p.withOverrides(account);
}

ConnectionReport MjproxyAdapter::parseConnectionTest(const Result<HttpResponse> &response) const
{
    using Verdict = ConnectionReport::Verdict;
    if (response && response->isSuccess()) {
        // novicezk answers an unknown id with an empty 200 (Spring's null): the key was accepted.
        const QByteArray body = response->body.trimmed();
        if (body.isEmpty() || body == "null")
            return {Verdict::KeyAccepted, {}};
    }
    if (response && response->status == 404) {
        // new-api gateways answer a path they do not route (a wrong prefix) with "Invalid URL (...)".
        const auto json = vendor::parseObject(*response);
        const QString message = json ? vendorMessage(*json) : QString();
        if (message.startsWith(QLatin1String("Invalid URL")))
            return {Verdict::NotThisApi, message};
    }
    if (response && (response->status == 401 || response->status == 403)) {
        const auto json = vendor::parseObject(*response);
        const QString message = json ? vendorMessage(*json) : http::excerpt(response->body);
        return {Verdict::KeyRejected, message};
    }
    return ProviderAdapter::parseConnectionTest(response);
}

bool MjproxyAdapter::needsSingleImage(const Operation &op) const
{
    // PROVIDERS.md §4: pan, zoom, vary region, upscale and vary variants, animate exist only on upscales.
    switch (op.kind) {
    case OperationKind::Pan:
    case OperationKind::Zoom:
    case OperationKind::Inpaint:
    case OperationKind::Animate:
        return true;
    case OperationKind::Upscale:
    case OperationKind::Vary:
        return !op.variant.isEmpty();
    default:
        return false;
    }
}

QString MjproxyAdapter::pathPrefix(const Account &account)
{
    QString prefix = account.option(QStringLiteral("prefix")).trimmed();
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    if (!prefix.isEmpty() && !prefix.startsWith(QLatin1Char('/')))
        prefix.prepend(QLatin1Char('/'));
    return prefix;
}

HttpCall::Auth MjproxyAdapter::authStyle(const Account &account)
{
    const QString style = account.option(QStringLiteral("auth")).trimmed().toLower();
    if (style == QLatin1String("raw"))
        return HttpCall::Auth::Raw;
    if (style == QLatin1String("mj-api-secret"))
        return HttpCall::Auth::MjApiSecret;
    return HttpCall::Auth::Bearer;
}

} // namespace tessera::mjproxy
