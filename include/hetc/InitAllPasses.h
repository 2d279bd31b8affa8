//===- InitAllPasses.h - register hetc and upstream passes ------*- C++ -*-===//

#ifndef HETC_INITALLPASSES_H
#define HETC_INITALLPASSES_H

#include "hetc/Codegen/CPU/Passes.h"
#include "hetc/Codegen/Common/Passes.h"
#include "hetc/Codegen/GPU/Passes.h"
#include "hetc/Codegen/SPIRV/Passes.h"
#include "hetc/Conversion/Passes.h"
#include "hetc/Dialect/Hetc/Passes.h"
#include "mlir/InitAllPasses.h"

namespace mlir::hetc {

/// Registers hetc's passes and the upstream passes its pipelines use.
inline void registerAllPasses() {
  mlir::registerAllPasses();
  registerHetcPasses();
  registerHetcConversionPasses();
  registerHetcCodegenCommonPasses();
  registerHetcCodegenCPUPasses();
  registerHetcCodegenGPUPasses();
  registerHetcCodegenSPIRVPasses();
}

} // namespace mlir::hetc

#endif // HETC_INITALLPASSES_H
