#pragma once

#include "model/account.h"

#include <QString>

namespace tessera {
class ProviderRegistry;
}

namespace tessera::ui {

// How the account's family receives a vary-region mask (Capabilities::maskWire), for the mask editor's
// "preview what will be sent" and the line under its prompt. The adapters do the actual encoding from
// the PNG the editor hands over; this only describes it to the user.
struct MaskTarget
{
    enum class Wire { Base64Png, DataUrlPng, Polygons };
    Wire wire = Wire::Base64Png;
    double epsilon = 1.0; // polygon simplification tolerance, pixels
    QString description; // "a base64 PNG (kolersky)"
};

MaskTarget maskTargetFor(const ProviderRegistry &providers, const Account &account);

} // namespace tessera::ui
