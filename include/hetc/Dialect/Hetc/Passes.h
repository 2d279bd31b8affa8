//===- Passes.h - hetc dialect passes ---------------------------*- C++ -*-===//

#ifndef HETC_DIALECT_HETC_PASSES_H
#define HETC_DIALECT_HETC_PASSES_H

#include "hetc/Dialect/Hetc/HetcDialect.h"
#include "hetc/Dialect/Hetc/OptionParsers.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>
#include <string>

namespace mlir::hetc {

#define GEN_PASS_DECL
#include "hetc/Dialect/Hetc/Passes.h.inc"

/// Returns true when `fn` declares a model: it has a hetc.param argument and
/// is not a function hetc generated (a gradient or a train step).
bool isModelFunction(func::FuncOp fn);

/// The function named `entry`, or every model function of `module` when
/// `entry` is empty; reports a missing entry, and no models unless
/// `allowNone`.
FailureOr<SmallVector<func::FuncOp>>
collectModels(ModuleOp module, llvm::StringRef entry, bool allowNone);

/// Checks the model contract of `fn`, reporting each violation at the
/// offending argument or op.
LogicalResult verifyModelContract(func::FuncOp fn);

/// The role attribute name of argument `index` (hetc.param, hetc.buffer,
/// hetc.input or hetc.label), or an empty string.
llvm::StringRef getArgumentRole(func::FuncOp fn, unsigned index);

/// The name of argument `index` in manifests: its hetc.name, else its role
/// and its position among the arguments of that role (param0, input1...).
std::string getArgumentName(func::FuncOp fn, unsigned index);

/// The function marked hetc.eval_of = <model's name>, a null function when
/// there is none; reports a second one.
FailureOr<func::FuncOp> findEvalFunction(func::FuncOp model);

/// Checks an eval-mode function against its model: the model's contract for
/// its own arguments and results, and each argument matching the model's
/// argument of the same name in role, initializer and type.
LogicalResult verifyEvalFunction(func::FuncOp eval, func::FuncOp model);

/// The batch size of a model function: the leading dimension its inputs
/// and labels of rank >= 1 share; an error at the argument otherwise.
FailureOr<int64_t> getModelBatchSize(func::FuncOp fn);

/// Re-specializes `fn` to `newBatch` rows (see the hetc-rebatch pass):
/// argument, op and result types follow the batch, shape-bearing attributes
/// are rewritten by their ops' RebatchOpInterface; errors are located.
LogicalResult rebatchFunction(func::FuncOp fn, int64_t newBatch);

/// rebatchFunction on a model and on its eval-mode function, if any.
LogicalResult rebatchModel(func::FuncOp model, int64_t newBatch);
/// One element of hetc-train-step's `groups` option: the parameters whose
/// names match one of `patterns` (globs), and the hyper-parameters the group
/// sets by option name (lr, weight-decay, momentum, beta1, beta2, eps).
struct ParamGroupSpec {
  SmallVector<std::string> patterns;
  std::map<std::string, double> values;
};

/// Parses a `groups` element "PATTERN[|PATTERN...][:key=value...]" for
/// `optimizer`; returns the error, or "".
std::string parseParamGroup(llvm::StringRef spec, Optimizer optimizer,
                            ParamGroupSpec &group);

/// Parses the text of numeric hetc-train-step option `key` (lr, momentum,
/// weight-decay, beta1, beta2, eps, max-grad-norm) and checks its range,
/// whatever the spelling ("-1", "nan", "1e400"); returns the error, or "".
std::string parseOptimizerNumber(llvm::StringRef key, llvm::StringRef text,
                                 double &value);

/// Whether option `key` applies to `optimizer`: the error, or "".
std::string checkOptionApplies(llvm::StringRef key, Optimizer optimizer);

#define GEN_PASS_REGISTRATION
#include "hetc/Dialect/Hetc/Passes.h.inc"

} // namespace mlir::hetc

#endif // HETC_DIALECT_HETC_PASSES_H
