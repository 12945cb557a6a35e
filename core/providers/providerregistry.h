#pragma once

#include "provideradapter.h"

#include <QString>
#include <QStringList>

#include <map>
#include <memory>

namespace tessera {

// The adapters this build knows, by family name. Built once by the composition root.
class ProviderRegistry
{
public:
    ProviderRegistry() = default;
    ProviderRegistry(const ProviderRegistry &) = delete;
    ProviderRegistry &operator=(const ProviderRegistry &) = delete;

    // Every family of this build: the offline demo, kolersky, apixo, kie and midjourney-proxy.
    static std::unique_ptr<ProviderRegistry> createDefault();

    void add(std::unique_ptr<ProviderAdapter> adapter);
    const ProviderAdapter *adapter(const QString &family) const; // null when unknown
    QStringList families() const;

    // Whether `op` can be run on `parent` with `account`: the family's answer, or why not when this build
    // has no such family. Every place that offers an action asks this (the Gallery's buttons, the
    // History's Vary Region…, the engine before it stores a task), so they never disagree.
    Availability availability(const Operation &op, const Task *parent, const Account &account) const;

private:
    std::map<QString, std::unique_ptr<ProviderAdapter>> m_adapters;
};

} // namespace tessera
