#include "cli.h"
#include "command.h"
#include "taskjson.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace tessera::cli {

// The commands that read the history.

int Cli::history(const QStringList &args)
{
    const QString sub = args.value(1);
    const QString usage = tr("usage: tessera-cli history list [--limit N] [--search TEXT] [--json] | show "
                             "TASK [--json] | export TASK DIR");
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        m_out << usage << Qt::endl;
        return Ok;
    }
    if (sub == QLatin1String("show"))
        return status(args.mid(1), QStringLiteral("tessera-cli history show TASK [--json]"));
    if (sub == QLatin1String("export")) {
        Command cmd(QStringLiteral("tessera-cli history export TASK DIR"));
        cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("The task."));
        cmd.parser.addPositionalArgument(QStringLiteral("dir"), tr("Where to copy its images."));
        if (const auto done = parse(cmd, args.mid(1), 2, tr("usage: tessera-cli history export TASK DIR")))
            return *done;
        int code = Ok;
        const std::optional<Task> task = findTask(cmd.positional().at(0), code);
        if (!task)
            return code;
        const QDir target(cmd.positional().at(1));
        if (!QDir().mkpath(target.absolutePath()))
            return fail(tr("cannot create %1").arg(target.absolutePath()), DataError);
        int copied = 0;
        for (const ImageRef &img : task->images) {
            if (!img.isLocal())
                continue;
            // Our own names (task id prefix + role), never the remote file's.
            const QString source = m_core->archive().absolutePath(img.path);
            const QString name = task->id.left(8) + QLatin1Char('-') + QFileInfo(source).fileName();
            const QString dest = target.filePath(name);
            QFile::remove(dest);
            if (!QFile::copy(source, dest))
                return fail(tr("cannot copy %1 to %2").arg(source, dest), DataError);
            m_out << dest << "\n";
            ++copied;
        }
        m_out.flush();
        return copied > 0 ? Ok : fail(tr("task %1 has no saved images").arg(task->id), TaskFailed);
    }
    if (sub != QLatin1String("list"))
        return fail(sub.isEmpty() ? usage : tr("unknown history command \"%1\"; %2").arg(sub, usage), Usage);
    Command cmd(QStringLiteral("tessera-cli history list [--limit N] [--search TEXT] [--json]"));
    cmd.add(QStringLiteral("limit"), tr("How many tasks (default 20)."), QStringLiteral("n"));
    cmd.add(QStringLiteral("search"),
            tr("Only tasks whose prompt has words starting with those of TEXT, best match first."),
            QStringLiteral("text"));
    if (const auto done = parse(cmd, args.mid(1), 0, tr("history list takes no arguments, only options")))
        return *done;
    QString error;
    const int limit = intOption(cmd, "limit", &error).value_or(20);
    if (!error.isEmpty() || limit < 0)
        return fail(error.isEmpty() ? tr("--limit must not be negative") : error, Usage);
    if (!openCore())
        return DataError;
    // The history browser's search (full text, every word a prefix, best match first; newest first
    // without text), so that the CLI finds what the GUI finds.
    HistoryQuery query;
    query.text = cmd.value("search");
    const auto tasks = m_core->store().queryTasks(query, limit, 0);
    if (!tasks)
        return fail(tasks.error().message, DataError);
    if (cmd.isSet("json")) {
        QJsonArray list;
        for (const Task &t : *tasks) {
            const auto account = m_core->store().account(t.accountId);
            list.append(
                taskToJson(t, account && account->has_value() ? **account : Account(), m_core->archive()));
        }
        m_out << json(list) << Qt::endl;
        return Ok;
    }
    for (const Task &t : *tasks) {
        m_out << t.id.left(8) << "  " << t.created.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
              << "  " << t.operation.label().leftJustified(8) << "  "
              << taskStateName(t.state).leftJustified(10) << "  " << t.prompt.simplified().left(60) << "\n";
    }
    m_out.flush();
    return Ok;
}

} // namespace tessera::cli
