#pragma once

#include "appcore.h"

#include <QStringList>
#include <QTextStream>

#include <memory>

namespace tessera::cli {

// tessera-cli: the commands of PRODUCT.md over the same core, database and archive as the GUI.
// Exit status: 0 success; 1 the task failed, was cancelled, is unfinished or some images could not be
// saved (the vendor's message on stderr); 2 bad usage; 3 Tessera's data could not be opened.
class Cli
{
public:
    enum Exit { Ok = 0, TaskFailed = 1, Usage = 2, DataError = 3 };

    Cli(QTextStream &out, QTextStream &err, AppCore::Options options);
    ~Cli();

    int run(const QStringList &arguments); // arguments[0] is the program name

private:
    int imagine(const QStringList &args);
    int action(OperationKind kind, const QStringList &args);
    int status(const QStringList &args);
    int wait(const QStringList &args);
    int cancel(const QStringList &args);
    int check(const QStringList &args);
    int history(const QStringList &args);
    int accounts(const QStringList &args);
    int help(const QString &topic = {});

    bool openCore();
    // The task named on the command line (id, id prefix or remote id), or an error printed.
    std::optional<Task> findTask(const QString &key);
    // Runs the event loop until the task is submitted (`untilEnd` false) or has ended.
    Task follow(const QString &taskId, bool untilEnd, bool quiet);
    int report(const Task &task, bool json, bool untilEnd);
    void printTask(const Task &task, bool json);
    int fail(const QString &message, int code);

    QTextStream &m_out;
    QTextStream &m_err;
    AppCore::Options m_options;
    std::unique_ptr<AppCore> m_core;
};

} // namespace tessera::cli
