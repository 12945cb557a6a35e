#pragma once

#include "model/operation.h"
#include "model/taskstate.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVariantList>

namespace tessera {

// What the history browser asks for (HistoryStore::queryTasks / countTasks). Every filter that is set
// must hold (they combine with AND); an empty list, an invalid time or false does not filter.
struct HistoryQuery
{
    // Full-text search over prompts (ftsMatchExpression); blank, or only punctuation, = no text filter.
    QString text;
    QStringList accountIds; // any of these accounts
    QList<OperationKind> operations; // any of these operations
    QList<TaskState> states; // any of these states
    // Creation time: from inclusive, to exclusive ([from, to), so that day ranges chain). A pager sets
    // `to` to the time of its first page so that tasks added meanwhile do not shift its offsets.
    QDateTime from;
    QDateTime to;
    bool favouritesOnly = false;

    bool hasText() const; // ftsMatchExpression(text) is not empty
    bool hasFilters() const; // a filter other than the text is set
};

// Turns what a user typed into an FTS5 MATCH expression that can never be a syntax error, whatever the
// text holds (quotes, AND/OR/NOT/NEAR, `-`, `:`, `*`, `^`, parentheses, `--ar 16:9`, control characters):
// - the text is cut at white space; each piece becomes one quoted FTS5 string (`"` doubled), so query
//   syntax typed by the user is searched as text, never obeyed. The tokenizer then splits a piece the way
//   it splits prompts: `16:9` is the phrase "16 9", `red_fox` the phrase "red fox";
// - every piece is a prefix query (`"piece"*`): `fox` finds "foxes", `cyber` finds "cyberpunk", and
//   results do not jump between "finished" and "still typing" words, as they would if only the last one
//   were a prefix;
// - pieces without a letter or digit (`-`, `--`, `::`) are dropped: as empty phrases they would match
//   nothing at all;
// - the pieces combine with AND (FTS5's implicit AND), in any order.
// Returns an empty string when nothing searchable remains: no text filter.
QString ftsMatchExpression(const QString &text);

// The SQL condition of a query's filters (not the text) over the columns of `tasks`, with `?` markers
// and their values in order; empty `sql` when no filter is set. `favourite = 1` is written literally so
// that SQLite can use the partial index on favourites.
struct SqlCondition
{
    QString sql;
    QVariantList bindings;
};
SqlCondition historyFilterCondition(const HistoryQuery &query);

} // namespace tessera

Q_DECLARE_METATYPE(tessera::HistoryQuery)
