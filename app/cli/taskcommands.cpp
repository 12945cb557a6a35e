#include "cli.h"
#include "command.h"
#include "interrupt.h"
#include "providers/providerregistry.h"
#include "storage/historystore.h"
#include "tasks/references.h"
#include "tasks/taskengine.h"

#include <QEventLoop>

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
    cmd.add(QStringLiteral("motion"), tr("Video motion: low or high."), QStringLiteral("motion"));
    cmd.add(QStringLiteral("batch"), tr("Videos per task: 1, 2 or 4."), QStringLiteral("n"));
    cmd.add(QStringLiteral("watermark"), tr("Watermark text, where the provider offers it."),
            QStringLiteral("text"));
    cmd.add(QStringLiteral("translate"), tr("Let the provider translate the prompt to English."));
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
    for (const QString &ref : cmd.parser.values(QStringLiteral("ref"))) {
        const Result<QString> resolved = resolveReference(ref);
        if (!resolved)
            return fail(resolved.error().message, Usage);
        op.references.append(*resolved);
        op.referenceNames.append(referenceName(ref));
    }
    if (!op.references.isEmpty() && !cmd.isSet("type"))
        op.type = GenerateType::Image; // a reference without --type is an image prompt
    op.motion = cmd.value("motion").toLower();
    op.videoBatch = intOption(cmd, "batch", &error);
    op.watermark = cmd.value("watermark");
    if (cmd.isSet("translate"))
        op.translate = true;
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
    useEnvironmentKey(account->id);
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
    const bool takesIndex = kind != OperationKind::Reroll;
    if (takesIndex)
        cmd.add(QStringLiteral("index"),
                kind == OperationKind::VideoExtend
                    ? tr("Which video of the task, from 1.")
                    : tr("Which image of the grid, 1-4 (row-major: 1 top-left)."),
                QStringLiteral("n"));
    if (kind == OperationKind::Upscale || kind == OperationKind::Vary)
        cmd.add(
            QStringLiteral("variant"),
            tr("subtle, strong (vary); subtle, creative, 2x or 4x (upscale) where the provider offers them."),
            QStringLiteral("variant"));
    if (kind == OperationKind::Pan)
        cmd.add(QStringLiteral("direction"), tr("left, right, up or down."), QStringLiteral("direction"));
    if (kind == OperationKind::Zoom)
        cmd.add(QStringLiteral("factor"), tr("Zoom out by 1.5, 2 or any value above 1 up to 2."),
                QStringLiteral("x"));
    if (kind == OperationKind::Inpaint)
        cmd.add(QStringLiteral("mask"), tr("PNG mask: white = regenerate, black = keep."),
                QStringLiteral("file"));
    if (kind == OperationKind::Animate)
        cmd.add(QStringLiteral("motion"), tr("low or high."), QStringLiteral("motion"));
    if (kind == OperationKind::VideoExtend)
        cmd.add(QStringLiteral("auto"), tr("Let the provider extend the video without a prompt."));
    if (kind != OperationKind::Seed && kind != OperationKind::Upscale)
        cmd.add(QStringLiteral("prompt"), tr("A prompt for the action where it takes one."),
                QStringLiteral("prompt"));
    cmd.add(QStringLiteral("wait"), tr("Wait until the task has ended and its images are saved."));
    if (const auto done = parse(cmd, args, 1, tr("%1 takes one task id").arg(name)))
        return *done;
    QString error;
    const std::optional<int> index = takesIndex ? intOption(cmd, "index", &error) : std::nullopt;
    if (!error.isEmpty())
        return fail(error, Usage);
    if ((kind == OperationKind::Upscale || kind == OperationKind::Vary) && !index
        && cmd.value("variant").isEmpty())
        return fail(tr("%1 needs --index 1-4 (which image of the grid)").arg(name), Usage);
    if (kind == OperationKind::Pan && cmd.value("direction").isEmpty())
        return fail(tr("pan needs --direction left, right, up or down"), Usage);
    if (kind == OperationKind::Zoom && cmd.value("factor").isEmpty())
        return fail(tr("zoom needs --factor 1.5, 2 or a value above 1 up to 2"), Usage);
    if (kind == OperationKind::Inpaint && cmd.value("mask").isEmpty())
        return fail(tr("inpaint needs --mask FILE.png (white = the region to regenerate)"), Usage);
    if (kind == OperationKind::VideoExtend && cmd.isSet("auto") && !cmd.value("prompt").isEmpty())
        return fail(tr("video-extend takes --prompt P or --auto, not both"), Usage);

    // Options this command does not define read as empty.
    const auto optional = [&cmd](const char *name) {
        return cmd.parser.optionNames().contains(QLatin1String(name)) ? cmd.value(name) : QString();
    };
    Operation op = Operation::action(kind, QString(), index.value_or(0));
    op.prompt = optional("prompt");
    op.variant = optional("variant");
    op.direction = optional("direction").toLower();
    op.zoomFactor = optional("factor");
    op.motion = optional("motion").toLower();
    if (kind == OperationKind::VideoExtend)
        op.variant = cmd.isSet("auto") ? QStringLiteral("auto") : QStringLiteral("manual");
    if (kind == OperationKind::Inpaint) {
        const Result<QByteArray> mask = readMaskFile(cmd.value("mask"));
        if (!mask)
            return fail(mask.error().message, Usage);
        op.mask = *mask;
    }
    int code = Ok;
    const std::optional<Task> parent = findTask(cmd.positional().first(), code);
    if (!parent)
        return code;
    op.parentTaskId = parent->id;
    // Something charged first that may not be followed by the rest (a tile's U before a button the upscale
    // may lack): asked for explicitly here, so said and done.
    if (const auto account = m_core->store().account(parent->accountId); account && account->has_value()) {
        const Availability available = m_core->providers().availability(op, &*parent, **account);
        if (available.enabled && !available.caveat.isEmpty())
            m_err << "tessera-cli: " << tr("note: %1").arg(available.caveat) << Qt::endl;
    }
    const Result<QString> id = m_core->engine().submit(op, parent->accountId);
    if (!id)
        return fail(tr("cannot %1 task %2: %3").arg(name, parent->id, id.error().message),
                    id.error().kind == Error::Kind::Io ? DataError : Usage);
    const bool untilEnd = cmd.isSet("wait");
    return report(follow(*id, untilEnd, cmd.isSet("json")), cmd.isSet("json"), untilEnd);
}

