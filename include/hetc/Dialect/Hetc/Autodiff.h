//===- Autodiff.h - reverse-mode differentiation of hetc functions -*- C++ -*-//

#ifndef HETC_DIALECT_HETC_AUTODIFF_H
#define HETC_DIALECT_HETC_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::hetc {

struct AutodiffOptions {
  /// Recompute cheap elementwise forward values next to their backward uses
  /// instead of keeping them alive across the whole step.
  bool rematerialize = false;
};

/// Appends the reverse pass of `fn` before its return and returns the
/// gradient of its first result (a 0-d loss) with respect to each value in
/// `wrt`: an argument that does not reach the loss gets zeros. Only
/// gradients that reach some `wrt` value are computed. An op without a
/// gradient rule is reported at its location.
FailureOr<SmallVector<Value>> buildGradients(func::FuncOp fn,
                                             ArrayRef<Value> wrt,
                                             const AutodiffOptions &options);

} // namespace mlir::hetc

#endif // HETC_DIALECT_HETC_AUTODIFF_H
