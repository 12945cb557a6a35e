#include "cli.h"
#include "command.h"

namespace tessera::cli {

// The commands that start, follow or stop tasks.

int Cli::imagine(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli imagine \"PROMPT\" [options]"));
    cmd.parser.addPositionalArgument(QStringLiteral("prompt"),
                                     tr("What to generate; --flags inside it are sent as written."));
    cmd.add(QStringLiteral("account"), tr("Account name (default: the default account)."),
            QStringLiteral("name"));
    cmd.add(QStringLiteral("type"), tr("text, image, style, omni, video or video-hd."),
            QStringLiteral("type"));
    cmd.add(QStringLiteral("ref"), tr("Reference image URL or file (repeatable)."), QStringLiteral("url"));
    cmd.add(QStringLiteral("ar"), tr("Aspect ratio, e.g. 16:9."), QStringLiteral("ratio"));
    cmd.add(QStringLiteral("version"), tr("Model version, e.g. 7, 6.1, niji6."), QStringLiteral("version"));
    cmd.add(QStringLiteral("speed"), tr("relaxed, fast or turbo."), QStringLiteral("speed"));
    cmd.add(QStringLiteral("chaos"), tr("0-100."), QStringLiteral("n"));
    cmd.add(QStringLiteral("stylize"), tr("0-1000."), QStringLiteral("n"));
    cmd.add(QStringLiteral("weird"), tr("0-3000."), QStringLiteral("n"));
    cmd.add(QStringLiteral("ow"), tr("Omni weight 1-1000."), QStringLiteral("n"));
    cmd.add(QStringLiteral("seed"), tr("Seed for reproducible results."), QStringLiteral("n"));
    cmd.add(QStringLiteral("wait"), tr("Wait until the task has ended and its images are saved."));
    if (const auto done
        = parse(cmd, args, 1, tr("imagine takes one prompt (quote it): tessera-cli imagine \"a red fox\"")))
        return *done;

    Operation op = Operation::imagine(cmd.positional().first());
    if (cmd.isSet("type")) {
        const auto type = generateTypeFromName(cmd.value("type"));
        if (!type)
            return fail(tr("--type: use text, image, style, omni, video or video-hd"), Usage);
        op.type = *type;
    }
    QString error;
    op.references = cmd.parser.values(QStringLiteral("ref"));
    op.aspectRatio = cmd.value("ar");
    op.version = cmd.value("version");
    op.speed = cmd.value("speed");
    op.chaos = intOption(cmd, "chaos", &error);
    op.stylize = intOption(cmd, "stylize", &error);
    op.weird = intOption(cmd, "weird", &error);
    op.omniWeight = intOption(cmd, "ow", &error);
    if (cmd.isSet("seed")) {
        bool ok = false;
        op.seed = cmd.value("seed").toLongLong(&ok);
        if (!ok && error.isEmpty())
            error = tr("--seed: \"%1\" is not a whole number").arg(cmd.value("seed"));
    }
    if (!error.isEmpty())
        return fail(error, Usage);
    if (!openCore())
        return DataError;
    const Result<Account> account = m_core->resolveAccount(cmd.value("account"));
    if (!account)
        return fail(account.error().message, account.error().kind == Error::Kind::Io ? DataError : Usage);
    const Result<QString> id = m_core->engine().submit(op, account->id);
    if (!id)
        return fail(id.error().message, id.error().kind == Error::Kind::Io ? DataError : Usage);
    const bool untilEnd = cmd.isSet("wait");
    return report(follow(*id, untilEnd, cmd.isSet("json")), cmd.isSet("json"), untilEnd);
}

