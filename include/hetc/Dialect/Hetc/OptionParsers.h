//===- OptionParsers.h - parsers of typed hetc pass options -----*- C++ -*-===//
//
// llvm::cl parsers for the pass option types that LLVM has none for: the
// optimizer enum, by name, and std::optional numbers and flags, whose
// std::nullopt means "not given" (the pass then picks a default that depends
// on other options, or refuses an option that does not apply). Both work in
// textual pipelines and in the generated options structs alike.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_OPTIONPARSERS_H
#define HETC_DIALECT_HETC_OPTIONPARSERS_H

#include "hetc/Dialect/Hetc/HetcDialect.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <type_traits>

namespace mlir::hetc {
/// "sgd, adam or adamw": every optimizer name, for messages.
std::string getOptimizerNames();
} // namespace mlir::hetc

namespace llvm::cl {

/// Parses an optimizer by its name ("adam"); an unknown name is an error
/// that lists the known ones.
template <>
class parser<mlir::hetc::Optimizer>
    : public basic_parser<mlir::hetc::Optimizer> {
public:
  parser(Option &o) : basic_parser(o) {}

  bool parse(Option &o, StringRef argName, StringRef arg,
             mlir::hetc::Optimizer &value);
  StringRef getValueName() const override { return "optimizer"; }
  void printOptionDiff(const Option &o, mlir::hetc::Optimizer value,
                       const OptVal &defaultValue, size_t globalWidth) const;
  /// The textual form, which `parse` reads back.
  static void print(raw_ostream &os, mlir::hetc::Optimizer value);
};

/// Parses an optional number or flag with T's own parser. The value stays
/// std::nullopt until the option is given; "None", which is how an absent
/// value prints, reads back as std::nullopt so printed pipelines round-trip.
template <typename T>
class parser<std::optional<T>> : public basic_parser<std::optional<T>> {
  static_assert(std::is_arithmetic_v<T>, "optional numbers and flags only");

public:
  parser(Option &o) : basic_parser<std::optional<T>>(o), inner(o) {}

  bool parse(Option &o, StringRef argName, StringRef arg,
             std::optional<T> &value) {
    if (arg == "None") {
      value = std::nullopt;
      return false;
    }
    T parsed{};
    if (inner.parse(o, argName, arg, parsed))
      return true;
    value = parsed;
    return false;
  }

  /// A flag may be given without a value, as for parser<bool>.
  enum ValueExpected getValueExpectedFlagDefault() const {
    return inner.getValueExpectedFlagDefault();
  }
  StringRef getValueName() const override { return inner.getValueName(); }

  void printOptionDiff(const Option &o, const std::optional<T> &value,
                       const OptionValue<std::optional<T>> &,
                       size_t globalWidth) const {
    this->printOptionName(o, globalWidth);
    outs() << "= " << value << "\n";
  }

private:
  parser<T> inner;
};

} // namespace llvm::cl

#endif // HETC_DIALECT_HETC_OPTIONPARSERS_H
