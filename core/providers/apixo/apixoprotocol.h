#pragma once

#include "model/account.h"
#include "model/error.h"
#include "model/operation.h"
#include "model/result.h"

#include <QString>
#include <QStringList>

#include <optional>

// What the apixo adapter's source files share (apixoadapter.cpp defines it). Private to
// core/providers/apixo; the vendor's spellings themselves are in apixowire.h.
namespace tessera::apixo::detail {

QString tr(const char *text);
Error invalid(const QString &message); // an InvalidRequest; `message` names the field

// The 11 aspect ratios of the vendor doc.
const QStringList &aspectRatios();

// Tessera's version ("7", "niji6") as apixo spells it ("v7", "niji 6"); empty when apixo has none.
QString vendorVersion(const QString &version);

// input.type of a vary or upscale for Tessera's variant ("" = plain V/U); nullopt when not offered.
std::optional<int> variantType(OperationKind kind, const QString &variant);
// The named variants a vary or upscale offers ("subtle", "strong" / "creative", "2x", "4x").
QStringList variantsOffered(OperationKind kind);

// The account options of PRODUCT.md, checked: "routing" (sent as `provider`, default "auto") and
// "mask-format" ("raster", the default, or "polygons").
Result<QString> routing(const Account &account);
Result<QString> maskFormat(const Account &account);

// What apixo does not offer at all, as the user calls it ("pan", "style reference"); empty when it does.
QString missingFeature(const Operation &op);

} // namespace tessera::apixo::detail
