#include "logging.h"

Q_LOGGING_CATEGORY(lcNet, "tessera.net", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTasks, "tessera.tasks", QtWarningMsg)
Q_LOGGING_CATEGORY(lcStorage, "tessera.storage", QtWarningMsg)
Q_LOGGING_CATEGORY(lcDemo, "tessera.demo", QtWarningMsg)
