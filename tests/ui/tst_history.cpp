// The history browser offscreen (issue 6): search as you type with ranked results, filters, favourites,
// reuse of parameters into Compose, lineage navigation, paging that stays right while tasks are added,
// delete that asks first and moves the files to the trash, and thumbnails that respect their memory
// bound and drop work scrolled away.
#include "appcore.h"
#include "compose/composepanel.h"
#include "gallery/galleryview.h"
#include "history/historydetails.h"
#include "history/historymodel.h"
#include "history/historyview.h"
#include "history/thumbnailloader.h"
#include "settings/appsettings.h"
#include "shell/mainwindow.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>

using namespace tessera;
using namespace tessera::ui;

namespace {

const qint64 kBase = QDateTime(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC).toMSecsSinceEpoch();

struct Spec
{
    OperationKind kind = OperationKind::Imagine;
    QString parent;
    int tile = 0;
    QString account;
    TaskState state = TaskState::Succeeded;
    bool favourite = false;
};

Spec act(OperationKind kind, const QString &parent, int tile)
{
    Spec s;
    s.kind = kind;
    s.parent = parent;
    s.tile = tile;
    return s;
}

Spec withState(TaskState state, const QString &account = {})
{
    Spec s;
    s.state = state;
    s.account = account;
    return s;
}

Spec favourite()
{
    Spec s;
    s.favourite = true;
    return s;
}

Task makeTask(const QString &id, qint64 createdMs, const QString &prompt, const Spec &spec = {})
{
    Task t;
    t.id = id;
    t.accountId = spec.account.isEmpty() ? QString::fromLatin1(Account::kDemoId) : spec.account;
    t.operation = spec.kind == OperationKind::Imagine ? Operation::imagine(prompt)
                                                      : Operation::action(spec.kind, spec.parent, spec.tile);
    t.prompt = prompt;
    t.parentId = spec.parent;
    t.tile = spec.tile;
    t.state = spec.state;
    t.favourite = spec.favourite;
    t.created = QDateTime::fromMSecsSinceEpoch(createdMs, Qt::UTC);
    t.updated = t.created;
    return t;
}

// Gives `task` one real image file in the archive (a 2×2 grid's tile 1 is enough for lists).
void addImage(Task &task, const ImageArchive &archive, QColor colour, QSize size = {300, 200})
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(colour);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    ImageRef ref;
    ref.role = ImageRole::Upscale;
    ref.path = ImageArchive::taskFolder(task.id, task.created) + QStringLiteral("/image.png");
    ref.size = size;
    ref.bytes = png.size();
    ref.hash = ImageArchive::sha256(png);
    ref.state = ImageState::Downloaded;
    if (!ImageArchive::writeFile(archive.root(), ref.path, png))
        qFatal("cannot write image");
    task.images = {ref};
}

// A store, an archive, the model and the view over them, in a temporary folder.
struct Fixture
{
    Fixture()
        : archive(dir.filePath(QStringLiteral("archive")))
    {
        auto opened = HistoryStore::open(dir.filePath(QStringLiteral("history.db")));
        if (!opened)
            qFatal("cannot open store: %s", qPrintable(opened.error().message));
        store = std::move(*opened);
        thumbnails = std::make_unique<ThumbnailLoader>(dir.filePath(QStringLiteral("thumbs")));
        model = std::make_unique<HistoryModel>(*store, archive);
    }
    void insert(const Task &t)
    {
        if (!store->insertTask(t, {}, 0))
            qFatal("cannot insert %s", qPrintable(t.id));
        if (!t.images.isEmpty() && !store->saveTaskAndImages(t))
            qFatal("cannot save images of %s", qPrintable(t.id));
    }
    HistoryView &view()
    {
        if (!m_view) {
            model->reload();
            m_view = std::make_unique<HistoryView>(*model, *store, archive, *thumbnails);
            m_view->resize(700, 800);
            m_view->show();
        }
        return *m_view;
    }
    QStringList ids() const
    {
        QStringList out;
        for (int r = 0; r < model->rowCount(); ++r)
            out.append(model->index(r).data(HistoryModel::IdRole).toString());
        return out;
    }

