#pragma once

#include "providers/provideradapter.h"

namespace tessera::demo {

// The built-in offline family. Translates operations into the demo backend's small protocol (see
// DemoBackend) exactly as the real adapters translate into theirs, so the demo exercises the same
// engine, states, persistence and archive. Offers imagine, U1–U4, V1–V4, reroll and vary region.
//
// Vary region (OperationKind::Inpaint) works on a grid tile (1-4) or on an upscale (tile 0) directly,
// with no upscale first (unlike kolersky and mjproxy). The mask is fitted to the source image's pixel
// size when the parent task records it (PROVIDERS.md "Mask PNGs everywhere") and sent as raw base64 in
// `mask`, with the region's prompt, when given, in `prompt`.
class DemoAdapter final : public ProviderAdapter
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
    PollPolicy pollPolicy(const Operation &op, const Account &account) const override;
    bool resubmitIsSafe() const override { return true; }
};

} // namespace tessera::demo
