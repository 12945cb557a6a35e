// The fixture of KieAdapter's tests (tst_kieadapter, tst_kieadapter_answers): the vendor doc's examples
// (tests/fixtures/kie), an account, operations, parents as the engine stores them. Test-only header: it
// opens the tessera namespace for the file that includes it.
#pragma once

#include "model/account.h"
#include "model/error.h"
#include "model/operation.h"
#include "model/task.h"
#include "providers/kie/kieadapter.h"
#include "providers/kie/kieprotocol.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>

#include <initializer_list>

using namespace tessera;

namespace {

const QString kVideoParentId = QStringLiteral("ee603959-debb-48d1-98c4-a6d1c717eba6");

inline QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(TESSERA_FIXTURES "/kie/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

inline QJsonObject fixtureObject(const QString &name)
{
    return QJsonDocument::fromJson(fixture(name)).object();
}

// JSON written with single quotes, for legibility (and because moc misreads raw strings).
inline QByteArray js(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

inline QDateTime received()
{
    return QDateTime(QDate(2024, 3, 20), QTime(10, 30), QTimeZone::utc());
}

inline HttpResponse answer(int status, const QByteArray &body, const QByteArray &retryAfter = {})
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.received = received();
    r.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    if (!retryAfter.isEmpty())
        r.headers.append({QByteArrayLiteral("Retry-After"), retryAfter});
    return r;
}

inline Account account(const QString &varyBase = {})
{
    Account a;
    a.id = QStringLiteral("kie-1");
    a.family = QStringLiteral("kie");
    a.name = QStringLiteral("main");
    a.baseUrl = QStringLiteral("https://api.kie.ai");
    if (!varyBase.isEmpty())
        a.options.insert(QStringLiteral("vary-index-base"), varyBase);
    return a;
}

inline Operation imagine(const QString &prompt, GenerateType type = GenerateType::Text,
                         const QStringList &refs = {})
{
    Operation op = Operation::imagine(prompt);
    op.type = type;
    op.references = refs;
    return op;
}

inline Operation action(OperationKind kind, int tile, const QString &variant = {}, const QString &prompt = {})
{
    Operation op = Operation::action(kind, QStringLiteral("parent-task"), tile);
    op.variant = variant;
    op.prompt = prompt;
    return op;
}

template<class F> Operation with(Operation op, F change)
{
    change(op);
    return op;
}

inline ImageRef image(ImageRole role, int index, QSize size = {})
{
    ImageRef ref;
    ref.role = role;
    ref.index = index;
    ref.size = size;
    return ref;
}

inline QStringList strings(std::initializer_list<const char *> texts)
{
    QStringList list;
    for (const char *text : texts)
        list.append(QString::fromUtf8(text));
    return list;
}

// Parents as the engine stores them: "grid" (four tiles of a generation), "upscale" (one image),
// "video2" (a video task with two videos), "video-pending" (a video imagine whose images are not listed),
// "extension" (a finished video extension), "running", "no-remote".
inline Task parentTask(const QString &kind,
                       const QString &remoteId = QStringLiteral("4edb3c5XXXXX75e3f0aa5cc"))
{
    Task t;
    t.id = QStringLiteral("parent-task");
    t.accountId = QStringLiteral("kie-1");
    t.remoteId = remoteId;
    t.state = TaskState::Succeeded;
    t.operation = imagine(QStringLiteral("a red fox"));
    if (kind == QLatin1String("grid") || kind == QLatin1String("running")
        || kind == QLatin1String("no-remote")) {
        t.remote.insert(QStringLiteral("taskType"), QStringLiteral("mj_txt2img"));
        for (int i = 1; i <= 4; ++i)
            t.images.append(image(ImageRole::Tile, i, QSize(1024, 1024)));
        if (kind == QLatin1String("running"))
            t.state = TaskState::Running;
        if (kind == QLatin1String("no-remote"))
            t.remoteId.clear();
    } else if (kind == QLatin1String("upscale")) {
        t.operation = Operation::action(OperationKind::Upscale, QStringLiteral("grandparent"), 2);
        t.images.append(image(ImageRole::Upscale, 0, QSize(2048, 2048)));
    } else if (kind == QLatin1String("video2")) {
        t.operation
            = imagine(QStringLiteral("a jet"), GenerateType::Video, {QStringLiteral("https://e.com/a.jpg")});
        t.remote.insert(QStringLiteral("taskType"), QStringLiteral("mj_video"));
        t.images.append(image(ImageRole::Video, 1));
        t.images.append(image(ImageRole::Video, 2));
    } else if (kind == QLatin1String("video-pending")) {
        t.operation = imagine(QStringLiteral("a jet"), GenerateType::VideoHd,
                              {QStringLiteral("https://e.com/a.jpg")});
    } else if (kind == QLatin1String("extension")) {
        t.operation = Operation::action(OperationKind::VideoExtend, QStringLiteral("grandparent"), 1);
        t.remote.insert(QStringLiteral("taskType"), QStringLiteral("mj_video_extend_auto"));
        t.images.append(image(ImageRole::Video, 1));
    }
    return t;
}

inline QString roleText(const RemoteImage &image)
{
    return imageRoleName(image.role) + QLatin1Char(':') + QString::number(image.index);
}

} // namespace
