// The fixture of ApixoAdapter's tests (tst_apixoadapter, tst_apixoadapter_answers): the vendor doc's
// examples (tests/fixtures/apixo), an account, parents as the engine stores them, operations, masks.
// Test-only header: it opens the tessera namespace for the file that includes it.
#pragma once

#include "providers/apixo/apixoadapter.h"

#include <QBuffer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QTimeZone>

using namespace tessera;

Q_DECLARE_METATYPE(tessera::Error::Kind)
Q_DECLARE_METATYPE(tessera::ConnectionReport::Verdict)

namespace {

const QDateTime kReceived(QDate(2025, 1, 10), QTime(12, 0), QTimeZone::utc());

inline QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(TESSERA_FIXTURES "/apixo/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

inline QJsonObject fixtureObject(const QString &name)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(fixture(name), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("fixture %s is not a JSON object", qPrintable(name));
    return doc.object();
}

// Equal objects serialise identically (keys sorted), and a failed QCOMPARE then shows both.
inline QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

inline HttpResponse answer(int status, const QByteArray &body,
                           QList<QPair<QByteArray, QByteArray>> headers = {})
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers = std::move(headers);
    r.received = kReceived;
    return r;
}

inline Account account(const QJsonObject &options = {})
{
    Account a;
    a.id = QStringLiteral("acc-apixo");
    a.family = QStringLiteral("apixo");
    a.name = QStringLiteral("apixo test");
    a.baseUrl = QStringLiteral("https://api.apixo.ai");
    a.options = options;
    return a;
}

inline QJsonObject options(const char *key, const char *value)
{
    return QJsonObject {{QLatin1String(key), QLatin1String(value)}};
}

// Parents as the engine stores them: a generation with four separate tiles, or an upscale.
inline Task gridParent(const QString &remoteId = QStringLiteral("task_previous_midjourney"),
                       QSize size = {8, 6})
{
    Task t;
    t.id = QStringLiteral("parent-grid");
    t.accountId = QStringLiteral("acc-apixo");
    t.operation = Operation::imagine(QStringLiteral("a cosy cyberpunk cafe"));
    t.prompt = t.operation.prompt;
    t.state = TaskState::Succeeded;
    t.remoteId = remoteId;
    for (int i = 1; i <= 4; ++i) {
        ImageRef img;
        img.role = ImageRole::Tile;
        img.index = i;
        img.size = size;
        img.remoteUrl = QStringLiteral("https://r2.apixo.ai/img%1.png").arg(i);
        t.images.append(img);
    }
    return t;
}

inline Task upscaleParent(const QString &remoteId = QStringLiteral("task_upscaled_midjourney"))
{
    Task t;
    t.id = QStringLiteral("parent-upscale");
    t.accountId = QStringLiteral("acc-apixo");
    t.operation = Operation::action(OperationKind::Upscale, QStringLiteral("parent-grid"), 2);
    t.prompt = QStringLiteral("a cosy cyberpunk cafe");
    t.state = TaskState::Succeeded;
    t.remoteId = remoteId;
    ImageRef img;
    img.role = ImageRole::Upscale;
    img.index = 0;
    img.size = QSize(16, 12);
    img.remoteUrl = QStringLiteral("https://r2.apixo.ai/upscaled.png");
    t.images.append(img);
    return t;
}

inline Task parentNamed(const QString &name)
{
    if (name == QLatin1String("grid"))
        return gridParent();
    if (name == QLatin1String("upscale"))
        return upscaleParent();
    if (name == QLatin1String("running")) {
        Task t = gridParent();
        t.state = TaskState::Running;
        t.images.clear();
        return t;
    }
    if (name == QLatin1String("no-remote-id")) {
        Task t = gridParent();
        t.remoteId.clear();
        return t;
    }
    if (name == QLatin1String("expired-url")) {
        Task t = gridParent();
        t.images[1].remoteUrl.clear();
        return t;
    }
    qFatal("unknown parent %s", qPrintable(name));
}

// A black PNG with a white rectangle (white = regenerate).
inline QByteArray maskPng(QSize size, const QRect &white)
{
    QImage img(size, QImage::Format_Grayscale8);
    img.fill(0);
    for (int y = white.top(); y <= white.bottom(); ++y) {
        for (int x = white.left(); x <= white.right(); ++x)
            img.setPixel(x, y, qRgb(255, 255, 255));
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    img.save(&buffer, "PNG");
    return bytes;
}

inline Operation action(OperationKind kind, int tile, const QString &variant = {}, const QString &prompt = {})
{
    Operation op = Operation::action(kind, QStringLiteral("parent"), tile);
    op.variant = variant;
    op.prompt = prompt;
    return op;
}

inline Operation imagine(const QString &prompt = QStringLiteral("a red fox"))
{
    return Operation::imagine(prompt);
}

inline QJsonObject inputOf(const HttpCall &call)
{
    return call.body->object().value(QStringLiteral("input")).toObject();
}

} // namespace