int Cli::action(OperationKind kind, const QStringList &args)
{
    const QString name = operationKindName(kind);
    Command cmd(QStringLiteral("tessera-cli %1 TASK [options]").arg(name));
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("The parent task."));
    if (kind != OperationKind::Reroll)
        cmd.add(QStringLiteral("index"), tr("Which image of the grid, 1-4 (row-major: 1 top-left)."),
                QStringLiteral("n"));
    cmd.add(QStringLiteral("variant"),
            tr("subtle, strong, creative, 2x or 4x where the provider offers them."),
            QStringLiteral("variant"));
    cmd.add(QStringLiteral("prompt"), tr("A prompt for the action where it takes one."),
            QStringLiteral("prompt"));
    cmd.add(QStringLiteral("wait"), tr("Wait until the task has ended and its images are saved."));
    if (const auto done = parse(cmd, args, 1, tr("%1 takes one task id").arg(name)))
        return *done;
    QString error;
    const std::optional<int> index
        = kind == OperationKind::Reroll ? std::nullopt : intOption(cmd, "index", &error);
    if (!error.isEmpty())
        return fail(error, Usage);
    if (kind != OperationKind::Reroll && !index && cmd.value("variant").isEmpty())
        return fail(tr("%1 needs --index 1-4 (which image of the grid)").arg(name), Usage);
    int code = Ok;
    const std::optional<Task> parent = findTask(cmd.positional().first(), code);
    if (!parent)
        return code;
    Operation op = Operation::action(kind, parent->id, index.value_or(0));
    op.variant = cmd.value("variant");
    op.prompt = cmd.value("prompt");
    const Result<QString> id = m_core->engine().submit(op, parent->accountId);
    if (!id)
        return fail(tr("cannot %1 task %2: %3").arg(name, parent->id, id.error().message),
                    id.error().kind == Error::Kind::Io ? DataError : Usage);
    const bool untilEnd = cmd.isSet("wait");
    return report(follow(*id, untilEnd, cmd.isSet("json")), cmd.isSet("json"), untilEnd);
}

int Cli::status(const QStringList &args, const QString &usage)
{
    Command cmd(usage);
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("The task."));
    if (const auto done = parse(cmd, args, 1, tr("usage: %1").arg(usage)))
        return *done;
    int code = Ok;
    const std::optional<Task> task = findTask(cmd.positional().first(), code);
    if (!task)
        return code;
    printTask(*task, cmd.isSet("json"));
    return Ok;
}

int Cli::wait(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli wait TASK [--json]"));
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("The task."));
    if (const auto done = parse(cmd, args, 1, tr("wait takes one task id")))
        return *done;
    int code = Ok;
    const std::optional<Task> task = findTask(cmd.positional().first(), code);
    if (!task)
        return code;
    if (task->state == TaskState::Unfinished || task->state == TaskState::Unknown) {
        // "wait" on a task that ran out of checks asks the server again.
        if (const Status s = m_core->engine().check(task->id); !s)
            return fail(tr("task %1: %2").arg(task->id, s.error().message), TaskFailed);
    }
    return report(follow(task->id, true, cmd.isSet("json")), cmd.isSet("json"), true);
}

int Cli::cancel(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli cancel TASK [--json]"));
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("The task."));
    if (const auto done = parse(cmd, args, 1, tr("cancel takes one task id")))
        return *done;
    int code = Ok;
    const std::optional<Task> task = findTask(cmd.positional().first(), code);
    if (!task)
        return code;
    if (isActive(task->state)) {
        if (const auto adopted = m_core->engine().adopt(task->id); !adopted || !*adopted)
            return fail(
                tr("another Tessera window or command is running task %1; cancel it there").arg(task->id),
                TaskFailed);
    }
    if (const Status s = m_core->engine().cancel(task->id); !s)
        return fail(tr("cannot cancel task %1: %2").arg(task->id, s.error().message), TaskFailed);
    const Task after = follow(task->id, true, true);
    if (m_interrupted && !isTerminal(after.state))
        return interrupted(after);
    printTask(after, cmd.isSet("json"));
    if (after.state == TaskState::Cancelled)
        return Ok;
    // The server refused (the task had just finished, say): it was followed to its real end.
    return fail(tr("task %1 was not cancelled; it ended as %2%3")
                    .arg(task->id, taskStateName(after.state),
                         after.error ? QStringLiteral(": ") + after.error->userText() : QString()),
                TaskFailed);
}

int Cli::check(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli check TASK [--wait] [--json]"));
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("An unfinished task."));
    cmd.add(QStringLiteral("wait"), tr("Wait until the task has ended and its images are saved."));
    if (const auto done = parse(cmd, args, 1, tr("check takes one task id")))
        return *done;
    int code = Ok;
    const std::optional<Task> task = findTask(cmd.positional().first(), code);
    if (!task)
        return code;
    if (const Status s = m_core->engine().check(task->id); !s)
        return fail(tr("task %1: %2").arg(task->id, s.error().message), TaskFailed);
    const bool untilEnd = cmd.isSet("wait");
    return report(follow(task->id, untilEnd, cmd.isSet("json")), cmd.isSet("json"), untilEnd);
}

} // namespace tessera::cli
