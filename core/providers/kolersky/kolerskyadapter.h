#pragma once

#include "providers/provideradapter.h"

namespace tessera::kolersky {

// The kolersky-style family (PROVIDERS.md §1): JSON parameters under /v1/midjourney/..., one status
// endpoint for every task, Bearer auth, a 2x2 grid per image result. Tiles are the vendor's 1..4 as they
// are Tessera's. Pan, zoom (outpaint) and vary region (inpaint) act on an upscale's id, so the planner
// chains a U first when they are asked on a grid tile (§1 Decisions).
class KolerskyAdapter final : public ProviderAdapter
{
public:
    QString family() const override;
    QString displayName() const override;
    Capabilities capabilities(const Account &account) const override;
    Availability availability(const Operation &op, const Task *parent, const Account &account) const override;
    Status validate(const Operation &op, const Account &account) const override;
    Result<HttpCall> buildSubmit(const Operation &op, const SubmitContext &context) const override;
    Result<SubmitOutcome> parseSubmit(const Operation &op, const HttpResponse &response) const override;
    HttpCall buildStatus(const QString &remoteId, const Account &account) const override;
    Result<TaskSnapshot> parseStatus(const HttpResponse &response) const override;
    std::optional<HttpCall> buildCancel(const QString &remoteId, const Account &account) const override;
    Status parseCancel(const HttpResponse &response) const override;
    Availability cancelAvailability(const Task &task, const Account &account) const override;
    PollPolicy pollPolicy(const Operation &op, const Account &account) const override;
    ConnectionReport parseConnectionTest(const Result<HttpResponse> &response) const override;
    bool needsSingleImage(const Operation &op) const override;
};

} // namespace tessera::kolersky
