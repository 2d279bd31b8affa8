//===- hetc-opt.cpp - mlir-opt with the hetc dialect and passes -----------===//

#include "hetc/InitAllDialects.h"
#include "hetc/InitAllPasses.h"
#include "hetc/Version.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::hetc::registerAllDialects(registry);
  mlir::hetc::registerAllPasses();
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "hetc-opt: " << HETC_VERSION_TEXT << "\n";
  });
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "hetc optimizer driver: the hetc dialect and its passes\n",
      registry));
}
