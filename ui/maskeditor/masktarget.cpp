#include "masktarget.h"

#include <QCoreApplication>

namespace tessera::ui {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("MaskTarget", text);
}
} // namespace

MaskTarget maskTargetFor(const Account &account)
{
    MaskTarget target;
    if (account.family == QLatin1String("apixo")) {
        if (account.options.value(QStringLiteral("mask-format")).toString() == QLatin1String("polygons")) {
            target.wire = MaskTarget::Wire::Polygons;
            target.description = tr("polygon areas (apixo upload-paint, mask-format = polygons)");
        } else {
            target.wire = MaskTarget::Wire::DataUrlPng;
            target.description = tr("a PNG data URL (apixo upload-paint, mask-format = raster)");
        }
    } else if (account.family == QLatin1String("mjproxy")) {
        target.wire = MaskTarget::Wire::DataUrlPng;
        target.description = tr("a PNG data URL (midjourney-proxy Inpaint, maskBase64)");
    } else if (account.family == QLatin1String("kolersky")) {
        target.description = tr("a base64 PNG (kolersky /inpaint)");
    } else {
        target.description = tr("a base64 PNG (%1)").arg(account.family);
    }
    return target;
}

} // namespace tessera::ui
