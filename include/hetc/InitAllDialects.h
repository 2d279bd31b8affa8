//===- InitAllDialects.h - register hetc and its dialects -------*- C++ -*-===//

#ifndef HETC_INITALLDIALECTS_H
#define HETC_INITALLDIALECTS_H

#include "hetc/Dialect/Hetc/HetcDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"

namespace mlir::hetc {

/// Registers the hetc dialect and every upstream dialect and extension that
/// hetc's pipelines lower through.
inline void registerAllDialects(DialectRegistry &registry) {
  registry.insert<HetcDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

} // namespace mlir::hetc

#endif // HETC_INITALLDIALECTS_H
