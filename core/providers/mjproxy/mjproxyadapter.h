#pragma once

#include "providers/provideradapter.h"

#include <QMap>
#include <QStringList>

namespace tessera::mjproxy {

// midjourney-proxy (novicezk, trueai-org) and the gateways built on it (PROVIDERS.md §4). Paths are
// {base}{prefix}/mj/...: the account option "prefix" picks the speed ("/mj-fast", "/relax", or empty for
// the account default) — speed is never chosen per task here. The account option "auth" picks the key
// header: bearer (default), raw, mj-api-secret.
//
// Parameters travel inside the prompt: the prompt is sent as typed and the structured fields the user set
// are appended as flags. Every action presses a button whose customId the parent task listed; Tessera
// never invents one. Actions that the server parks in MODAL (vary region, custom zoom, remix) are followed
// by /submit/modal with the prompt, the mask or "--zoom x".
class MjproxyAdapter final : public ProviderAdapter
{
public:
    QString family() const override;
    QString displayName() const override;
    Capabilities capabilities(const Account &account) const override;
    Availability availability(const Operation &op, const Task *parent, const Account &account) const override;
    Result<Operation> normalize(const Operation &op) const override;
    Status validate(const Operation &op, const Account &account) const override;
    Result<HttpCall> buildSubmit(const Operation &op, const SubmitContext &context) const override;
    Result<SubmitOutcome> parseSubmit(const Operation &op, const HttpResponse &response) const override;
    Result<HttpCall> buildModal(const Operation &op, const SubmitContext &context,
                                const QString &modalTaskId) const override;
    std::optional<QString> remixPrompt(const Operation &op, const SubmitContext &context) const override;
    HttpCall buildStatus(const QString &remoteId, const Account &account) const override;
    Result<TaskSnapshot> parseStatus(const HttpResponse &response) const override;
    std::optional<HttpCall> buildCancel(const QString &remoteId, const Account &account) const override;
    Status parseCancel(const HttpResponse &response) const override;
    PollPolicy pollPolicy(const Operation &op, const Account &account) const override;
    ConnectionReport parseConnectionTest(const Result<HttpResponse> &response) const override;
    bool needsSingleImage(const Operation &op) const override;

    // Batch polling (PROVIDERS.md §4 list-by-condition, §6): one POST for several tasks. The answer is a
    // list of task objects; the map holds the ones that could be read, by their id (tasks missing from it
    // are polled one by one).
    static HttpCall buildBatchStatus(const QStringList &remoteIds, const Account &account);
    static Result<QMap<QString, TaskSnapshot>> parseBatchStatus(const HttpResponse &response);
    std::optional<HttpCall> batchStatusCall(const QStringList &remoteIds,
                                            const Account &account) const override
    {
        return buildBatchStatus(remoteIds, account);
    }
    Result<QMap<QString, TaskSnapshot>> readBatchStatus(const HttpResponse &response) const override
    {
        return parseBatchStatus(response);
    }

    // The account's prefix as it goes into paths: "" or "/mj-fast" (a leading slash, no trailing one).
    static QString pathPrefix(const Account &account);
    static HttpCall::Auth authStyle(const Account &account);
};

} // namespace tessera::mjproxy
