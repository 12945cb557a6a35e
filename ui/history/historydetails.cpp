#include "historydetails.h"

#include "storage/historystore.h"
#include "storage/imagearchive.h"

#include <QDesktopServices>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace tessera::ui {

namespace {

const QString kTaskScheme = QStringLiteral("task");

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString row(const QString &name, const QString &valueHtml)
{
    return QStringLiteral("<tr><td style='color:gray; padding-right:8px'>%1</td><td>%2</td></tr>")
        .arg(esc(name), valueHtml);
}

QString when(const QDateTime &t)
{
    return t.isValid() ? esc(QLocale().toString(t.toLocalTime(), QLocale::ShortFormat)) : QString();
}

QString jsonValueText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 16);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    return {};
}

QString link(const QString &id, const QString &text)
{
    return QStringLiteral("<a href='%1:%2'>%3</a>").arg(kTaskScheme, id, esc(text));
}

// Where an action came from: a grid's image, the whole grid (a reroll runs the same prompt again), or
// an upscale's single image.
QString origin(const Task &action)
{
    if (action.tile > 0)
        return HistoryDetails::tr("from image %1").arg(action.tile);
    if (action.operation.kind == OperationKind::Reroll)
        return HistoryDetails::tr("the same prompt again");
    return HistoryDetails::tr("from its single image");
}

} // namespace

HistoryDetails::HistoryDetails(HistoryStore &store, const ImageArchive &archive, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_archive(archive)
    , m_text(new QTextBrowser(this))
{
    m_text->setOpenLinks(false);
    m_text->setAccessibleName(tr("Task details"));
    m_text->setPlaceholderText(tr("Select a task to see its prompt, parameters and lineage."));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text);
    connect(m_text, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.scheme() == kTaskScheme)
            emit taskLinkActivated(url.path());
        else if (url.isLocalFile())
            QDesktopServices::openUrl(url); // an image file: the system viewer
    });
}

void HistoryDetails::setAccounts(const QHash<QString, QString> &names,
                                 const QHash<QString, QString> &families)
{
    m_accountNames = names;
    m_families = families;
    showTask(m_task);
}

void HistoryDetails::showTask(const std::optional<Task> &task)
{
    m_task = task;
    m_parentId.clear();
    m_childIds.clear();
    if (!task) {
        m_text->clear();
        return;
    }
    m_text->setHtml(html(*task));
}

