//===- CompileOptions.cpp - train options from text -----------------------===//

#include "hetc/Pipeline/CompileOptions.h"

#include "hetc/Dialect/Hetc/Passes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::hetc;

namespace {

constexpr const char *kTrainOptionKeys[] = {
    "optimizer", "lr",        "momentum", "nesterov", "weight-decay",
    "beta1",     "beta2",     "eps",      "groups",   "max-grad-norm",
    "nan-guard", "accumulate"};

// OptimizerKind is the dialect's Optimizer for clients without MLIR: the
// same values, so the driver converts between them with a cast.
static_assert(static_cast<int>(OptimizerKind::SGD) ==
                      static_cast<int>(Optimizer::SGD) &&
                  static_cast<int>(OptimizerKind::Adam) ==
                      static_cast<int>(Optimizer::Adam) &&
                  static_cast<int>(OptimizerKind::AdamW) ==
                      static_cast<int>(Optimizer::AdamW) &&
                  getMaxEnumValForOptimizer() == 2,
              "OptimizerKind must mirror the dialect's Optimizer");

/// The field a numeric option sets, or null.
std::optional<double> *getNumber(TrainOptions &options, llvm::StringRef key) {
  return llvm::StringSwitch<std::optional<double> *>(key)
      .Case("lr", &options.lr)
      .Case("momentum", &options.momentum)
      .Case("weight-decay", &options.weightDecay)
      .Case("beta1", &options.beta1)
      .Case("beta2", &options.beta2)
      .Case("eps", &options.eps)
      .Case("max-grad-norm", &options.maxGradNorm)
      .Default(nullptr);
}

/// Every key known, the optimizer named right and each key applicable to it.
std::string checkKeys(const std::map<std::string, std::string> &text,
                      Optimizer &optimizer) {
  for (auto &[key, value] : text)
    if (!llvm::is_contained(kTrainOptionKeys, key))
      return "unknown optimizer option '" + key +
             "' (known: optimizer, lr, momentum, nesterov, weight-decay, "
             "beta1, beta2, eps, groups, max-grad-norm, nan-guard, "
             "accumulate)";
  std::string name = text.count("optimizer") ? text.at("optimizer") : "sgd";
  std::optional<Optimizer> parsed = symbolizeOptimizer(name);
  if (!parsed)
    return "unknown optimizer '" + name + "' (known: sgd, adam, adamw)";
  optimizer = *parsed;
  for (auto &[key, value] : text)
    if (std::string error = checkOptionApplies(key, optimizer); !error.empty())
      return error;
  return "";
}

/// The flags and numbers, each whole and in range.
std::string parseValues(const std::map<std::string, std::string> &text,
                        TrainOptions &options) {
  for (const char *flag : {"nesterov", "nan-guard"})
    if (text.count(flag) && text.at(flag) != "true" && text.at(flag) != "false")
      return std::string(flag) + " must be true or false, got '" +
             text.at(flag) + "'";
  if (text.count("nesterov"))
    options.nesterov = text.at("nesterov") == "true";
  options.nanGuard = text.count("nan-guard") && text.at("nan-guard") == "true";
  for (auto &[key, value] : text) {
    if (key == "accumulate") {
      // A whole number of micro-batches, exact in the f32 counter.
      long long k = 0;
      if (!llvm::to_integer(value, k, 10) || k < 1 || k > (1ll << 24))
        return "accumulate must be a whole number from 1 to 2^24, got '" +
               value + "'";
      options.accumulate = k;
      continue;
    }
    std::optional<double> *field = getNumber(options, key);
    if (!field)
      continue;
    double number;
    if (std::string error = parseOptimizerNumber(key, value, number);
        !error.empty())
      return error;
    *field = number;
  }
  return "";
}

/// Each parameter group well-formed; Nesterov needs momentum in each.
std::string parseGroups(llvm::StringRef text, Optimizer optimizer,
                        TrainOptions &options) {
  SmallVector<llvm::StringRef> specs;
  text.split(specs, ',');
  double momentum = options.momentum.value_or(0.0);
  for (llvm::StringRef spec : specs) {
    ParamGroupSpec group;
    std::string error = parseParamGroup(spec, optimizer, group);
    if (!error.empty())
      return error;
    double groupMomentum =
        group.values.count("momentum") ? group.values.at("momentum") : momentum;
    if (options.nesterov.value_or(false) && groupMomentum <= 0.0)
      return "parameter group '" + spec.str() +
             "': nesterov momentum needs momentum > 0";
    options.groups.push_back(spec.str());
  }
  return "";
}

} // namespace

std::string
mlir::hetc::parseTrainOptions(const std::map<std::string, std::string> &text,
                              TrainOptions &options) {
  Optimizer optimizer = Optimizer::SGD;
  if (std::string error = checkKeys(text, optimizer); !error.empty())
    return error;
  options.optimizer = static_cast<OptimizerKind>(optimizer);
  if (std::string error = parseValues(text, options); !error.empty())
    return error;
  if (text.count("groups"))
    return parseGroups(text.at("groups"), optimizer, options);
  if (options.nesterov.value_or(false) && options.momentum.value_or(0.0) <= 0.0)
    return "nesterov momentum needs momentum > 0";
  return "";
}

std::string mlir::hetc::checkBatchSizes(const std::vector<int64_t> &sizes) {
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (size <= 0)
      return "batch sizes must be positive integers, got " +
             std::to_string(size);
    if (llvm::is_contained(llvm::ArrayRef(sizes).take_front(i), size))
      return "batch size " + std::to_string(size) + " is listed twice";
  }
  return "";
}
