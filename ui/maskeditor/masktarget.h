#pragma once

#include "model/account.h"

#include <QString>

namespace tessera::ui {

// How a family receives a vary-region mask (PROVIDERS.md "Mask PNGs everywhere", §1–§4), for the mask
// editor's "preview what will be sent" and its Submit label. The adapters do the actual encoding from
// the PNG the editor hands over; this only describes it to the user.
struct MaskTarget
{
    enum class Wire { Base64Png, DataUrlPng, Polygons };
    Wire wire = Wire::Base64Png;
    double epsilon = 1.0; // polygon simplification tolerance, pixels
    QString description; // "a base64 PNG (kolersky /inpaint)"
};

MaskTarget maskTargetFor(const Account &account);

} // namespace tessera::ui
