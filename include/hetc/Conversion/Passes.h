//===- Passes.h - hetc conversion passes ------------------------*- C++ -*-===//

#ifndef HETC_CONVERSION_PASSES_H
#define HETC_CONVERSION_PASSES_H

#include "hetc/Conversion/HetcToLinalg/HetcToLinalg.h"
#include "mlir/Pass/Pass.h"

namespace mlir::hetc {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "hetc/Conversion/Passes.h.inc"

} // namespace mlir::hetc

#endif // HETC_CONVERSION_PASSES_H
