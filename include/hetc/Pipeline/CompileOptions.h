//===- CompileOptions.h - what to compile, without MLIR ---------*- C++ -*-===//
//
// The one options struct the compiler driver, hetc-compile and the Python
// bindings share. It includes no MLIR header: the Python module, built with
// exceptions and RTTI, fills it in.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_PIPELINE_COMPILEOPTIONS_H
#define HETC_PIPELINE_COMPILEOPTIONS_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::hetc {

/// Where compilation stops. Every stage before Artifact prints text (or the
/// object file) instead of producing an artifact.
enum class CompileStage { Hetc, Linalg, LLVM, Asm, Object, Artifact };

/// train_step's update rule (the dialect's Optimizer, without MLIR).
enum class OptimizerKind { SGD, Adam, AdamW };

/// How train_step updates the parameters. An unset optional is "not given":
/// hetc-train-step then takes the optimizer's default, and refuses an option
/// given for an optimizer it does not apply to.
struct TrainOptions {
  OptimizerKind optimizer = OptimizerKind::SGD;
  std::optional<double> lr;
  std::optional<double> momentum;
  std::optional<bool> nesterov;
  std::optional<double> weightDecay;
  std::optional<double> beta1;
  std::optional<double> beta2;
  std::optional<double> eps;
  /// Clip the gradients to this global L2 norm; no clipping when unset.
  std::optional<double> maxGradNorm;
  /// Skip the update when the loss or a gradient is NaN or Inf.
  bool nanGuard = false;
  /// Micro-batches whose gradients each update accumulates.
  int64_t accumulate = 1;
  /// Parameter groups, in order: "PATTERN[|PATTERN...][:key=value...]".
  std::vector<std::string> groups;
};

struct CompileOptions {
  /// A registered target backend: cpu, cuda, rocm, vulkan, level-zero.
  std::string target = "cpu";
  /// Backend-specific processor; empty means the backend's default.
  std::string chip;
  /// The model function; empty means the module's only model.
  std::string entry;
  /// Build the train_step entry (forward, backward and update).
  bool trainStep = true;
  TrainOptions train;
  /// Batch sizes to compile: the first is the main entries' (the model's
  /// own when empty), each further one adds `<entry>_b<size>` variants of
  /// every entry (hetc-rebatch), with the manifest's "variant_of".
  std::vector<int64_t> batchSizes;
  CompileStage stage = CompileStage::Artifact;
  /// Reproducible mode: every reduction in index order from its init, no
  /// fused multiply-add, hetc's own math; bit-identical results on every
  /// target (docs/reproducibility.md). The manifest records it.
  bool reproducible = false;
  /// Add `train_step_debug` (hetc-debug-intermediates): train_step that also
  /// returns every hetc op's result, for hetc-verify. The other entries are
  /// unchanged.
  bool debugIntermediates = false;
  /// TEST ONLY: add one ULP to the result of the op this selects, NAME or
  /// NAME@LOCATION (hetc-test-perturb-op), a planted divergence for testing
  /// hetc-verify. Empty: off.
  std::string testPerturbOp;
  /// Print the IR after each pass to stderr.
  bool printIRAfterAll = false;
};

/// Reads train options given as text, keyed as hetc-compile spells them
/// (optimizer, lr, momentum, nesterov, weight-decay, beta1, beta2, eps,
/// groups (comma-separated), max-grad-norm, nan-guard, accumulate), into
/// `options`: known keys, applicable to the optimizer, numbers finite and in
/// range. Returns the error, or "".
std::string parseTrainOptions(const std::map<std::string, std::string> &text,
                              TrainOptions &options);

/// Checks a batch-size list: positive, none twice. Returns the error, or "".
std::string checkBatchSizes(const std::vector<int64_t> &sizes);

} // namespace mlir::hetc

#endif // HETC_PIPELINE_COMPILEOPTIONS_H
