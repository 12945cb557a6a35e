#pragma once

#include "model/account.h"
#include "model/task.h"

#include <QString>

namespace tessera::ui {

// The Gallery's side pane as HTML: what was asked (operation, prompt, parameters), with which account,
// when, how long it took, the ids, and the vendor's message when something went wrong.
QString taskDetailsHtml(const Task &task, const Account &account);

} // namespace tessera::ui