    QTemporaryDir dir;
    ImageArchive archive;
    std::unique_ptr<HistoryStore> store;
    std::unique_ptr<ThumbnailLoader> thumbnails;
    std::unique_ptr<HistoryModel> model;
    std::unique_ptr<HistoryView> m_view;
};

} // namespace

class Thistory : public QObject
{
    Q_OBJECT

private slots:
    void searchAsYouTypeIsRanked()
    {
        Fixture f;
        f.insert(
            makeTask(QStringLiteral("once"), kBase + 3, QStringLiteral("a red fox in deep snow at dawn")));
        f.insert(makeTask(QStringLiteral("often"), kBase + 1, QStringLiteral("fox fox fox")));
        f.insert(makeTask(QStringLiteral("whale"), kBase + 2, QStringLiteral("a blue whale")));
        HistoryView &view = f.view();
        QCOMPARE(f.ids(),
                 (QStringList {QStringLiteral("once"), QStringLiteral("whale"), QStringLiteral("often")}));

        QTest::keyClicks(view.searchField(), QStringLiteral("fo"));
        // Debounced: nothing changes while typing, then the prefix search applies.
        QCOMPARE(f.model->rowCount(), 3);
        QTRY_COMPARE(f.model->rowCount(), 2);
        QCOMPARE(f.ids(),
                 (QStringList {QStringLiteral("often"), QStringLiteral("once")})); // best match first
        QTest::keyClicks(view.searchField(), QStringLiteral("x sn"));
        QTRY_COMPARE(f.ids(), QStringList {QStringLiteral("once")});
        // Query syntax is searched as text, never an error.
        view.searchField()->setText(QStringLiteral("\"fox AND (NOT"));
        view.applySearchNow();
        QCOMPARE(f.model->rowCount(), 0);
        view.searchField()->clear();
        view.applySearchNow();
        QCOMPARE(f.model->rowCount(), 3);
    }

    void filtersCombine()
    {
        Fixture f;
        Account other;
        other.id = QStringLiteral("acc-kie");
        other.family = QStringLiteral("kie");
        other.name = QStringLiteral("work");
        QVERIFY(f.store->saveAccount(other).ok());
        f.insert(makeTask(QStringLiteral("i1"), kBase, QStringLiteral("castle")));
        f.insert(makeTask(QStringLiteral("u1"), kBase + 1, QStringLiteral("castle"),
                          act(OperationKind::Upscale, QStringLiteral("i1"), 2)));
        f.insert(makeTask(QStringLiteral("k1"), kBase + 2, QStringLiteral("castle"),
                          withState(TaskState::Failed, other.id)));
        const qint64 now = QDateTime::currentMSecsSinceEpoch() - 1000;
        f.insert(makeTask(QStringLiteral("today"), now, QStringLiteral("castle today"), favourite()));
        HistoryView &view = f.view();
        view.setAccounts({{QString::fromLatin1(Account::kDemoId), QStringLiteral("Demo")},
                          {other.id, QStringLiteral("kie · work")}},
                         {{other.id, QStringLiteral("kie")}});
        QCOMPARE(f.model->rowCount(), 4);

        view.accountFilter()->setCurrentIndex(view.accountFilter()->findData(other.id));
        QCOMPARE(f.ids(), QStringList {QStringLiteral("k1")});
        view.accountFilter()->setCurrentIndex(0);
        view.operationFilter()->setCurrentIndex(view.operationFilter()->findData(QStringLiteral("upscale")));
        QCOMPARE(f.ids(), QStringList {QStringLiteral("u1")});
        view.operationFilter()->setCurrentIndex(0);
        view.stateFilter()->setCurrentIndex(view.stateFilter()->findData(QStringLiteral("failed")));
        QCOMPARE(f.ids(), QStringList {QStringLiteral("k1")});
        view.stateFilter()->setCurrentIndex(0);
        view.dateFilter()->setCurrentIndex(1); // today
        QCOMPARE(f.ids(), QStringList {QStringLiteral("today")});
        view.dateFilter()->setCurrentIndex(0);
        view.favouritesFilter()->setChecked(true);
        QCOMPARE(f.ids(), QStringList {QStringLiteral("today")});
        // With a search: both apply.
        view.favouritesFilter()->setChecked(false);
        view.operationFilter()->setCurrentIndex(view.operationFilter()->findData(QStringLiteral("imagine")));
        view.searchField()->setText(QStringLiteral("today"));
        view.applySearchNow();
        QCOMPARE(f.ids(), QStringList {QStringLiteral("today")});
        view.searchField()->setText(QStringLiteral("castle"));
        view.applySearchNow();
        QCOMPARE(f.model->rowCount(), 3);
    }

