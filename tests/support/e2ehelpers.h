#pragma once

// What the end-to-end tests of every family (tests/core/tst_e2e_*.cpp) used to write out each for itself:
// the bytes a fake server serves, the checks that a stored history survived and that the key went only
// where it should, and the rig that keeps one history for all rows of a data-driven test.

#include "e2eenv.h"
#include "model/imageref.h"
#include "model/task.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSize>
#include <QString>
#include <QTest>

#include <functional>
#include <memory>

// Stops the calling test function when a check failed in a helper it called (Qt Test's macros return
// from the helper only).
#define VERIFY_OK(call)                                                                                      \
    do {                                                                                                     \
        call;                                                                                                \
        if (QTest::currentTestFailed())                                                                      \
            return;                                                                                          \
    } while (false)

namespace tessera::test::e2e {

// "Bearer <E2EEnv::kKey>": the key as the families that take a Bearer token expect it.
QByteArray bearer();

QString sha256(const QByteArray &bytes);
QByteArray readAll(const QString &path);

// A valid PNG header declaring `side`×`side` RGB pixels, followed by a token of image data: a decoder
// without an allocation limit would try to allocate gigabytes.
QByteArray hugePng(quint32 side = 30000);

// E2EEnv::png of `size` in a colour picked by `shade`, encoded once per process: encoding a large PNG is
// the slowest step of a fake task.
QByteArray cachedPng(QSize size, int shade);

// The images of `task` with `role`, in index order (the engine stores them sorted).
QList<ImageRef> imagesOf(const Task &task, ImageRole role);

// `when` as an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"), for Retry-After headers.
QByteArray httpDate(const QDateTime &when);

// A succeeded imagine already in the history: every failure test checks that it survives untouched.
Task baseline(E2EEnv &env);

// `before` (a succeeded task) is still stored as it was: same images, each file with its hash.
void verifyKept(E2EEnv &env, const Task &before);

// Every request to the API carried the key as "Bearer <key>"; no result download under /files/ carried
// an Authorization header.
void verifyBearerOnApiOnly(const FakeHttpServer &server);

// One history for all rows of a data-driven test: a fresh script of the fake server for every row, and a
// succeeded task stored once (`kept`) that every row checks is still intact. `Fake` is a family's fake
// server: constructed on an E2EEnv, with `jobs`, `files` and `sizes` that it remembers across rows.
//
//   using Rig = RowRig<FakeKie>;
//   Rig m_rig;
//   Rig &rig() { return m_rig.next(QStringLiteral("kie")); }
//   void cleanupTestCase() { m_rig.reset(); }
template<typename Fake> struct RowRig
{
    QByteArray function;
    std::unique_ptr<E2EEnv> env;
    std::unique_ptr<Fake> fake;
    Task kept;

    // The rig of the running test function, made anew (and `prepare` run on its first fake, before the
    // baseline task) when the function changes; the fake is scripted afresh for every row.
    RowRig &next(const QString &family, const std::function<void(Fake &)> &prepare = {})
    {
        const QByteArray current(QTest::currentTestFunction());
        if (!env || function != current) {
            fake.reset();
            env.reset();
            function = current;
            env = std::make_unique<E2EEnv>(family);
            fake = std::make_unique<Fake>(*env);
            if (prepare)
                prepare(*fake);
            kept = baseline(*env);
        }
        // The server remembers its tasks and files; the routes and any answers a row left queued go.
        const auto jobs = fake->jobs;
        const auto files = fake->files;
        const auto sizes = fake->sizes;
        fake.reset();
        fake = std::make_unique<Fake>(*env);
        fake->jobs = jobs;
        fake->files = files;
        fake->sizes = sizes;
        return *this;
    }

    void reset()
    {
        fake.reset();
        env.reset();
    }
};

} // namespace tessera::test::e2e
