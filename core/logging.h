#pragma once

#include <QLoggingCategory>

// One category per area (STYLE.md). Enable with QT_LOGGING_RULES="tessera.*.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcNet)
Q_DECLARE_LOGGING_CATEGORY(lcTasks)
Q_DECLARE_LOGGING_CATEGORY(lcStorage)
Q_DECLARE_LOGGING_CATEGORY(lcDemo)
