//===- OpInference.h - helpers shared by the ops' type inference -*- C++
//-*-===//
//
// Inference doubles as the verifier: run from a builder it is silent, run
// from the verifier it reports at the op. These helpers carry that choice.
// Private to lib/Dialect/Hetc.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_LIB_DIALECT_HETC_OPINFERENCE_H
#define HETC_LIB_DIALECT_HETC_OPINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace mlir::hetc {

/// Streams an op-prefixed message into a diagnostic at an optional location,
/// so inference can run silently from builders and loudly from the verifier.
class OpDiag {
public:
  OpDiag(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}

  template <typename... Args> LogicalResult operator()(Args &&...args) const {
    if (!loc)
      return failure();
    InFlightDiagnostic diag = emitError(*loc);
    diag << "'hetc." << opName << "' op ";
    (diag << ... << std::forward<Args>(args));
    return diag;
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};

inline std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string str;
  llvm::raw_string_ostream os(str);
  os << "[";
  llvm::interleaveComma(shape, os);
  os << "]";
  return str;
}

/// Returns the operand's type as a ranked tensor, or reports it.
inline RankedTensorType tensorOperand(const OpDiag &diag, Value value,
                                      StringRef what) {
  auto type =
      dyn_cast_or_null<RankedTensorType>(value ? value.getType() : Type());
  if (!type || !type.hasStaticShape()) {
    (void)diag(what, " must be a statically shaped ranked tensor");
    return {};
  }
  return type;
}

} // namespace mlir::hetc

#endif // HETC_LIB_DIALECT_HETC_OPINFERENCE_H
