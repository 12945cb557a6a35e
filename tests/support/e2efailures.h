#pragma once

// The failure table every family's end-to-end test shares (tests/core/tst_e2e_*): what a fake server does
// instead of answering well (an HTTP status, a body, a hang, a dropped connection, ...) and what the user
// must then see (the Error kind, the HTTP status, a part of the message, the image's state). A row here
// holds for every family, because what it exercises lies below the vendor's protocol (HttpClient, the
// engine, vendor/json parsing, the Downloader and the archive). Each family's test runs these rows first
// and adds its own (the vendor's envelopes, codes and words) as rows of the same type:
//
//   void submitFailures_data()
//   {
//       e2e::addColumn<e2e::SubmitFailure>();
//       e2e::addRows(e2e::submitFailures());
//       e2e::addRow(e2e::SubmitFailure {.name = "401", .answer = vendorAnswer(401, ...), ...});
//   }
//   void submitFailures()
//   {
//       QFETCH(e2e::SubmitFailure, row);
//       ... serve *row.answer to the submit, run the task ...
//       VERIFY_OK(e2e::verifySubmitError(t.error, row));
//   }

#include "fakehttpserver.h"
#include "model/error.h"
#include "model/imageref.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QTest>

#include <optional>

namespace tessera::test::e2e {

// A submit that fails: the task fails at once, the submit is never sent twice (it may have created, and
// charged, the task), nothing is polled.
struct SubmitFailure
{
    QByteArray name;
    // What the server answers to the submit; std::nullopt: the family's fake refuses by itself (the row
    // says how in the family's own columns).
    std::optional<Answer> answer;
    Error::Kind kind = Error::Kind::BadResponse;
    std::optional<int> httpStatus; // Error::httpStatus (0: no answer came); std::nullopt: not checked
    std::optional<QString> vendorCode; // Error::vendorCode (empty: none); std::nullopt: not checked
    QString message; // the whole message, verbatim; empty: any message that says something
    QString contains; // a part of the message; empty: not checked
};

// Status answers that a retry gets past: the task still succeeds with every image stored.
struct StatusHiccup
{
    QByteArray name;
    QList<Answer> answers; // served in turn to the status checks, before the fake's own answers
    int minGapMs = 0; // at least this long between the first scripted answer and the next check
};

// A result file that cannot be stored: that image says why, the task still succeeds (with the other
// images stored) and its error names what was missed.
struct DownloadFailure
{
    QByteArray name;
    Answer answer; // served instead of the file
    ImageState imageState = ImageState::Failed;
    Error::Kind taskKind = Error::Kind::Io; // the task's error (NotFound when every miss expired)
    QString words; // in the image's error; empty: not checked
};

// A task the server never finishes, cut off by the account option `option` = `value`: unfinished, not
// failed, with a message starting with `message`; "check" later resumes it.
struct PollCap
{
    QByteArray name;
    QString option;
    QString value;
    QString message;
};

// A 429 with Retry-After on the submit: as HTTP status or in the vendor's envelope under HTTP 200, the
// deadline as seconds or as an HTTP date. The family sends its own 429 answer.
struct RateLimit
{
    QByteArray name;
    int httpStatus = 429;
    bool httpDate = false;
};

} // namespace tessera::test::e2e

Q_DECLARE_METATYPE(tessera::test::Answer)
Q_DECLARE_METATYPE(tessera::test::e2e::SubmitFailure)
Q_DECLARE_METATYPE(tessera::test::e2e::StatusHiccup)
Q_DECLARE_METATYPE(tessera::test::e2e::DownloadFailure)
Q_DECLARE_METATYPE(tessera::test::e2e::PollCap)
Q_DECLARE_METATYPE(tessera::test::e2e::RateLimit)

namespace tessera::test::e2e {

// The rows every family shares.
QList<SubmitFailure> submitFailures();
QList<StatusHiccup> statusHiccups();
QList<DownloadFailure> downloadFailures();
QList<PollCap> pollCaps();
QList<RateLimit> rateLimits();

// True for the rows where no answer came at all (a hang, a dropped connection): Timeout and Network.
bool neverAnswered(const SubmitFailure &row);

// A data-driven test over rows of one of these types: one column, named "row" (QFETCH(Row, row)).
template<typename Row> void addColumn()
{
    QTest::addColumn<Row>("row");
}

template<typename Row> void addRow(const Row &row)
{
    QTest::newRow(row.name.constData()) << row;
}

template<typename Row> void addRows(const QList<Row> &rows)
{
    for (const Row &row : rows)
        addRow(row);
}

// `error` is what `row` expects: the kind, and the HTTP status, vendor code and words the row names.
void verifySubmitError(const std::optional<Error> &error, const SubmitFailure &row);

// `image` (whose download `row` spoiled) and `taskError` say what the row expects.
void verifyDownloadError(const ImageRef &image, const std::optional<Error> &taskError,
                         const DownloadFailure &row);

} // namespace tessera::test::e2e
