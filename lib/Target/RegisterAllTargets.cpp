//===- RegisterAllTargets.cpp - the built-in backends ---------------------===//

#include "hetc/Target/CPU/CPUBackend.h"
#include "hetc/Target/NVVM/NVVMBackend.h"
#include "hetc/Target/ROCDL/ROCDLBackend.h"
#include "hetc/Target/SPIRV/SPIRVBackend.h"
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
