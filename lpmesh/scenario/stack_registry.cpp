#include "lpmesh/scenario/stack_registry.hpp"

#include <stdexcept>

#include "lpmesh/scenario/beacon_kind.hpp"
#include "lpmesh/scenario/sixtisch_kind.hpp"
#include "lpmesh/scenario/tsch_kind.hpp"

namespace lpm::scenario {

void StackRegistry::add(std::unique_ptr<StackKind> kind) {
  if (find(kind->name()) != nullptr) {
    throw std::logic_error("stack kind registered twice: " + std::string(kind->name()));
  }
  kinds_.push_back(std::move(kind));
}

const StackKind* StackRegistry::find(std::string_view name) const {
  for (const auto& k : kinds_) {
    if (k->name() == name) return k.get();
  }
  return nullptr;
}

std::vector<std::string_view> StackRegistry::names() const {
  std::vector<std::string_view> out;
  out.reserve(kinds_.size());
  for (const auto& k : kinds_)
    out.push_back(k->name());
  return out;
}

StackRegistry builtinStackKinds() {
  StackRegistry registry;
  registry.add(makeBeaconKind());
  registry.add(makeTschKind());
  registry.add(makeSixtischKind());
  return registry;
}

}  // namespace lpm::scenario
