//===- CompileSource.h - compile MLIR text, no MLIR types -------*- C++ -*-===//
//
// A narrow entry point for clients that must not include MLIR headers (the
// Python module is built with exceptions and RTTI, MLIR without).
//
//===----------------------------------------------------------------------===//

#ifndef HETC_TARGET_COMPILESOURCE_H
#define HETC_TARGET_COMPILESOURCE_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlir::hetc {

struct SourceCompileOptions {
  std::string target = "cpu";
  std::string chip;
  std::string entry;
  bool trainStep = true;
  /// hetc-train-step options: optimizer, lr, momentum, nesterov,
  /// weight-decay, beta1, beta2, eps.
  std::map<std::string, std::string> optimizerOptions;
  /// Batch sizes: the first is the main entries', each further one adds
  /// variants (CompileOptions::batchSizes); empty keeps the model's.
  std::vector<int64_t> batchSizes;
};

struct SourceCompileResult {
  bool ok = false;
  /// The artifact bytes when ok.
  std::string artifact;
  /// Every diagnostic, formatted as `name:line:col: error: message`.
  std::string diagnostics;
};

/// Parses `source` (named `sourceName` in diagnostics) and compiles it.
/// Thread-safe: each call uses its own MLIR context.
SourceCompileResult compileSource(const std::string &source,
                                  const std::string &sourceName,
                                  const SourceCompileOptions &options);

} // namespace mlir::hetc

#endif // HETC_TARGET_COMPILESOURCE_H
