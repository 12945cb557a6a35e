#include "providerregistry.h"

#include "demo/demoadapter.h"

namespace tessera {

std::unique_ptr<ProviderRegistry> ProviderRegistry::createDefault()
{
    auto registry = std::make_unique<ProviderRegistry>();
    registry->add(std::make_unique<demo::DemoAdapter>());
    return registry;
}

void ProviderRegistry::add(std::unique_ptr<ProviderAdapter> adapter)
{
    const QString family = adapter->family();
    m_adapters[family] = std::move(adapter);
}

const ProviderAdapter *ProviderRegistry::adapter(const QString &family) const
{
    const auto it = m_adapters.find(family);
    return it == m_adapters.end() ? nullptr : it->second.get();
}

QStringList ProviderRegistry::families() const
{
    QStringList names;
    for (const auto &[name, adapter] : m_adapters)
        names.append(name);
    return names;
}

} // namespace tessera
