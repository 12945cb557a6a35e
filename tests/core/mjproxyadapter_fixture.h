// The fixture of MjproxyAdapter's tests (tst_mjproxyadapter, tst_mjproxyadapter_buttons,
// tst_mjproxyadapter_answers): the vendor's recorded shapes (tests/fixtures/mjproxy), an account, parents
// as the engine stores them, operations, masks. Test-only header: it opens the tessera namespace for the
// file that includes it.
#pragma once

#include "model/promptflags.h"
#include "providers/mjproxy/mjproxyadapter.h"

#include <QBuffer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPainter>
#include <QTest>
#include <QTimeZone>

#include <optional>

using namespace tessera;
using tessera::mjproxy::MjproxyAdapter;

namespace {

inline QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(TESSERA_FIXTURES "/mjproxy/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

inline QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

inline QByteArray requestFixture(const QString &name)
{
    return compact(QJsonDocument::fromJson(fixture(QStringLiteral("requests/") + name)).object());
}

inline QByteArray bodyOf(const HttpCall &call)
{
    return call.body ? compact(call.body->object()) : QByteArray();
}

inline HttpResponse answer(int status, const QByteArray &body,
                           QList<QPair<QByteArray, QByteArray>> headers = {})
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers = std::move(headers);
    r.received = QDateTime(QDate(2025, 3, 9), QTime(12, 0), QTimeZone::utc());
    return r;
}

inline HttpResponse fixtureAnswer(const QString &name, int status = 200)
{
    return answer(status, fixture(name));
}

inline Account account(const QString &prefix = {}, const QString &auth = {})
{
    Account a;
    a.id = QStringLiteral("acc-1");
    a.family = QStringLiteral("mjproxy");
    a.name = QStringLiteral("gateway");
    a.baseUrl = QStringLiteral("https://gw.example.com");
    if (!prefix.isNull())
        a.options.insert(QStringLiteral("prefix"), prefix);
    if (!auth.isNull())
        a.options.insert(QStringLiteral("auth"), auth);
    return a;
}

inline const MjproxyAdapter &adapter()
{
    static const MjproxyAdapter instance;
    return instance;
}

// A parent as the engine stores it: what parseStatus said about the fixture, plus its images.
inline Task parentFrom(const QString &fixtureName, bool grid, QSize size = QSize(1024, 1024))
{
    const auto snap = adapter().parseStatus(fixtureAnswer(fixtureName));
    if (!snap)
        qFatal("fixture %s does not parse: %s", qPrintable(fixtureName), qPrintable(snap.error().message));
    Task t;
    t.id = QStringLiteral("tessera-") + fixtureName;
    t.accountId = QStringLiteral("acc-1");
    t.state = TaskState::Succeeded;
    t.remoteId = QJsonDocument::fromJson(fixture(fixtureName)).object().value(QLatin1String("id")).toString();
    t.remote = snap->remote;
    t.prompt = QStringLiteral("cat");
    if (grid) {
        for (int i = 1; i <= 4; ++i)
            t.images.append(
                ImageRef {ImageRole::Tile, i, {}, size, 0, {}, {}, ImageState::Downloaded, {}, {}});
    } else {
        t.images.append(
            ImageRef {ImageRole::Upscale, 0, {}, size, 0, {}, {}, ImageState::Downloaded, {}, {}});
    }
    return t;
}

inline Task gridParent()
{
    return parentFrom(QStringLiteral("task-imagine-success.json"), true);
}

inline Task upscaleParent(const QString &fixtureName = QStringLiteral("task-upscale-v7.json"),
                          QSize size = QSize(1024, 1024))
{
    return parentFrom(fixtureName, false, size);
}

inline Operation act(OperationKind kind, int tile = 0, const QString &variant = {})
{
    Operation op = Operation::action(kind, QStringLiteral("parent"), tile);
    op.variant = variant;
    return op;
}

inline Operation pan(const QString &direction)
{
    Operation op = act(OperationKind::Pan);
    op.direction = direction;
    return op;
}

inline Operation zoom(const QString &factor, int tile = 0)
{
    Operation op = act(OperationKind::Zoom, tile);
    op.zoomFactor = factor;
    return op;
}

inline Operation animate(const QString &motion)
{
    Operation op = act(OperationKind::Animate);
    op.motion = motion;
    return op;
}

inline Operation inpaint(const QByteArray &mask = QByteArrayLiteral("png"), int tile = 0)
{
    Operation op = act(OperationKind::Inpaint, tile);
    op.mask = mask;
    return op;
}

inline Operation withReferences(Operation op, GenerateType type, const QStringList &references)
{
    op.type = type;
    op.references = references;
    return op;
}

inline Operation ofKind(OperationKind kind, const QStringList &references = {})
{
    Operation op;
    op.kind = kind;
    op.references = references;
    return op;
}

inline QByteArray maskPng(QSize size, QRect white)
{
    QImage image(size, QImage::Format_Grayscale8);
    image.fill(Qt::black);
    QPainter(&image).fillRect(white, Qt::white);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

inline SubmitContext contextWith(const std::optional<Task> &parent, const Account &a = account())
{
    SubmitContext context;
    context.account = a;
    context.parent = parent;
    return context;
}

} // namespace
