//===- RegisterAllTargets.cpp - the built-in backends ---------------------===//

#include "hetc/Target/Backends.h"
#include "hetc/Target/TargetBackend.h"

#include <mutex>

void mlir::hetc::registerAllTargetBackends() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerTargetBackend(createCPUTargetBackend());
    registerTargetBackend(createNVVMTargetBackend());
    registerTargetBackend(createROCDLTargetBackend());
    registerTargetBackend(createVulkanTargetBackend());
    registerTargetBackend(createLevelZeroTargetBackend());
  });
}
