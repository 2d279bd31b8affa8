//===- TargetBackend.cpp - the backend registry ---------------------------===//

#include "hetc/Target/TargetBackend.h"

#include "llvm/Support/ManagedStatic.h"
#include "llvm/Support/Mutex.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::hetc;

namespace {
struct Registry {
  llvm::sys::SmartMutex<true> mutex;
  llvm::StringMap<std::unique_ptr<TargetBackend>> backends;
};
} // namespace

static Registry &getRegistry() {
  static Registry registry;
  return registry;
}

void mlir::hetc::registerTargetBackend(std::unique_ptr<TargetBackend> backend) {
  Registry &registry = getRegistry();
  llvm::sys::SmartScopedLock<true> lock(registry.mutex);
  std::string name = backend->getName().str();
  assert(!registry.backends.count(name) && "backend registered twice");
  registry.backends[name] = std::move(backend);
}

const TargetBackend *mlir::hetc::lookupTargetBackend(llvm::StringRef name) {
  Registry &registry = getRegistry();
  llvm::sys::SmartScopedLock<true> lock(registry.mutex);
  auto it = registry.backends.find(name);
  return it == registry.backends.end() ? nullptr : it->second.get();
}

std::vector<std::string> mlir::hetc::getRegisteredTargetBackendNames() {
  Registry &registry = getRegistry();
  llvm::sys::SmartScopedLock<true> lock(registry.mutex);
  std::vector<std::string> names;
  for (auto &entry : registry.backends)
    names.push_back(entry.getKey().str());
  std::sort(names.begin(), names.end());
  return names;
}
