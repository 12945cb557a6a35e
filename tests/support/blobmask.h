#pragma once

#include <QImage>
#include <QSize>

namespace tessera::test {

// `count` random blobs (ellipses, some rotated, each with one or two holes and some with an island in a
// hole) on black, in pure black and white Format_Grayscale8, placed by `seed` so that every run sees the
// same picture: the masks of tst_mask's polygon tests and of bench_mask.
QImage blobMask(QSize size, int count, quint32 seed);

} // namespace tessera::test
