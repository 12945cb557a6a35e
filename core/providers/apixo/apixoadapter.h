#pragma once

#include "providers/provideradapter.h"

namespace tessera::apixo {

// The apixo-style family (PROVIDERS.md §2): one submit endpoint whose `input.mode` says what to do
// (text-to-image, image-to-image, upload-paint, vary, upscale), one status endpoint, Bearer auth and a
// {code, message, data} envelope. Results are four separate images (Tile 1..4) or one upscale, so every
// action works directly on a grid tile: nothing needs a U first. The vendor's spellings live in
// apixoprotocol.h (namespace wire).
class ApixoAdapter final : public ProviderAdapter
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
    PollPolicy pollPolicy(const Operation &op, const Account &account) const override;
    ConnectionReport parseConnectionTest(const Result<HttpResponse> &response) const override;
    // apixo returns four separate images with their own URLs and takes an index on vary and upscale,
    // so no operation has to run on an upscale first (PROVIDERS.md §2, §5).
    bool needsSingleImage(const Operation &op) const override;
};

} // namespace tessera::apixo
