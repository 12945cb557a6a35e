#pragma once

#include <QWidget>

namespace tessera::ui {

// Settings → General: where the archive is, and the settings later issues make configurable
// (notifications, theme, language), shown disabled with what they do today.
class GeneralPage : public QWidget
{
    Q_OBJECT
public:
    explicit GeneralPage(const QString &archiveDir, QWidget *parent = nullptr);
};

} // namespace tessera::ui
