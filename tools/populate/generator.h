#pragma once

// The synthetic history of tessera-populate: tasks that look like a real two-year history (four
// families, lineage of upscales, variations and pans, failures with vendors' words, real image files
// in the archive), deterministic for a seed. A developer tool: it does not ship.

#include "model/result.h"
#include "model/task.h"

#include <QString>

#include <array>
#include <memory>

namespace tessera::populate {

struct Family
{
    const char *family;
    const char *name;
    int weight; // share of the root tasks, in percent
};
inline constexpr std::array<Family, 4> kFamilies {{{"kolersky", "Kolersky (generated)", 40},
                                                   {"apixo", "Apixo (generated)", 25},
                                                   {"kie", "Kie (generated)", 25},
                                                   {"mjproxy", "Proxy (generated)", 10}}};

// Generated accounts carry the id prefix "populate-": a task on any other account is the user's own,
// and a data directory holding one is not populated without --force.
QString accountIdOf(const Family &family);

// Makes the tasks, oldest first, and places their files in the archive.
class Generator
{
public:
    // `firstNumber`: how many generated tasks the history already holds (ids go on from there, so a
    // second run adds to the first instead of colliding with it).
    Generator(quint64 seed, int count, int firstNumber, const QString &archiveRoot);
    ~Generator();
    Generator(const Generator &) = delete;
    Generator &operator=(const Generator &) = delete;

    // Task number `i` (0 = the oldest) with its files written.
    Result<Task> make(int i);
    int images() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace tessera::populate
