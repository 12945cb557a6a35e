#pragma once

#include "operation.h"
#include "result.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace tessera {

// Midjourney-style parameters typed inside a prompt ("a fox --ar 16:9 --v 7 --chaos 10"). Families
// that take JSON fields get them lifted into the fields (PRODUCT.md, Compose); families that take the
// prompt as text (mjproxy) send it as typed.
struct PromptFlags
{
    QString text; // the prompt without the recognised flags, whitespace tidied
    QString aspectRatio; // --ar / --aspect
    QString version; // --v / --version, --niji [n] → "niji6"
    QString speed; // --fast / --relax / --turbo
    std::optional<int> chaos; // --chaos / --c
    std::optional<int> stylize; // --stylize / --s
    std::optional<int> weird; // --weird / --w
    std::optional<int> omniWeight; // --ow
    std::optional<qint64> seed; // --seed
    QStringList kept; // flags left in the text because they have no field (--no, --sref, --tile, ...)
    QStringList problems; // "--chaos: \"abc\" is not a number", "--ar given twice"

    static PromptFlags parse(const QString &prompt);

    // The fields a flag fills, by name: "ar", "v" (also --version, --niji), "speed" (--fast, --relax,
    // --turbo), "chaos", "stylize", "weird".
    // Whether `prompt` holds the flag `field` (under any of its spellings).
    static bool has(const QString &prompt, const QString &field);
    // `prompt` with the flag of `field` set to `value` where the first of its spellings stands (written in
    // full: "--s 50" becomes "--stylize 100"; any repeat removed), appended when absent, or removed when
    // `value` is empty. The rest of the prompt is left exactly as typed. A version "niji6" is written
    // "--niji 6"; a speed "relaxed" "--relax".
    static QString withFlag(const QString &prompt, const QString &field, const QString &value);
};

// The operation with flags from its prompt moved into its fields. A flag that contradicts a field the
// user also set, or a flag whose value cannot be read, is an InvalidRequest naming the flag.
Result<Operation> liftPromptFlags(const Operation &op);

} // namespace tessera
