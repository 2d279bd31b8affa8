//===- Locations.cpp - model locations as text ----------------------------===//

#include "hetc/Dialect/Hetc/Locations.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/Twine.h"

using namespace mlir;

std::string mlir::hetc::getFileLocationText(Location loc) {
  std::string text = "unknown";
  loc->walk([&](Location inner) {
    auto file = dyn_cast<FileLineColLoc>(inner);
    if (!file)
      return WalkResult::advance();
    text = (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
               .str();
    return WalkResult::interrupt();
  });
  return text;
}

std::string mlir::hetc::getScopeText(Location loc) {
  std::string scope;
  loc->walk([&](Location inner) {
    auto name = dyn_cast<NameLoc>(inner);
    if (!name)
      return WalkResult::advance();
    scope = name.getName().str();
    return WalkResult::interrupt();
  });
  return scope;
}
