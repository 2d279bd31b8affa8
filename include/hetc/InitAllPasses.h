//===- InitAllPasses.h - register hetc and upstream passes ------*- C++ -*-===//

#ifndef HETC_INITALLPASSES_H
#define HETC_INITALLPASSES_H

#include "hetc/Conversion/Passes.h"
#include "hetc/Dialect/Hetc/Passes.h"
#include "hetc/Target/Passes.h"
#include "mlir/InitAllPasses.h"

namespace mlir::hetc {

/// Registers hetc's passes and the upstream passes its pipelines use.
inline void registerAllPasses() {
  mlir::registerAllPasses();
  registerHetcPasses();
  registerHetcConversionPasses();
  registerHetcTargetPasses();
}

} // namespace mlir::hetc

#endif // HETC_INITALLPASSES_H
