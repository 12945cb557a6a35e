#pragma once

#include "operation.h"

#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

namespace tessera {

// An integer parameter's accepted values: min..max in steps of `step` (from `min`).
struct IntRange
{
    int min = 0;
    int max = 0;
    int step = 1;
    bool supported = false;

    bool accepts(int value) const
    {
        return supported && value >= min && value <= max && (value - min) % step == 0;
    }
};

// What a family offers, for the Compose panel and the CLI. Which actions a particular task allows is
// asked of the adapter (ProviderAdapter::availability) because it can depend on the task (mjproxy
// buttons, grid or single image).
struct Capabilities
{
    QList<GenerateType> generateTypes;
    QSet<OperationKind> operations;
    QStringList aspectRatios;
    QStringList versions; // Tessera's spelling ("7", "6.1", "niji6")
    QStringList speeds;
    IntRange chaos;
    IntRange stylize;
    IntRange weird;
    IntRange omniWeight;
    int maxPromptLength = 2000;
    int maxReferences = 5;
    QStringList upscaleVariants; // "subtle", "creative", "2x", "4x"
    QStringList varyVariants; // "subtle", "strong"
    bool serverCancel = false;
    bool reportsProgress = false;
    // How many days the vendor keeps result URLs working (PROVIDERS.md, "General rules"). 0 = results
    // do not expire, or the family does not say.
    int resultRetentionDays = 0;
    // How a vary-region mask goes over the wire (PROVIDERS.md "Mask PNGs everywhere"): the adapters
    // encode it; the mask editor shows and previews it. None when the family has no vary region.
    enum class MaskWire { None, Base64Png, DataUrlPng, Polygons };
    MaskWire maskWire = MaskWire::None;

    // What goes on the wire for a field left at "default" where the vendor requires the field
    // (PROVIDERS.md §2 Decision for apixo's version and speed; the required fields of §1 and §3), in the
    // vendor's spelling, by generate type. A type not listed: nothing is sent and the server uses its
    // own default. Compose shows the value ("default (v6.1)") so that what is sent is visible.
    QMap<GenerateType, QString> versionWhenUnset;
    QMap<GenerateType, QString> speedWhenUnset;
    QMap<GenerateType, QString> motionWhenUnset;

    bool supports(OperationKind kind) const { return operations.contains(kind); }
};

// Whether an action can be offered now, and if not, why (shown as the disabled control's tooltip).
struct Availability
{
    bool enabled = false;
    QString reason;
    // Offered, but it may not work out and something is charged first (midjourney-proxy runs the tile's
    // U before an action whose button the upscale may lack): said in the tooltip, and asked before
    // anything is sent from the GUI.
    QString caveat;

    static Availability yes() { return {true, {}, {}}; }
    static Availability no(QString why) { return {false, std::move(why), {}}; }
    static Availability maybe(QString caveat) { return {true, {}, std::move(caveat)}; }
};

} // namespace tessera
