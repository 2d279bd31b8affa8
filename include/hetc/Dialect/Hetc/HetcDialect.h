//===- HetcDialect.h - hetc dialect -----------------------------*- C++ -*-===//
//
// Declares the hetc dialect, its enums and its attributes.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_HETCDIALECT_H
#define HETC_DIALECT_HETC_HETCDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"

#include "hetc/Dialect/Hetc/HetcDialect.h.inc"
#include "hetc/Dialect/Hetc/HetcEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "hetc/Dialect/Hetc/HetcAttrs.h.inc"

namespace mlir::hetc {
/// Whether optimizer state of `kind` belongs to the whole optimizer (a 0-d
/// counter without a param) rather than to one parameter.
inline bool isOptimizerWide(OptStateKind kind) {
  return kind == OptStateKind::Step || kind == OptStateKind::MicroStep;
}

/// The names of every case of enum E ("a, b or c"), for messages.
template <typename E>
std::string getEnumCaseNames(uint32_t maxValue, llvm::StringRef (*stringify)(E),
                             std::optional<E> (*symbolize)(uint32_t)) {
  std::string names;
  for (uint32_t i = 0; i <= maxValue; ++i) {
    if (i > 0)
      names += i == maxValue ? " or " : ", ";
    names += stringify(*symbolize(i));
  }
  return names;
}
} // namespace mlir::hetc

#endif // HETC_DIALECT_HETC_HETCDIALECT_H
