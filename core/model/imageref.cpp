#include "imageref.h"

#include <array>

namespace tessera {

namespace {

constexpr std::array kRoles {"grid", "tile", "upscale", "video"};
constexpr std::array kStates {"pending", "downloaded", "failed", "expired"};

template<class Enum, std::size_t N>
std::optional<Enum> fromName(const std::array<const char *, N> &names, const QString &name)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (name == QLatin1String(names[i]))
            return static_cast<Enum>(i);
    }
    return std::nullopt;
}

} // namespace

QString imageRoleName(ImageRole role)
{
    return QString::fromLatin1(kRoles[static_cast<std::size_t>(role)]);
}

std::optional<ImageRole> imageRoleFromName(const QString &name)
{
    return fromName<ImageRole>(kRoles, name);
}

QString imageStateName(ImageState state)
{
    return QString::fromLatin1(kStates[static_cast<std::size_t>(state)]);
}

std::optional<ImageState> imageStateFromName(const QString &name)
{
    return fromName<ImageState>(kStates, name);
}

} // namespace tessera
