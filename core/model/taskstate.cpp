#include "taskstate.h"

#include <QCoreApplication>

#include <array>

namespace tessera {

namespace {

struct StateInfo
{
    TaskState state;
    const char *name;
    const char *label;
};

constexpr std::array kStates {
    StateInfo {TaskState::Queued, "queued", QT_TRANSLATE_NOOP("TaskState", "Queued")},
    StateInfo {TaskState::Submitting, "submitting", QT_TRANSLATE_NOOP("TaskState", "Submitting")},
    StateInfo {TaskState::Submitted, "submitted", QT_TRANSLATE_NOOP("TaskState", "Submitted")},
    StateInfo {TaskState::Running, "running", QT_TRANSLATE_NOOP("TaskState", "Running")},
    StateInfo {TaskState::Succeeded, "succeeded", QT_TRANSLATE_NOOP("TaskState", "Done")},
    StateInfo {TaskState::Failed, "failed", QT_TRANSLATE_NOOP("TaskState", "Failed")},
    StateInfo {TaskState::Cancelled, "cancelled", QT_TRANSLATE_NOOP("TaskState", "Cancelled")},
    StateInfo {TaskState::Unfinished, "unfinished",
               QT_TRANSLATE_NOOP("TaskState", "Unfinished — check later")},
    StateInfo {TaskState::Unknown, "unknown", QT_TRANSLATE_NOOP("TaskState", "Unknown — check")},
};

} // namespace

QString taskStateName(TaskState state)
{
    return QString::fromLatin1(kStates[static_cast<std::size_t>(state)].name);
}

TaskState taskStateFromName(const QString &name, bool *ok)
{
    for (const auto &s : kStates) {
        if (name == QLatin1String(s.name)) {
            if (ok)
                *ok = true;
            return s.state;
        }
    }
    if (ok)
        *ok = false;
    return TaskState::Unknown;
}

QString taskStateLabel(TaskState state)
{
    return QCoreApplication::translate("TaskState", kStates[static_cast<std::size_t>(state)].label);
}

bool isActive(TaskState state)
{
    return state == TaskState::Queued || state == TaskState::Submitting || state == TaskState::Submitted
        || state == TaskState::Running;
}

bool isTerminal(TaskState state)
{
    return !isActive(state);
}

bool isFinal(TaskState state)
{
    return state == TaskState::Succeeded || state == TaskState::Failed || state == TaskState::Cancelled;
}

} // namespace tessera
