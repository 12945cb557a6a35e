#include "provideradapter.h"

#include "common/vendorjson.h"
#include "model/promptflags.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace tessera {

namespace {

int secondsToMs(double seconds)
{
    return static_cast<int>(std::lround(seconds * 1000.0));
}

} // namespace

PollPolicy PollPolicy::withOverrides(const Account &account) const
{
    PollPolicy p = *this;
    const double first = account.numberOption(QStringLiteral("first-poll"), -1);
    if (first >= 0)
        p.firstPollMs = secondsToMs(first);
    const double interval = account.numberOption(QStringLiteral("poll-interval"), -1);
    if (interval > 0) {
        // A user who sets the interval means that interval: no family back-off on top of it.
        p.intervalMs = secondsToMs(interval);
        p.maxIntervalMs = p.intervalMs;
    }
    const double timeout = account.numberOption(QStringLiteral("timeout"), -1);
    if (timeout > 0)
        p.timeoutMs = static_cast<qint64>(std::llround(timeout * 1000.0));
    const double maxPolls = account.numberOption(QStringLiteral("max-polls"), -1);
    if (maxPolls >= 0)
        p.maxPolls = static_cast<int>(maxPolls);
    return p;
}

Result<Operation> ProviderAdapter::normalize(const Operation &op) const
{
    if (isAction(op.kind) && op.prompt.isEmpty())
        return op;
    return liftPromptFlags(op);
}

Result<HttpCall> ProviderAdapter::buildModal(const Operation &, const SubmitContext &, const QString &) const
{
    return Error::make(
        Error::Kind::Unsupported,
        QCoreApplication::translate("ProviderAdapter", "%1 asked for a follow-up Tessera cannot send")
            .arg(displayName()));
}

std::optional<Availability> parentNotReady(const Task *parent, const QString &noId)
{
    if (!parent)
        return Availability::no(
            QCoreApplication::translate("ProviderAdapter", "Select a finished task first"));
    if (parent->state != TaskState::Succeeded)
        return Availability::no(
            QCoreApplication::translate("ProviderAdapter", "The task has not finished yet"));
    if (!noId.isEmpty() && parent->remoteId.isEmpty())
        return Availability::no(noId);
    return std::nullopt;
}

std::optional<QString> ProviderAdapter::remixPrompt(const Operation &, const SubmitContext &) const
{
    return std::nullopt;
}

std::optional<HttpCall> ProviderAdapter::buildCancel(const QString &, const Account &) const
{
    return std::nullopt;
}

Availability ProviderAdapter::cancelAvailability(const Task &task, const Account &account) const
{
    if (task.state == TaskState::Queued || capabilities(account).serverCancel)
        return Availability::yes();
    return Availability::maybe(
        QCoreApplication::translate("ProviderAdapter",
                                    "%1 cannot cancel on its side: Tessera stops asking, "
                                    "but the task may still finish and be charged")
            .arg(displayName()));
}

Status ProviderAdapter::parseCancel(const HttpResponse &response) const
{
    if (response.isSuccess())
        return {};
    QString message = QString::fromUtf8(response.body.left(500)).simplified();
    if (message.isEmpty())
        message = QCoreApplication::translate("ProviderAdapter", "HTTP %1").arg(response.status);
    return Error::make(
        Error::Kind::InvalidRequest,
        QCoreApplication::translate("ProviderAdapter", "The server did not cancel the task: %1").arg(message),
        response.status);
}

Result<QMap<QString, TaskSnapshot>> ProviderAdapter::readBatchStatus(const HttpResponse &) const
{
    return Error::make(
        Error::Kind::Unsupported,
        QCoreApplication::translate("ProviderAdapter", "%1 has no batch status").arg(displayName()));
}

HttpCall ProviderAdapter::buildConnectionTest(const Account &account) const
{
    // An id no vendor ever issues: the answer is "not found" with a good key, 401/403 with a bad one.
    return buildStatus(QStringLiteral("tessera-connection-test-0000"), account);
}

ConnectionReport ProviderAdapter::parseConnectionTest(const Result<HttpResponse> &response) const
{
    using Verdict = ConnectionReport::Verdict;
    if (!response)
        return {Verdict::Unreachable, response.error().message};
    const HttpResponse &r = *response;
    const QString said = http::excerpt(r.body);
    if (r.status == 401 || r.status == 403) {
        const auto json = vendor::parseObject(r);
        const QString message = json
            ? vendor::firstString(*json, {"message", "msg", "err", "description", "error"})
            : QString();
        return {Verdict::KeyRejected, message.isEmpty() ? said : message};
    }
    const auto json = vendor::parseObject(r);
    if (!json)
        return {Verdict::NotThisApi, json.error().message};
    return {Verdict::KeyAccepted, vendor::firstString(*json, {"message", "msg", "description"})};
}

} // namespace tessera
