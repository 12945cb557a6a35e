#pragma once

#include "providers/provideradapter.h"

namespace tessera::kie {

// The kie.ai-style family (PROVIDERS.md §3): `/api/v1/mj/...` with a {code, msg, data} envelope, four
// separate images per generation, U/V by index, image-to-video and video extension; no pan, zoom, inpaint,
// reroll, seed or cancel. Pure: builds calls and reads answers (ARCHITECTURE.md, "Adapters are pure").
//
// The code is split by idea: kieadapter.cpp says what the family offers and accepts, kierequests.cpp
// builds the calls, kieanswers.cpp reads the answers; kieprotocol.h holds the vendor's names they share.
class KieAdapter final : public ProviderAdapter
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
    // kie may answer HTTP 200 with envelope code 401 for a bad key.
    ConnectionReport parseConnectionTest(const Result<HttpResponse> &response) const override;
};

} // namespace tessera::kie