int Cli::fromImages(OperationKind kind, const QStringList &args)
{
    // describe FILE|URL, blend FILE|URL..., shorten "PROMPT": new tasks (midjourney-proxy).
    const QString name = operationKindName(kind);
    const QString usage = kind == OperationKind::Describe
        ? QStringLiteral("tessera-cli describe FILE|URL [options]")
        : kind == OperationKind::Blend ? QStringLiteral("tessera-cli blend FILE|URL FILE|URL... [options]")
                                       : QStringLiteral("tessera-cli shorten \"PROMPT\" [options]");
    Command cmd(usage);
    cmd.parser.addPositionalArgument(
        kind == OperationKind::Shorten ? QStringLiteral("prompt") : QStringLiteral("image"),
        kind == OperationKind::Shorten ? tr("The prompt to shorten.") : tr("Image file or URL."));
    cmd.add(QStringLiteral("account"), tr("Account name (default: the default account)."),
            QStringLiteral("name"));
    if (kind == OperationKind::Blend)
        cmd.add(QStringLiteral("dimensions"), tr("portrait, square or landscape."), QStringLiteral("shape"));
    cmd.add(QStringLiteral("wait"), tr("Wait until the task has ended."));
    const qsizetype count = kind == OperationKind::Blend ? -1 : 1;
    if (const auto done = parse(cmd, args, count, tr("usage: %1").arg(usage)))
        return *done;
    Operation op;
    op.kind = kind;
    if (kind == OperationKind::Shorten) {
        op.prompt = cmd.positional().first();
    } else {
        const QStringList images = cmd.positional();
        if (kind == OperationKind::Blend && (images.size() < 2 || images.size() > 5))
            return fail(tr("blend takes 2 to 5 images"), Usage);
        op.dimensions = cmd.value("dimensions").toLower();
        op.type = GenerateType::Image;
    }
    if (!openCore())
        return DataError;
    const Result<Account> account = m_core->resolveAccount(cmd.value("account"));
    if (!account)
        return fail(account.error().message, account.error().kind == Error::Kind::Io ? DataError : Usage);
    for (const QString &image : cmd.positional()) {
        if (kind == OperationKind::Shorten)
            break;
        Result<QString> ref = resolveReference(image);
        if (!ref)
            return fail(ref.error().message, Usage);
        // midjourney-proxy takes describe and blend images as base64 only: fetch a URL first.
        if (!ref->startsWith(QLatin1String("data:")))
            ref = fetchImage(*ref, *account);
        if (!ref)
            return fail(ref.error().message, TaskFailed);
        op.references.append(*ref);
        op.referenceNames.append(referenceName(image));
    }
    useEnvironmentKey(account->id);
    const Result<QString> id = m_core->engine().submit(op, account->id);
    if (!id)
        return fail(tr("cannot %1: %2").arg(name, id.error().message),
                    id.error().kind == Error::Kind::Io ? DataError : Usage);
    const bool untilEnd = cmd.isSet("wait");
    return report(follow(*id, untilEnd, cmd.isSet("json")), cmd.isSet("json"), untilEnd);
}

