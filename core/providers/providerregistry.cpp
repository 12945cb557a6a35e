#include "providerregistry.h"

#include "apixo/apixoadapter.h"
#include "demo/demoadapter.h"
#include "kie/kieadapter.h"
#include "kolersky/kolerskyadapter.h"
#include "mjproxy/mjproxyadapter.h"

#include <QCoreApplication>

namespace tessera {

std::unique_ptr<ProviderRegistry> ProviderRegistry::createDefault()
{
    auto registry = std::make_unique<ProviderRegistry>();
    registry->add(std::make_unique<demo::DemoAdapter>());
    registry->add(std::make_unique<kolersky::KolerskyAdapter>());
    registry->add(std::make_unique<apixo::ApixoAdapter>());
    registry->add(std::make_unique<kie::KieAdapter>());
    registry->add(std::make_unique<mjproxy::MjproxyAdapter>());
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

Availability ProviderRegistry::availability(const Operation &op, const Task *parent, const Account &account) const
{
    const ProviderAdapter *family = adapter(account.family);
    if (!family)
        return Availability::no(QCoreApplication::translate("ProviderRegistry", "This build has no \"%1\" provider")
                                    .arg(account.family));
    return family->availability(op, parent, account);
}

} // namespace tessera
