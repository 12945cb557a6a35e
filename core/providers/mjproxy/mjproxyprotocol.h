#pragma once

#include "model/httpcall.h"
#include "model/operation.h"
#include "model/result.h"
#include "providers/provideradapter.h"

#include <QJsonObject>
#include <QMap>

// Reading midjourney-proxy's answers (PROVIDERS.md §4): the submit envelope {code, description, result,
// properties} and the task object of /fetch and /list-by-condition.
namespace tessera::mjproxy {

// A submit, modal or image-seed answer. Codes: 1 submitted, 21 waits for /submit/modal, 22 queued (as
// submitted), 23 queue full (RateLimited), 24 banned prompt (ContentRejected, naming the banned word),
// 3 NotFound, 4 InvalidRequest, 9 ServerError, others BadResponse; `description` verbatim. A seed answer
// comes back as SubmitOutcome::immediate.
Result<SubmitOutcome> readSubmit(const Operation &op, const HttpResponse &response);

// A /fetch answer. An empty or `null` body (novicezk's answer for an id it does not know) is NotFound.
Result<TaskSnapshot> readStatus(const HttpResponse &response);

// One task object, as found in /fetch and /list-by-condition answers.
Result<TaskSnapshot> readTask(const QJsonObject &task, const HttpResponse &response);

// A /list-by-condition answer: the task objects that could be read, by id; others are left out.
Result<QMap<QString, TaskSnapshot>> readBatch(const HttpResponse &response);

// A /cancel answer: code 1, or a 2xx answer without a code, is a yes.
Status readCancel(const HttpResponse &response);

// The vendor's own words in an answer: description, message, msg, error or error.message.
QString vendorMessage(const QJsonObject &body);

} // namespace tessera::mjproxy
