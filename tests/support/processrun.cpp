#include "processrun.h"

#include <QDeadlineTimer>
#include <QTest>

namespace tessera::test {

QString ProcessRun::describe() const
{
    return QStringLiteral("exit %1%2\nstdout: %3\nstderr: %4")
        .arg(exitCode)
        .arg(crashed ? QStringLiteral(" (crashed)") : QString())
        .arg(QString::fromUtf8(out.left(2000)), QString::fromUtf8(err));
}

ProcessRun finishProcess(QProcess &process, int timeoutMs)
{
    ProcessRun run;
    const QDeadlineTimer deadline(timeoutMs);
    while (process.state() != QProcess::NotRunning && !deadline.hasExpired())
        QTest::qWait(5);
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished(5000);
        QTest::qFail(qPrintable(QStringLiteral("%1 %2 did not end within %3 s")
                                    .arg(process.program(), process.arguments().join(QLatin1Char(' ')))
                                    .arg(timeoutMs / 1000)),
                     __FILE__, __LINE__);
        run.crashed = true;
        run.err = process.readAllStandardError();
        return run;
    }
    run.crashed = process.exitStatus() != QProcess::NormalExit;
    run.exitCode = run.crashed ? -1 : process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    if (run.err.contains("runtime error:") || run.err.contains("Sanitizer"))
        QTest::qFail(qPrintable(QStringLiteral("sanitizer report: ") + run.describe()), __FILE__, __LINE__);
    return run;
}

ProcessRun runProcess(const QString &program, const QStringList &arguments,
                      const QProcessEnvironment &environment, const QString &workingDirectory,
                      const QByteArray &input, int timeoutMs)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    if (!process.waitForStarted(timeoutMs)) {
        QTest::qFail(qPrintable(QStringLiteral("cannot start %1: %2").arg(program, process.errorString())),
                     __FILE__, __LINE__);
        return {};
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    return finishProcess(process, timeoutMs);
}

} // namespace tessera::test
