//===- OptimizerOptions.cpp - hetc-train-step option checks ---------------===//
//
// The checks hetc-train-step and the compiler driver share: the range of
// each hyper-parameter, which optimizer an option applies to, and the syntax
// of parameter groups; and the parser of the optimizer option.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/Passes.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <cstdlib>

using namespace mlir;
using namespace mlir::hetc;

namespace {
struct Range {
  llvm::StringLiteral key, what;
  double low;
  bool lowOpen;
  double high;
};
const Range kRanges[] = {
    {"lr", "a positive finite number", 0.0, true, INFINITY},
    {"momentum", "a finite number >= 0", 0.0, false, INFINITY},
    {"weight-decay", "a finite number >= 0", 0.0, false, INFINITY},
    {"beta1", "in [0, 1)", 0.0, false, 1.0},
    {"beta2", "in [0, 1)", 0.0, false, 1.0},
    {"eps", "a positive finite number", 0.0, true, INFINITY},
    {"max-grad-norm", "a positive finite number", 0.0, true, INFINITY}};
} // namespace

std::string mlir::hetc::parseOptimizerNumber(llvm::StringRef key,
                                             llvm::StringRef text,
                                             double &value) {
  const Range *range =
      llvm::find_if(kRanges, [&](const Range &r) { return r.key == key; });
  if (range == std::end(kRanges))
    return ("'" + key + "' is not a numeric optimizer option").str();
  // The whole text must parse; strtod alone accepts " 1" and "1x".
  std::string owned = text.str();
  char *end = nullptr;
  value = owned.empty() || llvm::isSpace(owned[0])
              ? NAN
              : std::strtod(owned.c_str(), &end);
  bool parsed = end && *end == '\0';
  if (!parsed || !std::isfinite(value) || value < range->low ||
      (range->lowOpen && value == range->low) || value >= range->high)
    return (key + " must be " + range->what + ", got '" + text + "'").str();
  return "";
}

std::string mlir::hetc::checkOptionApplies(llvm::StringRef key,
                                           Optimizer optimizer) {
  bool adam = optimizer != Optimizer::SGD;
  if (adam && (key == "momentum" || key == "nesterov"))
    return (key + " applies to sgd, not " + stringifyOptimizer(optimizer))
        .str();
  if (!adam && (key == "beta1" || key == "beta2" || key == "eps"))
    return (key + " applies to adam and adamw, not sgd").str();
  return "";
}

std::string mlir::hetc::parseParamGroup(llvm::StringRef spec,
                                        Optimizer optimizer,
                                        ParamGroupSpec &group) {
  SmallVector<llvm::StringRef> fields;
  spec.split(fields, ':');
  SmallVector<llvm::StringRef> patterns;
  fields.front().split(patterns, '|');
  for (llvm::StringRef pattern : patterns) {
    if (pattern.empty())
      return ("parameter group '" + spec + "' has an empty name pattern").str();
    group.patterns.push_back(pattern.str());
  }
  for (llvm::StringRef field : llvm::drop_begin(fields)) {
    auto [key, text] = field.split('=');
    if (!field.contains('='))
      return ("parameter group '" + spec + "': '" + field +
              "' is not key=value")
          .str();
    static const char *perGroup[] = {"lr",    "weight-decay", "momentum",
                                     "beta1", "beta2",        "eps"};
    if (!llvm::is_contained(perGroup, key))
      return ("parameter group '" + spec + "': unknown key '" + key +
              "' (known: lr, weight-decay, momentum, beta1, beta2, eps)")
          .str();
    std::string error = checkOptionApplies(key, optimizer);
    double value = 0.0;
    if (error.empty())
      error = parseOptimizerNumber(key, text, value);
    if (!error.empty())
      return "parameter group '" + spec.str() + "': " + error;
    if (!group.values.emplace(key.str(), value).second)
      return ("parameter group '" + spec + "' sets " + key + " twice").str();
  }
  return "";
}

std::string mlir::hetc::getOptimizerNames() {
  return getEnumCaseNames<Optimizer>(getMaxEnumValForOptimizer(),
                                     stringifyOptimizer, symbolizeOptimizer);
}

bool llvm::cl::parser<Optimizer>::parse(Option &o, StringRef, StringRef arg,
                                        Optimizer &value) {
  std::optional<Optimizer> parsed = symbolizeOptimizer(arg);
  if (!parsed)
    return o.error("unknown optimizer '" + arg + "' (expected " +
                   getOptimizerNames() + ")");
  value = *parsed;
  return false;
}

void llvm::cl::parser<Optimizer>::printOptionDiff(const Option &o,
                                                  Optimizer value,
                                                  const OptVal &defaultValue,
                                                  size_t globalWidth) const {
  printOptionName(o, globalWidth);
  outs() << "= " << stringifyOptimizer(value) << " (default: "
         << (defaultValue.hasValue()
                 ? stringifyOptimizer(defaultValue.getValue())
                 : "*no default*")
         << ")\n";
}

void llvm::cl::parser<Optimizer>::print(raw_ostream &os, Optimizer value) {
  os << stringifyOptimizer(value);
}
