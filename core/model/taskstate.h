#pragma once

#include <QMetaType>
#include <QString>

namespace tessera {

// Where a task is in its life. The order of a normal run: Queued → Submitting → Submitted → Running →
// Succeeded. Failed and Cancelled end a task for good. Unfinished (polling cap reached) and Unknown (the
// process died while the submit may have been on the wire) stop a run but can be checked again.
enum class TaskState {
    Queued,
    Submitting,
    Submitted,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Unfinished,
    Unknown,
};

QString taskStateName(TaskState state); // "queued", "running", ... as in the CLI's --json
TaskState taskStateFromName(const QString &name, bool *ok = nullptr);
QString taskStateLabel(TaskState state); // "Queued", "Running", ... for people

// Work is under way (or waiting for a slot): the engine owns the task.
bool isActive(TaskState state);
// The run has ended; exactly one terminal signal is emitted when a task enters one of these.
bool isTerminal(TaskState state);
// Ended for good: no check or resume will change it.
bool isFinal(TaskState state);

} // namespace tessera

Q_DECLARE_METATYPE(tessera::TaskState)
