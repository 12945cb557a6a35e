#include "generalpage.h"

#include "settingsnote.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>

namespace tessera::ui {

GeneralPage::GeneralPage(const QString &archiveDir, QWidget *parent)
    : QWidget(parent)
{
    QWidget *page = this;
    auto *form = new QFormLayout(page);
    auto *archive = new QLabel(archiveDir, page);
    archive->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Archive folder"), archive);
    form->addRow(
        QString(),
        settingsNote(tr("Moving the archive is not available yet; the folder above holds every image."),
                     page));
    auto *notify = new QCheckBox(tr("Notify when a task ends while Tessera is in the background"), page);
    notify->setChecked(true);
    notify->setEnabled(false);
    form->addRow(tr("Notifications"), notify);
    form->addRow(QString(),
                 settingsNote(tr("Not configurable yet: Tessera asks for attention in the task bar when a "
                                 "task ends."),
                              page));
    auto *theme = new QComboBox(page);
    theme->addItem(tr("Follow the system"));
    theme->setEnabled(false);
    form->addRow(tr("Theme"), theme);
    auto *language = new QComboBox(page);
    language->addItem(QStringLiteral("English"));
    language->setEnabled(false);
    form->addRow(tr("Language"), language);
    form->addRow(QString(),
                 settingsNote(tr("Other themes and the Russian, Spanish and Chinese translations are not "
                                 "available yet."),
                              page));
    form->addRow(tr("Tasks at once"),
                 settingsNote(tr("Set per account (the \"Tasks at once\" option of each account)."), page));
}

} // namespace tessera::ui
