#pragma once

#include "appcore.h"

#include <QStringList>
#include <QTextStream>

#include <memory>
#include <optional>

namespace tessera::cli {

struct Command;

// tessera-cli: the commands of PRODUCT.md over the same core, database and archive as the GUI.
// Exit status: 0 success; 1 the task failed, was cancelled, is unfinished or some images could not be
// saved (the vendor's message on stderr); 2 bad usage (including a task id that names no task); 3
// Tessera's data could not be opened; 130 interrupted (Ctrl+C) while waiting, the task goes on.
// stdout carries only results (with --json one compact JSON value per line); every error goes to stderr.
class Cli
{
public:
    enum Exit { Ok = 0, TaskFailed = 1, Usage = 2, DataError = 3, Interrupted = 130 };

    Cli(QTextStream &out, QTextStream &err, AppCore::Options options);
    ~Cli();

    int run(const QStringList &arguments); // arguments[0] is the program name

private:
    int imagine(const QStringList &args);
    int action(OperationKind kind, const QStringList &args);
    int fromImages(OperationKind kind, const QStringList &args);
    // An image URL fetched and turned into a data URL (describe and blend take base64 only).
    Result<QString> fetchImage(const QString &url, const Account &account);
    int status(const QStringList &args, const QString &usage);
    int wait(const QStringList &args);
    int cancel(const QStringList &args);
    int check(const QStringList &args);
    int history(const QStringList &args);
    int accounts(const QStringList &args);
    int mask(const QStringList &args); // maskcommands.cpp
    int accountsList(const QStringList &args);
    int accountsAdd(const QStringList &args);
    int accountsNamed(const QString &sub, const QStringList &args);
    // Applies TESSERA_API_KEY (when set) to `accountId` for this process only.
    void useEnvironmentKey(const QString &accountId);
    int help(const QString &topic = {});

    // Parses a sub-command's arguments: on --help prints its help, on bad usage (or a count of
    // positional arguments other than `positionals`, when not negative) prints `countError`. Returns
    // the exit code when the command ends here, nothing when it goes on.
    std::optional<int> parse(Command &cmd, const QStringList &args, qsizetype positionals,
                             const QString &countError);
    bool openCore();
    // The task named on the command line (id, id prefix or remote id); otherwise the error is printed
    // and `exitCode` says how to leave (Usage when nothing matches, DataError when it cannot be read).
    std::optional<Task> findTask(const QString &key, int &exitCode);
    // Runs the event loop until the task is submitted (`untilEnd` false) or has ended, or until Ctrl+C
    // (then m_interrupted is set and the task is returned as last seen).
    Task follow(const QString &taskId, bool untilEnd, bool quiet);
    int report(const Task &task, bool json, bool untilEnd);
    void printTask(const Task &task, bool json);
    int fail(const QString &message, int code);
    int interrupted(const Task &task);

    QTextStream &m_out;
    QTextStream &m_err;
    AppCore::Options m_options;
    std::unique_ptr<AppCore> m_core;
    bool m_interrupted = false;
};

} // namespace tessera::cli
