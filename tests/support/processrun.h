#pragma once

// Running Tessera's own programs (tessera-cli, tessera-populate) from a test, the one way every test
// does it: what the process said and how it ended, with a test failure when it hangs or a sanitizer
// speaks.

#include <QByteArray>
#include <QProcess>
#include <QString>

namespace tessera::test {

struct ProcessRun
{
    int exitCode = -1; // -1 when the process crashed or never ended
    bool crashed = false;
    QByteArray out;
    QByteArray err;

    QString errText() const { return QString::fromUtf8(err); }
    // For QVERIFY2: the exit and both streams (stdout cut at 2,000 bytes).
    QString describe() const;
};

// Waits for a started `process` to end while the event loop runs (a fake server in the test's process
// may have to answer it). One that has not ended after `timeoutMs` is killed and fails the test. In
// sanitizer builds the program is sanitized too and a UBSan report does not change its exit status, so a
// report on stderr fails the test.
ProcessRun finishProcess(QProcess &process, int timeoutMs);

// Starts `program` with `arguments` in `environment` (and `workingDirectory` when given), writes `input`
// to its stdin and closes it, and finishes it as above. A program that does not start fails the test.
ProcessRun runProcess(const QString &program, const QStringList &arguments,
                      const QProcessEnvironment &environment, const QString &workingDirectory = {},
                      const QByteArray &input = {}, int timeoutMs = 120'000);

} // namespace tessera::test
