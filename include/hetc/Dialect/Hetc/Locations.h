//===- Locations.h - locations as text, debug entries -----------*- C++ -*-===//
//
// The text a debug entry's manifest and hetc-compile's --test-perturb-op use
// for an op's place in the model: the frontend's file:line:col and module
// path (the NameLoc a frontend wraps around it).
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_LOCATIONS_H
#define HETC_DIALECT_HETC_LOCATIONS_H

#include "mlir/IR/Location.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::hetc {

/// Result attribute of a debug entry (hetc-debug-intermediates): which hetc
/// op's result it exposes, {index, op, result, location, scope}.
constexpr llvm::StringLiteral kDebugAttrName = "hetc.debug";
/// String function attribute of a debug entry: the entry it is the debug
/// build of ("train_step").
constexpr llvm::StringLiteral kDebugOfAttrName = "hetc.debug_of";

/// "file:line:col" of the innermost file location in `loc`, or "unknown".
std::string getFileLocationText(Location loc);

/// The module path a frontend attached to `loc` (the name of its outermost
/// NameLoc: "layers.3.attn"), or "".
std::string getScopeText(Location loc);

} // namespace mlir::hetc

#endif // HETC_DIALECT_HETC_LOCATIONS_H