QString HistoryDetails::html(const Task &task)
{
    QString out;
    out += QStringLiteral("<p><b>%1</b></p>").arg(esc(task.title(80)));
    if (!task.prompt.isEmpty())
        out += QStringLiteral("<p style='white-space:pre-wrap'>%1</p>").arg(esc(task.prompt));

    // Lineage first: it is what the user follows from here (imagine → U3 → pan → vary region).
    QString lineage;
    if (!task.parentId.isEmpty()) {
        m_parentId = task.parentId;
        const auto parent = m_store.task(task.parentId);
        const QString from = origin(task);
        if (parent && parent->has_value())
            lineage += row(tr("Parent"),
                           link(task.parentId, (*parent)->title(50)) + QStringLiteral(" — ") + esc(from));
        else
            lineage += row(tr("Parent"),
                           link(task.parentId, tr("deleted task")) + QStringLiteral(" — ") + esc(from));
    }
    if (const auto children = m_store.children(task.id); children && !children->isEmpty()) {
        QStringList items;
        for (const Task &c : *children) {
            m_childIds.append(c.id);
            items.append(link(c.id, c.operation.label()) + QStringLiteral(" <span style='color:gray'>")
                         + esc(origin(c)) + QStringLiteral("</span>"));
        }
        lineage += row(tr("Children"), items.join(QStringLiteral("<br>")));
    }
    if (!lineage.isEmpty())
        out += QStringLiteral("<table>%1</table><hr>").arg(lineage);

    QString general;
    general += row(tr("State"), esc(taskStateLabel(task.state)));
    general += row(tr("Account"), esc(m_accountNames.value(task.accountId, task.accountId)));
    if (const QString family = m_families.value(task.accountId); !family.isEmpty())
        general += row(tr("Family"), esc(family));
    general += row(tr("Operation"), esc(task.operation.label()));
    if (task.operation.kind == OperationKind::Inpaint && !task.operation.prompt.isEmpty())
        general += row(tr("Region prompt"), esc(task.operation.prompt));
    general += row(tr("Task id"), esc(task.id));
    if (!task.remoteId.isEmpty())
        general += row(tr("Remote id"), esc(task.remoteId));
    if (task.operation.seed)
        general += row(tr("Seed"), esc(QString::number(*task.operation.seed)));
    else if (const QJsonValue seed = task.remote.value(QStringLiteral("seed")); !seed.isUndefined())
        general += row(tr("Seed"), esc(jsonValueText(seed)));
    general += row(tr("Created"), when(task.created));
    if (task.finished.isValid()) {
        const qint64 secs = task.created.isValid() ? task.created.secsTo(task.finished) : -1;
        general += row(
            tr("Finished"),
            when(task.finished)
                + (secs >= 0 ? esc(tr(" (took %1:%2)").arg(secs / 60).arg(secs % 60, 2, 10, QLatin1Char('0')))
                             : QString()));
    }
    if (task.pollCount > 0)
        general += row(tr("Polls"), QString::number(task.pollCount));
    if (task.error) {
        QString e = esc(task.error->message);
        if (task.error->httpStatus > 0)
            e += esc(tr(" (HTTP %1)").arg(task.error->httpStatus));
        if (!task.error->vendorCode.isEmpty())
            e += esc(tr(" [%1]").arg(task.error->vendorCode));
        general += row(tr("Error"), QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(e));
    }
    out += QStringLiteral("<table>%1</table>").arg(general);

    // Every parameter, as stored: what the vendor was asked for.
    const QJsonObject params = task.operation.toJson();
    QString paramRows;
    for (auto it = params.begin(); it != params.end(); ++it) {
        if (it.key() == QLatin1String("prompt") || it.key() == QLatin1String("mask"))
            continue;
        paramRows += row(it.key(), esc(jsonValueText(it.value())));
    }
    if (!task.operation.mask.isEmpty())
        paramRows += row(tr("mask"), esc(tr("%1 bytes of PNG").arg(task.operation.mask.size())));
    if (!paramRows.isEmpty())
        out += QStringLiteral("<p><b>%1</b></p><table>%2</table>").arg(esc(tr("Parameters")), paramRows);

    QString remoteRows;
    for (auto it = task.remote.begin(); it != task.remote.end(); ++it) {
        if (it.key().endsWith(QLatin1String("Id"), Qt::CaseInsensitive)
            || it.key().endsWith(QLatin1String("_id")) || it.key().endsWith(QLatin1String("Ids")))
            remoteRows += row(it.key(), esc(jsonValueText(it.value())));
    }
    if (!remoteRows.isEmpty())
        out += QStringLiteral("<p><b>%1</b></p><table>%2</table>").arg(esc(tr("Remote ids")), remoteRows);

    QString images;
    for (const ImageRef &img : task.images) {
        QString line = imageRoleName(img.role);
        if (img.index > 0)
            line += QLatin1Char(' ') + QString::number(img.index);
        QString value = esc(imageStateName(img.state));
        if (img.size.isValid())
            value += esc(QStringLiteral(" · %1×%2").arg(img.size.width()).arg(img.size.height()));
        if (img.isLocal())
            value += QStringLiteral(" · <a href='%1'>%2</a>")
                         .arg(QUrl::fromLocalFile(m_archive.absolutePath(img.path)).toString(),
                              esc(tr("file")));
        if (img.state == ImageState::Expired)
            value += esc(tr(" — the remote copy has expired"));
        if (!img.error.isEmpty())
            value += QStringLiteral(" — <span style='color:#c0392b'>%1</span>").arg(esc(img.error));
        images += row(line, value);
    }
    if (!images.isEmpty())
        out += QStringLiteral("<p><b>%1</b></p><table>%2</table>").arg(esc(tr("Images")), images);
    return out;
}

} // namespace tessera::ui