    void everyActionHasAKeyAndATooltip()
    {
        Fixture f;
        HistoryView &view = f.view();
        for (const char *name :
             {"open", "reveal", "copyPrompt", "copyImage", "reuse", "favourite", "varyRegion", "delete"}) {
            QAction *a = view.action(QLatin1String(name));
            QVERIFY2(a, name);
            QVERIFY2(!a->toolTip().isEmpty(), name);
            if (!a->shortcut().isEmpty())
                QVERIFY2(a->toolTip().contains(a->shortcut().toString(QKeySequence::NativeText)), name);
        }
        QVERIFY(!view.action(QStringLiteral("reveal"))->shortcut().isEmpty());
        QVERIFY(!view.action(QStringLiteral("varyRegion"))->shortcut().isEmpty());
    }

    void favouriteToggles()
    {
        Fixture f;
        f.insert(makeTask(QStringLiteral("a"), kBase, QStringLiteral("a lighthouse")));
        f.insert(makeTask(QStringLiteral("b"), kBase + 1, QStringLiteral("a harbour")));
        HistoryView &view = f.view();
        view.listView()->setCurrentIndex(f.model->index(1));
        QCOMPARE(view.currentTask()->id, QStringLiteral("a"));
        view.setFocus();
        view.action(QStringLiteral("favourite"))->trigger();
        QVERIFY((*f.store->task(QStringLiteral("a")))->favourite);
        QVERIFY(f.model->index(1).data(HistoryModel::FavouriteRole).toBool());
        QVERIFY(view.action(QStringLiteral("favourite"))->isChecked());
        // An engine update with an older copy does not undo the click.
        Task stale = makeTask(QStringLiteral("a"), kBase, QStringLiteral("a lighthouse"));
        f.model->upsert(stale);
        QVERIFY(f.model->index(1).data(HistoryModel::FavouriteRole).toBool());

        view.favouritesFilter()->setChecked(true);
        QCOMPARE(f.ids(), QStringList {QStringLiteral("a")});
        view.listView()->setCurrentIndex(f.model->index(0));
        view.toggleFavourite();
        QVERIFY(!(*f.store->task(QStringLiteral("a")))->favourite);
        QCOMPARE(f.model->rowCount(), 0); // no longer a favourite: gone from "favourites only"
    }

