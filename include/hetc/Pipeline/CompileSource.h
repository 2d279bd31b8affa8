//===- CompileSource.h - compile MLIR text, no MLIR types -------*- C++ -*-===//
//
// A narrow entry point for clients that must not include MLIR headers (the
// Python module is built with exceptions and RTTI, MLIR without).
//
//===----------------------------------------------------------------------===//

#ifndef HETC_PIPELINE_COMPILESOURCE_H
#define HETC_PIPELINE_COMPILESOURCE_H

#include "hetc/Pipeline/CompileOptions.h"

#include <string>

namespace mlir::hetc {

struct SourceCompileResult {
  bool ok = false;
  /// The artifact bytes when ok.
  std::string artifact;
  /// Every diagnostic, formatted as `name:line:col: error: message`.
  std::string diagnostics;
};

/// Parses `source` (named `sourceName` in diagnostics) and compiles it to an
/// artifact (options.stage is ignored). Thread-safe: each call uses its own
/// MLIR context.
SourceCompileResult compileSource(const std::string &source,
                                  const std::string &sourceName,
                                  const CompileOptions &options);

} // namespace mlir::hetc

#endif // HETC_PIPELINE_COMPILESOURCE_H
