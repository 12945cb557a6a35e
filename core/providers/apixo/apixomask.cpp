#include "apixomask.h"

#include "mask/maskexport.h"

namespace tessera::apixo {

QJsonArray maskAreas(const QImage &mask, double epsilon)
{
    QJsonArray areas;
    for (const QPolygon &polygon : mask::polygonAreas(mask, epsilon)) {
        QJsonArray points;
        for (const QPoint &p : polygon) {
            points.append(p.x());
            points.append(p.y());
        }
        areas.append(QJsonObject {{QStringLiteral("width"), mask.width()},
                                  {QStringLiteral("height"), mask.height()},
                                  {QStringLiteral("points"), points}});
    }
    return areas;
}

QJsonObject maskPayload(const QImage &mask, double epsilon)
{
    const QJsonObject size {{QStringLiteral("width"), mask.width()},
                            {QStringLiteral("height"), mask.height()}};
    QJsonObject position = size;
    position.insert(QStringLiteral("x"), 0);
    position.insert(QStringLiteral("y"), 0);
    return {{QStringLiteral("mask"), QJsonObject {{QStringLiteral("areas"), maskAreas(mask, epsilon)}}},
            {QStringLiteral("canvas"), size},
            {QStringLiteral("imgPos"), position}};
}

} // namespace tessera::apixo