    void lineageIsOneClickAway()
    {
        Fixture f;
        f.insert(makeTask(QStringLiteral("imagine"), kBase, QStringLiteral("a red fox")));
        f.insert(makeTask(QStringLiteral("u3"), kBase + 1, QStringLiteral("a red fox"),
                          act(OperationKind::Upscale, QStringLiteral("imagine"), 3)));
        Task pan = makeTask(QStringLiteral("pan"), kBase + 2, QStringLiteral("a red fox"),
                            act(OperationKind::Pan, QStringLiteral("u3"), 0));
        pan.operation.direction = QStringLiteral("left");
        f.insert(pan);
        f.insert(makeTask(QStringLiteral("region"), kBase + 3, QStringLiteral("a red fox"),
                          act(OperationKind::Inpaint, QStringLiteral("pan"), 0)));
        HistoryView &view = f.view();
        QVERIFY(f.model->taskAt(0).has_value()); // the page is read, as painting does

        view.listView()->setCurrentIndex(f.model->index(f.model->rowOf(QStringLiteral("u3"))));
        HistoryDetails *details = view.details();
        QCOMPARE(details->parentId(), QStringLiteral("imagine"));
        QCOMPARE(details->childIds(), QStringList {QStringLiteral("pan")});
        QVERIFY(details->browser()->toPlainText().contains(QStringLiteral("from image 3")));

        // Follow the lineage down to the vary region, and back up to the imagine, by clicking links.
        QSignalSpy shown(&view, &HistoryView::showRequested);
        emit details->browser()->anchorClicked(QUrl(QStringLiteral("task:pan")));
        QCOMPARE(view.currentTask()->id, QStringLiteral("pan"));
        QCOMPARE(view.listView()->currentIndex().row(), f.model->rowOf(QStringLiteral("pan")));
        QCOMPARE(shown.last().first().toString(), QStringLiteral("pan"));
        emit details->browser()->anchorClicked(QUrl(QStringLiteral("task:region")));
        QCOMPARE(view.currentTask()->id, QStringLiteral("region"));
        QCOMPARE(details->parentId(), QStringLiteral("pan"));
        QVERIFY(details->childIds().isEmpty());
        emit details->browser()->anchorClicked(QUrl(QStringLiteral("task:pan")));
        emit details->browser()->anchorClicked(QUrl(QStringLiteral("task:u3")));
        emit details->browser()->anchorClicked(QUrl(QStringLiteral("task:imagine")));
        QCOMPARE(view.currentTask()->id, QStringLiteral("imagine"));
        QVERIFY(details->parentId().isEmpty());
        QCOMPARE(details->childIds(), QStringList {QStringLiteral("u3")});

        // A task filtered out of the list is still reachable through its lineage.
        view.searchField()->setText(QStringLiteral("nothing matches this"));
        view.applySearchNow();
        QCOMPARE(f.model->rowCount(), 0);
        emit details->browser()->anchorClicked(QUrl(QStringLiteral("task:u3")));
        QCOMPARE(view.currentTask()->id, QStringLiteral("u3"));
    }

    void pagingStaysRightWhileTasksAreAdded_data()
    {
        QTest::addColumn<QString>("search");
        QTest::newRow("newest first") << QString();
        QTest::newRow("searching") << QStringLiteral("harbour");
    }
    void pagingStaysRightWhileTasksAreAdded()
    {
        QFETCH(QString, search);
        Fixture f;
        const int n = 5 * HistoryModel::kPageSize + 37;
        QStringList expected; // newest first
        for (int i = 0; i < n; ++i) {
            const QString id = QStringLiteral("t%1").arg(i, 4, 10, QLatin1Char('0'));
            f.insert(makeTask(id, kBase + i * 1000, QStringLiteral("a harbour at night")));
            expected.prepend(id);
        }
        HistoryQuery q;
        q.text = search;
        f.model->setQuery(q);
        QCOMPARE(f.model->rowCount(), n);
        QCOMPARE(f.model->loadedPages(), 0); // nothing read before it is shown

        // Read a page in the middle, then tasks arrive (the engine, or another process).
        QCOMPARE(f.model->index(250).data(HistoryModel::IdRole).toString(), expected.at(250));
        QCOMPARE(f.model->loadedPages(), 1);
        QSignalSpy inserted(f.model.get(), &QAbstractItemModel::rowsInserted);
        QStringList added;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < 3; ++i) {
            const QString id = QStringLiteral("new%1").arg(i);
            const Task t = makeTask(id, now + i, QStringLiteral("a harbour in fog"));
            f.insert(t);
            f.model->taskAdded(t);
            added.prepend(id);
        }
        f.insert(makeTask(QStringLiteral("other"), now + 10, QStringLiteral("a desert")));
        f.model->refresh();
        QCOMPARE(inserted.size(), search.isEmpty() ? 4 : 3); // "a desert" only when not searching
        QCOMPARE(f.model->headCount(), search.isEmpty() ? 4 : 3);
        QStringList all = f.ids();
        if (search.isEmpty()) {
            QCOMPARE(all.takeFirst(), QStringLiteral("other"));
        }
        QCOMPARE(all, added + expected); // nothing lost, nothing twice, the old rows in order
        QVERIFY(f.model->loadedPages() <= HistoryModel::kMaxPages);

