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
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
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

/// Bytes per element of a tensor element type (index counts as 8).
inline int64_t elementBytes(Type type) {
  if (!type.isIntOrFloat())
    return 8;
  return std::max<int64_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
}

/// The element count of `shape` if it, and the byte size at
/// `bytesPerElement`, fit in int64: all shape arithmetic relies on both.
inline std::optional<int64_t> checkedElementCount(ArrayRef<int64_t> shape,
                                                  int64_t bytesPerElement) {
  std::optional<int64_t> count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return std::nullopt;
    count = llvm::checkedMul(*count, dim);
    if (!count)
      return std::nullopt;
  }
  if (!llvm::checkedMul(*count, bytesPerElement))
    return std::nullopt;
  return count;
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
  if (!checkedElementCount(type.getShape(),
                           elementBytes(type.getElementType()))) {
    (void)diag(what, " ", shapeStr(type.getShape()),
               " has more elements or bytes than fit in 64 bits");
    return {};
  }
  return type;
}

inline LogicalResult checkSameElementType(const OpDiag &diag,
                                          RankedTensorType a, StringRef aName,
                                          RankedTensorType b, StringRef bName) {
  if (a.getElementType() == b.getElementType())
    return success();
  return diag(aName, " and ", bName, " have different element types (",
              a.getElementType(), " vs ", b.getElementType(), ")");
}

/// Normalizes a possibly negative axis; reports one outside [-rank, rank).
inline FailureOr<int64_t> normalizeAxis(const OpDiag &diag, int64_t axis,
                                        int64_t rank) {
  if (rank == 0) {
    (void)diag("axis ", axis,
               " is out of range for a rank-0 tensor, which has no axes");
    return failure();
  }
  if (axis < -rank || axis >= rank) {
    (void)diag("axis ", axis, " is out of range for a rank-", rank,
               " tensor (valid: [", -rank, ", ", rank - 1, "])");
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

/// Checks that the forward op the gradient belongs to would produce
/// `expected` (the gradient's type), then yields `result` as the type.
inline LogicalResult checkForwardType(const OpDiag &diag, Type forward,
                                      Value grad, llvm::StringRef what,
                                      Type result,
                                      SmallVectorImpl<Type> &inferred) {
  if (grad.getType() != forward)
    return diag(what, " has type ", grad.getType(),
                " but the forward op produces ", forward);
  inferred.push_back(result);
  return success();
}

} // namespace mlir::hetc

#endif // HETC_LIB_DIALECT_HETC_OPINFERENCE_H
