#include "blobmask.h"

#include <QPainter>
#include <QRandomGenerator>

#include <algorithm>

namespace tessera::test {

QImage blobMask(QSize size, int count, quint32 seed)
{
    QImage mask(size, QImage::Format_Grayscale8);
    mask.fill(0);
    QPainter p(&mask);
    p.setRenderHint(QPainter::Antialiasing, false);
    QRandomGenerator random(seed);
    const int side = std::min(size.width(), size.height());
    for (int i = 0; i < count; ++i) {
        const double r = side * (0.02 + 0.05 * random.generateDouble());
        const QPointF c(r + random.generateDouble() * (size.width() - 2 * r),
                        r + random.generateDouble() * (size.height() - 2 * r));
        p.save();
        p.translate(c);
        p.rotate(random.bounded(180));
        p.setPen(Qt::NoPen);
        p.setBrush(Qt::white);
        p.drawEllipse(QPointF(0, 0), r, r * (0.5 + 0.5 * random.generateDouble()));
        p.setBrush(Qt::black);
        p.drawEllipse(QPointF(r * 0.2, 0), r * 0.25, r * 0.15);
        if (i % 3 == 0) {
            p.drawEllipse(QPointF(-r * 0.4, 0), r * 0.2, r * 0.2);
            p.setBrush(Qt::white);
            p.drawEllipse(QPointF(-r * 0.4, 0), r * 0.08, r * 0.08);
        }
        p.restore();
    }
    p.end();
    // Painting without antialiasing leaves only 0 and 255; make sure of it.
    for (int y = 0; y < mask.height(); ++y) {
        uchar *row = mask.scanLine(y);
        for (int x = 0; x < mask.width(); ++x)
            row[x] = row[x] >= 128 ? 255 : 0;
    }
    return mask;
}

} // namespace tessera::test