        // Deleting in the middle keeps the rows aligned with the database.
        const QString victim = expected.at(300);
        QVERIFY(f.store->deleteTask(victim).ok());
        f.model->removeTask(victim);
        expected.removeOne(victim);
        all = f.ids();
        if (search.isEmpty())
            all.removeFirst();
        QCOMPARE(all, added + expected);
    }

    void onlyVisiblePagesAreRead()
    {
        Fixture f;
        for (int i = 0; i < 20 * HistoryModel::kPageSize; ++i)
            f.insert(makeTask(QStringLiteral("t%1").arg(i), kBase + i, QStringLiteral("p %1").arg(i)));
        HistoryView &view = f.view();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(f.model->rowCount(), 20 * HistoryModel::kPageSize);
        QApplication::processEvents();
        QVERIFY2(f.model->loadedPages() <= 3, qPrintable(QString::number(f.model->loadedPages())));
        view.listView()->scrollToBottom();
        QApplication::processEvents();
        QVERIFY(f.model->loadedPages() <= 6);
    }

    void pagesArriveFromTheBackground()
    {
        Fixture f;
        const int n = 3 * HistoryModel::kPageSize;
        for (int i = 0; i < n; ++i)
            f.insert(makeTask(QStringLiteral("t%1").arg(i, 4, 10, QLatin1Char('0')), kBase + i,
                              QStringLiteral("p %1").arg(i)));
        f.model->readPagesFrom(f.store->path());
        f.model->reload();
        QVERIFY(f.model->readsInBackground());
        // data() does not wait: the row is empty until its page arrives, then dataChanged says so.
        QSignalSpy changed(f.model.get(), &QAbstractItemModel::dataChanged);
        QVERIFY(!f.model->index(250).data(HistoryModel::IdRole).isValid());
        QCOMPARE(f.model->pendingPages(), 1);
        QTRY_COMPARE(f.model->pendingPages(), 0);
        QVERIFY(!changed.isEmpty());
        QCOMPARE(f.model->index(250).data(HistoryModel::IdRole).toString(), QStringLiteral("t0049"));
        // An answer for rows that moved meanwhile (a reload) is dropped.
        QVERIFY(!f.model->index(150).data(HistoryModel::IdRole).isValid());
        f.model->reload();
        QTRY_COMPARE(f.model->pendingPages(), 0);
        QCOMPARE(f.model->loadedPages(), 0);
        QTRY_COMPARE(f.model->index(150).data(HistoryModel::IdRole).toString(), QStringLiteral("t0149"));
    }

    void deleteAsksFirstAndTrashesFiles()
    {
        Fixture f;
        Task t = makeTask(QStringLiteral("gone"), kBase, QStringLiteral("to be deleted"));
        addImage(t, f.archive, Qt::red);
        f.insert(t);
        f.insert(makeTask(QStringLiteral("kept"), kBase - 1, QStringLiteral("kept")));
        const QString file = f.archive.absolutePath(t.images.first().path);
        QVERIFY(QFileInfo::exists(file));
        HistoryView &view = f.view();
        view.listView()->setCurrentIndex(f.model->index(0));
        QCOMPARE(view.currentTask()->id, QStringLiteral("gone"));

        // The real question box: answered Cancel, nothing happens.
        QString asked;
        QTimer::singleShot(0, this, [&asked] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            QVERIFY(box);
            asked = box->text();
            box->button(QMessageBox::Cancel)->click();
        });
        view.action(QStringLiteral("delete"))->trigger();
        QVERIFY(asked.contains(QStringLiteral("to be deleted")));
        QVERIFY(asked.contains(QStringLiteral("trash")));
        QVERIFY(f.store->task(QStringLiteral("gone"))->has_value());
        QVERIFY(QFileInfo::exists(file));

        // Confirmed: the task leaves the database and the list, its file goes to the trash. The trash is
        // the test's own folder, so this runs alike on a machine that has a system trash and on one that
        // has none (ImageArchive::systemTrash is tested in tst_imagearchive).
        const QString trashFolder = f.dir.filePath(QStringLiteral("trash"));
        QVERIFY(QDir().mkpath(trashFolder));
        f.archive.setTrash([&trashFolder](const QString &path, QString *) {
            return QFile::rename(path, trashFolder + QLatin1Char('/') + QFileInfo(path).fileName());
        });
        QSignalSpy deleted(&view, &HistoryView::taskDeleted);
        QSignalSpy said(&view, &HistoryView::message);
        view.setConfirm([](QWidget *, const QString &) { return true; });
        view.deleteCurrent();
        QCOMPARE(deleted.size(), 1);
        QVERIFY(!f.store->task(QStringLiteral("gone"))->has_value());
        QVERIFY(!QFileInfo::exists(file));
        QVERIFY(QFileInfo::exists(trashFolder + QLatin1Char('/') + QFileInfo(file).fileName()));
        QCOMPARE(f.ids(), QStringList {QStringLiteral("kept")});
        QCOMPARE(said.size(), 1);
        QCOMPARE(said.first().at(0).toString(), QStringLiteral("Task deleted; its files are in the trash"));
        QCOMPARE(said.first().at(1).toBool(), false);

        // A task under way is refused without asking.
        Task running = makeTask(QStringLiteral("busy"), kBase + 5, QStringLiteral("busy"),
                                withState(TaskState::Running));
        f.insert(running);
        f.model->reload();
        view.selectTask(QStringLiteral("busy"));
        QVERIFY(!view.action(QStringLiteral("delete"))->isEnabled());
        bool askedAgain = false;
        view.setConfirm([&askedAgain](QWidget *, const QString &) { return askedAgain = true; });
        view.deleteCurrent();
        QVERIFY(!askedAgain);
        QVERIFY(f.store->task(QStringLiteral("busy"))->has_value());
    }

    void deleteWithoutATrashKeepsTheFiles()
    {
        // A system without a trash (or one that refuses the folder): the task leaves the history, its
        // files stay in the archive, and the user is told so, as an error.
        Fixture f;
        Task t = makeTask(QStringLiteral("kept-files"), kBase, QStringLiteral("no trash here"));
        addImage(t, f.archive, Qt::green);
        f.insert(t);
        const QString file = f.archive.absolutePath(t.images.first().path);
        f.archive.setTrash([](const QString &, QString *) { return false; });
        HistoryView &view = f.view();
        view.selectTask(QStringLiteral("kept-files"));
        QSignalSpy deleted(&view, &HistoryView::taskDeleted);
        QSignalSpy said(&view, &HistoryView::message);
        view.setConfirm([](QWidget *, const QString &) { return true; });
        view.deleteCurrent();
        QCOMPARE(deleted.size(), 1);
        QVERIFY(!f.store->task(QStringLiteral("kept-files"))->has_value());
        QVERIFY(QFileInfo::exists(file));
        QCOMPARE(said.size(), 1);
        const QString text = said.first().at(0).toString();
        QVERIFY2(text.contains(QStringLiteral("stay in the archive")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("no trash")), qPrintable(text));
        QVERIFY2(text.contains(QDir::toNativeSeparators(file)), qPrintable(text));
        QCOMPARE(said.first().at(1).toBool(), true);
    }

    void copyAndDragGiveTheFiles()
    {
        Fixture f;
        Task t = makeTask(QStringLiteral("img"), kBase, QStringLiteral("a copper kettle"));
        addImage(t, f.archive, Qt::blue, {64, 48});
        f.insert(t);
        HistoryView &view = f.view();
        view.listView()->setCurrentIndex(f.model->index(0));
        view.copyPrompt();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("a copper kettle"));
        view.copyImage();
        QTRY_COMPARE(QGuiApplication::clipboard()->image().size(), QSize(64, 48));
        std::unique_ptr<QMimeData> drag(f.model->mimeData({f.model->index(0)}));
        QVERIFY(drag);
        QCOMPARE(drag->urls().size(), 1);
        QCOMPARE(drag->urls().first().toLocalFile(), f.archive.absolutePath(t.images.first().path));
        QVERIFY(f.model->flags(f.model->index(0)) & Qt::ItemIsDragEnabled);
    }

    void thumbnailsArePaintedFromTheLoader()
    {
        Fixture f;
        for (int i = 0; i < 6; ++i) {
            Task t = makeTask(QStringLiteral("i%1").arg(i), kBase + i, QStringLiteral("tile %1").arg(i));
            addImage(t, f.archive, QColor::fromHsv(i * 50, 200, 200), {800, 600});
            f.insert(t);
        }
        HistoryView &view = f.view();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const Task first = *f.model->taskAt(0);
        const auto item = f.thumbnails->item(f.archive.absolutePath(first.images.first().path),
                                             first.images.first().hash, 112);
        QTRY_VERIFY(f.thumbnails->contains(item));
        QVERIFY(f.thumbnails->thumbnail(item).width() <= 128);
    }

    void thumbnailMemoryIsBoundedAndStaleWorkDropped()
    {
        QTemporaryDir dir;
        ImageArchive archive(dir.filePath(QStringLiteral("a")));
        QList<ThumbnailLoader::Item> items;
        // Each thumbnail is 256×256×4 = 256 KiB in memory: the loader may hold three.
        ThumbnailLoader loader(dir.filePath(QStringLiteral("thumbs")), 3 * 256 * 1024 + 100);
        for (int i = 0; i < 40; ++i) {
            Task t = makeTask(QStringLiteral("m%1").arg(i), kBase, QString());
            addImage(t, archive, QColor::fromHsv(i * 9, 255, 255), {512, 512});
            items.append(
                loader.item(archive.absolutePath(t.images.first().path), t.images.first().hash, 256));
        }
        // Everything is wanted, then the user scrolls: only the last five stay wanted.
        loader.setWanted(items);
        QVERIFY(loader.running() <= 2);
        loader.setWanted(items.mid(35));
        QVERIFY(loader.cancelled() >= 30);
        QTRY_COMPARE(loader.queued() + loader.running(), 0);
        QVERIFY2(loader.started() <= 9, qPrintable(QString::number(loader.started())));
        QVERIFY(loader.bytesUsed() <= loader.maxBytes());
        // A painted item jumps the queue, and the bound holds however many are asked for.
        for (const auto &item : items)
            loader.thumbnail(item);
        QCOMPARE(loader.thumbnail(items.at(0)).isNull(), !loader.contains(items.at(0)));
        QTRY_COMPARE(loader.queued() + loader.running(), 0);
        QVERIFY(loader.bytesUsed() <= loader.maxBytes());
        QVERIFY(loader.bytesUsed() >= 2 * 256 * 1024);
        // The first two were done before the scroll; of the rest, the last ones finished are kept.
        QVERIFY(loader.contains(items.at(2)) || loader.contains(items.at(3)) || loader.contains(items.at(4)));
    }

    void reuseParametersAndVaryRegionThroughTheWindow()
    {
        QTemporaryDir dir;
        AppCore::Options options;
        options.paths = AppPaths::under(dir.path());
        auto core = AppCore::open(options);
        QVERIFY(core.ok());
        Task t = makeTask(QStringLiteral("src"), kBase, QStringLiteral("an old map of the moon"));
        t.operation.aspectRatio = QStringLiteral("16:9");
        t.operation.chaos = 20;
        QVERIFY((*core)->store().insertTask(t, {}, 0).ok());
        QVERIFY((*core)
                    ->store()
                    .insertTask(makeTask(QStringLiteral("up"), kBase + 1, t.prompt,
                                         act(OperationKind::Upscale, QStringLiteral("src"), 2)),
                                {}, 0)
                    .ok());
        AppSettings settings(dir.filePath(QStringLiteral("settings.ini")));
        MainWindow window(**core, settings);
        window.show();
        HistoryView *view = window.history();
        view->selectTask(QStringLiteral("up"));
        QCOMPARE(view->currentTask()->id, QStringLiteral("up"));
        view->action(QStringLiteral("reuse"))->trigger();
        // An upscale's parameters are its imagine's.
        const Operation op = window.compose()->operation();
        QCOMPARE(op.kind, OperationKind::Imagine);
        QCOMPARE(op.prompt, QStringLiteral("an old map of the moon"));
        QCOMPARE(op.aspectRatio, QStringLiteral("16:9"));
        QCOMPARE(op.chaos, std::optional<int>(20));
        QCOMPARE(window.compose()->currentAccountId(), QString::fromLatin1(Account::kDemoId));

        // Vary Region… from the history: the task opens in the Gallery and the mask editor opens on it.
        Task single = makeTask(QStringLiteral("single"), kBase + 2, t.prompt,
                               act(OperationKind::Upscale, QStringLiteral("src"), 1));
        addImage(single, (*core)->archive(), Qt::darkGreen, {96, 96});
        QVERIFY((*core)->store().insertTask(single, {}, 0).ok());
        QVERIFY((*core)->store().saveTaskAndImages(single).ok());
        window.historyModel()->refresh();
        view->selectTask(QStringLiteral("single"));
        QVERIFY(view->action(QStringLiteral("varyRegion"))->isEnabled());
        QSignalSpy opened(window.gallery(), &GalleryView::maskEditorOpened);
        view->varyRegion(0);
        QCOMPARE(window.gallery()->task()->id, QStringLiteral("single"));
        QTRY_COMPARE(opened.size(), 1);
        opened.first().first().value<QWidget *>()->close();
    }

    // Issue 12: the History's Vary Region… is offered exactly when the Gallery offers Region for the same
    // image. kie has no vary region, so a kie upscale gets it greyed with kie's reason; the demo's
    // upscale gets it enabled.
    void varyRegionOfferedAsInTheGallery()
    {
        QTemporaryDir dir;
        AppCore::Options options;
        options.paths = AppPaths::under(dir.path());
        auto core = AppCore::open(options);
        QVERIFY(core.ok());
        Account kie;
        kie.id = QStringLiteral("acc-kie");
        kie.family = QStringLiteral("kie");
        kie.name = QStringLiteral("kie account");
        QVERIFY((*core)->store().saveAccount(kie).ok());
        struct Case
        {
            QString id;
            QString account;
            bool offered;
        };
        const QList<Case> cases {{QStringLiteral("kie-up"), kie.id, false},
                                 {QStringLiteral("demo-up"), QString::fromLatin1(Account::kDemoId), true}};
        qint64 created = kBase;
        for (const Case &c : cases) {
            Task t = makeTask(c.id, ++created, QStringLiteral("a lighthouse"),
                              act(OperationKind::Upscale, QStringLiteral("parent-") + c.id, 1));
            t.accountId = c.account;
            t.remoteId = QStringLiteral("remote-") + c.id;
            addImage(t, (*core)->archive(), Qt::darkCyan, {128, 128});
            QVERIFY((*core)->store().insertTask(t, {}, 0).ok());
            QVERIFY((*core)->store().saveTaskAndImages(t).ok());
        }
        AppSettings settings(dir.filePath(QStringLiteral("settings.ini")));
        MainWindow window(**core, settings);
        window.show();
        HistoryView *view = window.history();
        window.historyModel()->refresh();
        for (const Case &c : cases) {
            view->selectTask(c.id);
            QCOMPARE(view->currentTask()->id, c.id);
            QAction *vary = view->action(QStringLiteral("varyRegion"));
            window.showTask(c.id);
            const Availability inGallery = window.gallery()->availability(OperationKind::Inpaint);
            QCOMPARE(window.gallery()->task()->id, c.id);
            QCOMPARE(vary->isEnabled(), c.offered);
            QCOMPARE(inGallery.enabled, c.offered);
            if (!c.offered) {
                QVERIFY2(vary->toolTip().contains(inGallery.reason), qPrintable(vary->toolTip()));
                QVERIFY2(inGallery.reason.contains(QLatin1String("kie has no")),
                         qPrintable(inGallery.reason));
            }
        }
    }
};

QTEST_MAIN(Thistory)
#include "tst_history.moc"
