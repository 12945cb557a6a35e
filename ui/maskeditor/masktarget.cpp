#include "masktarget.h"

#include "providers/providerregistry.h"

#include <QCoreApplication>

namespace tessera::ui {

MaskTarget maskTargetFor(const ProviderRegistry &providers, const Account &account)
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("MaskTarget", text); };
    const ProviderAdapter *adapter = providers.adapter(account.family);
    const QString family = adapter ? adapter->displayName() : account.family;
    MaskTarget target;
    switch (adapter ? adapter->capabilities(account).maskWire : Capabilities::MaskWire::None) {
    case Capabilities::MaskWire::Polygons:
        target.wire = MaskTarget::Wire::Polygons;
        target.description = tr("polygon areas (%1, mask-format = polygons)").arg(family);
        break;
    case Capabilities::MaskWire::DataUrlPng:
        target.wire = MaskTarget::Wire::DataUrlPng;
        target.description = tr("a PNG data URL (%1)").arg(family);
        break;
    case Capabilities::MaskWire::Base64Png:
    case Capabilities::MaskWire::None:
        target.description = tr("a base64 PNG (%1)").arg(family);
        break;
    }
    return target;
}

} // namespace tessera::ui