Result<QString> Cli::fetchImage(const QString &url, const Account &account)
{
    // Through the application's transport (HTTPS rules, size cap, no key on downloads).
    TransportReply *reply = m_core->transport().download(QUrl(url), account, 10LL * 1024 * 1024);
    QEventLoop loop;
    QObject::connect(reply, &TransportReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    const Result<HttpResponse> result = reply->result();
    reply->deleteLater();
    if (!result)
        return Error::make(result.error().kind, tr("cannot fetch %1: %2").arg(url, result.error().message));
    if (!result->isSuccess())
        return Error::make(Error::Kind::NotFound,
                           tr("cannot fetch %1: HTTP %2").arg(url).arg(result->status));
    return imageDataUrl(result->body, url);
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
    // The answer is awaited, not the task's end: whichever process waits on the task goes on doing so.
    TaskEngine &engine = m_core->engine();
    QEventLoop loop;
    std::optional<std::pair<bool, Error>> answer;
    QObject::connect(&engine, &TaskEngine::cancelAnswered, &loop,
                     [&](const QString &id, bool cancelled, const Error &detail) {
                         if (id != task->id)
                             return;
                         answer = std::make_pair(cancelled, detail);
                         loop.quit();
                     });
    InterruptWatcher interrupts;
    QObject::connect(&interrupts, &InterruptWatcher::interrupted, &loop, [&] {
        m_interrupted = true;
        loop.quit();
    });
    if (const Status s = engine.cancel(task->id); !s)
        return fail(tr("cannot cancel task %1: %2").arg(task->id, s.error().message), TaskFailed);
    if (!answer)
        loop.exec();
    const auto stored = m_core->store().task(task->id);
    const Task after = stored && stored->has_value() ? **stored : *task;
    if (!answer)
        return interrupted(after);
    const auto &[cancelled, detail] = *answer;
    if (!cancelled)
        return fail(tr("task %1 was not cancelled: %2").arg(task->id, detail.message), TaskFailed);
    if (cmd.isSet("json")) {
        printTask(after, true);
    } else if (after.state == TaskState::Cancelled) {
        printTask(after, false);
    } else {
        m_out << tr("task %1: %2").arg(task->id, detail.message) << Qt::endl;
    }
    return Ok;
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
