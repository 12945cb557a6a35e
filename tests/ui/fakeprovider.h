#pragma once

// A tiny provider family for UI tests: it offers what the demo does not (pan, zoom, vary region, seed,
// upscale variants, reference types, describe/blend/shorten) with ranges that have steps, and says
// "<family> has no <operation>" for the rest, as the real adapters do. It never builds a request.
#include "model/account.h"
#include "model/task.h"
#include "providers/provideradapter.h"

#include <QString>

namespace tessera::test {

class FakeAdapter final : public ProviderAdapter
{
public:
    explicit FakeAdapter(QString family = QStringLiteral("fake"))
        : m_family(std::move(family))
    { }

    QString family() const override { return m_family; }
    QString displayName() const override { return QStringLiteral("Fake"); }

    Capabilities capabilities(const Account &) const override
    {
        Capabilities c;
        c.generateTypes = {GenerateType::Text, GenerateType::Image, GenerateType::Omni, GenerateType::Video};
        c.operations = {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary,
                        OperationKind::Reroll,  OperationKind::Pan,     OperationKind::Zoom,
                        OperationKind::Inpaint, OperationKind::Seed,    OperationKind::Describe,
                        OperationKind::Blend,   OperationKind::Shorten, OperationKind::VideoExtend};
        c.aspectRatios = {QStringLiteral("1:1"), QStringLiteral("16:9")};
        c.versions = {QStringLiteral("7")};
        c.speeds = {QStringLiteral("fast")};
        c.chaos = {0, 100, 5, true};
        c.stylize = {0, 1000, 50, true};
        c.omniWeight = {1, 1000, 1, true};
        c.maxReferences = 5;
        c.upscaleVariants = {QStringLiteral("subtle"), QStringLiteral("creative")};
        return c;
    }

    Availability availability(const Operation &op, const Task *parent, const Account &account) const override
    {
        if (!capabilities(account).supports(op.kind))
            return Availability::no(QStringLiteral("%1 has no %2").arg(m_family, operationKindName(op.kind)));
        if (!isAction(op.kind))
            return Availability::yes();
        if (!parent)
            return Availability::no(QStringLiteral("Select a finished task first"));
        if (parent->state != TaskState::Succeeded)
            return Availability::no(QStringLiteral("The task has not finished yet"));
        if (op.kind == OperationKind::Upscale && op.variant.isEmpty() && !parent->isGrid())
            return Availability::no(QStringLiteral("This is already an upscaled single image"));
        return Availability::yes();
    }

    bool needsSingleImage(const Operation &op) const override
    {
        return op.kind == OperationKind::Pan || op.kind == OperationKind::Zoom
            || op.kind == OperationKind::Inpaint;
    }

    Status validate(const Operation &, const Account &) const override { return {}; }
    Result<HttpCall> buildSubmit(const Operation &, const SubmitContext &) const override
    {
        return Error::make(Error::Kind::Unsupported, QStringLiteral("the fake family sends nothing"));
    }
    Result<SubmitOutcome> parseSubmit(const Operation &, const HttpResponse &) const override
    {
        return Error::make(Error::Kind::Unsupported, QStringLiteral("the fake family sends nothing"));
    }
    HttpCall buildStatus(const QString &remoteId, const Account &) const override
    {
        return HttpCall::get(QStringLiteral("/fake/") + remoteId);
    }
    Result<TaskSnapshot> parseStatus(const HttpResponse &) const override
    {
        return Error::make(Error::Kind::Unsupported, QStringLiteral("the fake family sends nothing"));
    }
    PollPolicy pollPolicy(const Operation &, const Account &) const override { return {}; }

private:
    QString m_family;
};

inline Account fakeAccount(const QString &family = QStringLiteral("fake"),
                           const QString &id = QStringLiteral("acc"))
{
    Account a;
    a.id = id;
    a.family = family;
    a.name = QStringLiteral("test ") + family;
    return a;
}

} // namespace tessera::test
