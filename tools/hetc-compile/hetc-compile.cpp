//===- hetc-compile.cpp - compile a hetc model into an artifact -----------===//
//
//   hetc-compile model.mlir --target=cpu -o model.hetc
//   hetc-compile model.mlir --optimizer=adam --lr=1e-3 -o model.hetc
//   hetc-compile model.mlir --emit=linalg
//
//===----------------------------------------------------------------------===//

#include "hetc/Pipeline/Compiler.h"
#include "hetc/Target/TargetBackend.h"
#include "hetc/Version.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::hetc;

namespace cl = llvm::cl;

static cl::OptionCategory category("hetc-compile options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::init("-"), cl::cat(category));
static cl::opt<std::string>
    outputFile("o",
               cl::desc("Output file (default: stdout, refused for artifacts)"),
               cl::value_desc("file"), cl::init("-"), cl::cat(category));
static cl::opt<std::string> target("target",
                                   cl::desc("Target backend, see "
                                            "--list-targets (default: cpu)"),
                                   cl::init("cpu"), cl::cat(category));
static cl::opt<std::string>
    chip("chip",
         cl::desc("Target processor: for cpu 'native' (default), 'x86-64', "
                  "'x86-64-v3', ...; for cuda sm_75 to sm_120 (default "
                  "sm_80); for rocm gfx908, gfx90a (default), gfx942, "
                  "gfx1030, gfx1100"),
         cl::init(""), cl::cat(category));
static cl::opt<std::string>
    cpu("cpu", cl::desc("Alias of --chip for cpu (default: none)"),
        cl::init(""), cl::cat(category));
static cl::opt<std::string>
    entry("entry", cl::desc("Model function (default: the only model)"),
          cl::init(""), cl::cat(category));
static cl::opt<bool>
    evalOnly("eval-only",
             cl::desc("Compile only the eval entry (default: false)"),
             cl::init(false), cl::cat(category));
static cl::opt<std::string> batchSizes(
    "batch-sizes",
    cl::desc("Batch sizes to compile, e.g. 64,29: the first is the main "
             "entries', each further one adds train_step_b<N> and eval_b<N> "
             "variants that the runtime picks by the inputs' shapes "
             "(default: the model's own)"),
    cl::value_desc("n,m,..."), cl::init(""), cl::cat(category));
static cl::opt<bool> reproducible(
    "reproducible",
    cl::desc("Reproducible mode: bit-identical results on every target "
             "(reductions in index order, no fused multiply-add, hetc's own "
             "math; see docs/reproducibility.md) (default: false)"),
    cl::init(false), cl::cat(category));
static cl::opt<bool> debugIntermediates(
    "debug-intermediates",
    cl::desc("Also emit train_step_debug, train_step returning every hetc "
             "op's result, for hetc-verify; the other entries are unchanged "
             "(default: false)"),
    cl::init(false), cl::cat(category));
static cl::opt<std::string> testPerturbOp(
    "test-perturb-op",
    cl::desc("TEST ONLY: add one ULP to the result of the first hetc op "
             "matching NAME[@FILE:LINE[:COL]], a planted divergence for "
             "testing hetc-verify (default: off)"),
    cl::value_desc("op"), cl::init(""), cl::cat(category));
static cl::opt<bool> listTargets("list-targets",
                                 cl::desc("List the target backends and exit"),
                                 cl::init(false), cl::cat(category));
static cl::opt<bool>
    printIRAfterAll("print-ir-after-all",
                    cl::desc("Print the IR after each pass (default: false)"),
                    cl::init(false), cl::cat(category));

static cl::opt<CompileStage> emit(
    "emit", cl::desc("Stop at a stage and print it (default: artifact)"),
    cl::values(clEnumValN(CompileStage::Hetc, "hetc",
                          "hetc IR with the generated entries"),
               clEnumValN(CompileStage::Linalg, "linalg", "linalg on tensors"),
               clEnumValN(CompileStage::LLVM, "llvm",
                          "optimized LLVM IR (cpu; GPU targets print asm)"),
               clEnumValN(CompileStage::Asm, "asm",
                          "assembly: x86, PTX, AMDGPU, or the SPIR-V module"),
               clEnumValN(CompileStage::Object, "obj",
                          "an object: ELF, cubin, HSACO or SPIR-V binary"),
               clEnumValN(CompileStage::Artifact, "artifact",
                          "the artifact (default)")),
    cl::init(CompileStage::Artifact), cl::cat(category));

static cl::OptionCategory optCategory("optimizer options");
static cl::opt<std::string>
    optimizer("optimizer", cl::desc("sgd, adam or adamw (default: sgd)"),
              cl::init(""), cl::cat(optCategory));
static cl::opt<std::string> lr(
    "lr",
    cl::desc("Learning rate (default: 0.01 for sgd, 0.001 for adam and adamw)"),
    cl::init(""), cl::cat(optCategory));
static cl::opt<std::string> momentum("momentum",
                                     cl::desc("SGD momentum (default: 0)"),
                                     cl::init(""), cl::cat(optCategory));
static cl::opt<std::string> nesterov("nesterov",
                                     cl::desc("SGD Nesterov momentum, true or "
                                              "false (default: false)"),
                                     cl::init(""), cl::cat(optCategory));
static cl::opt<std::string> weightDecay(
    "weight-decay",
    cl::desc("Weight decay (default: 0 for sgd and adam, 0.01 for adamw)"),
    cl::init(""), cl::cat(optCategory));
static cl::opt<std::string> beta1("beta1",
                                  cl::desc("Adam beta1 (default: 0.9)"),
                                  cl::init(""), cl::cat(optCategory));
static cl::opt<std::string> beta2("beta2",
                                  cl::desc("Adam beta2 (default: 0.999)"),
                                  cl::init(""), cl::cat(optCategory));
static cl::opt<std::string> eps("eps", cl::desc("Adam epsilon (default: 1e-8)"),
                                cl::init(""), cl::cat(optCategory));
static cl::list<std::string> paramGroups(
    "param-group",
    cl::desc("A parameter group, in order: PATTERN[|PATTERN...][:key=value"
             "...] (keys: lr, weight-decay, momentum, beta1, beta2, eps); each "
             "parameter joins the first group matching its name, e.g. "
             "--param-group='*.bias:weight-decay=0' --param-group='*' "
             "(default: one group)"),
    cl::value_desc("spec"), cl::cat(optCategory));
static cl::opt<std::string>
    maxGradNorm("max-grad-norm",
                cl::desc("Clip the gradients to this global L2 norm, as "
                         "torch.nn.utils.clip_grad_norm_ (default: off)"),
                cl::init(""), cl::cat(optCategory));
static cl::opt<std::string> accumulate(
    "accumulate",
    cl::desc("Accumulate the gradients of this many micro-batches, each "
             "divided by it, and update on the last, as a torch loop that "
             "steps every k batches (default: 1)"),
    cl::init(""), cl::cat(optCategory));
static cl::opt<bool> nanGuard(
    "nan-guard",
    cl::desc("Skip the update, and report which tensor, when the loss or a "
             "gradient is NaN or Inf (default: false)"),
    cl::init(false), cl::cat(optCategory));

/// Reads --batch-sizes into `sizes`; returns the error, or "".
static std::string parseBatchSizes(std::vector<int64_t> &sizes) {
  if (batchSizes.empty())
    return "";
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(batchSizes).split(parts, ',');
  for (llvm::StringRef part : parts) {
    int64_t size = 0;
    if (part.getAsInteger(10, size))
      return "--batch-sizes takes positive integers separated by commas, "
             "got '" +
             batchSizes + "'";
    sizes.push_back(size);
  }
  std::string error = checkBatchSizes(sizes);
  return error.empty() ? "" : "--batch-sizes: " + error;
}

/// Reads the optimizer flags into `train`; returns the error, or "".
static std::string parseTrainFlags(TrainOptions &train) {
  std::map<std::string, std::string> text;
  auto setOption = [&](const char *name, const std::string &value) {
    if (!value.empty())
      text[name] = value;
  };
  setOption("optimizer", optimizer);
  setOption("lr", lr);
  setOption("momentum", momentum);
  setOption("nesterov", nesterov);
  setOption("weight-decay", weightDecay);
  setOption("beta1", beta1);
  setOption("beta2", beta2);
  setOption("eps", eps);
  setOption("max-grad-norm", maxGradNorm);
  setOption("accumulate", accumulate);
  if (nanGuard)
    text["nan-guard"] = "true";
  for (const std::string &group : paramGroups) {
    if (group.find(',') != std::string::npos)
      return "--param-group '" + group +
             "' contains ',': give one group per --param-group";
    std::string &all = text["groups"];
    all += (all.empty() ? "" : ",") + group;
  }
  // Eval-only artifacts have no optimizer: its options are not read.
  return evalOnly ? "" : parseTrainOptions(text, train);
}

/// The flags as compile options; returns the error, or "".
static std::string getCompileOptions(CompileOptions &options) {
  if (!lookupTargetBackend(target))
    return unknownTargetMessage(target);
  if (std::string error = parseBatchSizes(options.batchSizes); !error.empty())
    return error;
  options.target = target;
  options.chip = !chip.empty() ? chip.getValue() : cpu.getValue();
  options.entry = entry;
  options.trainStep = !evalOnly;
  options.stage = emit;
  options.printIRAfterAll = printIRAfterAll;
  options.reproducible = reproducible;
  options.debugIntermediates = debugIntermediates;
  options.testPerturbOp = testPerturbOp;
  return parseTrainFlags(options.train);
}

/// Compiles the input file and writes the artifact or stage text.
static int compileInput(const CompileOptions &options) {
  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFile, &errorMessage);
  if (!input) {
    llvm::errs() << "hetc-compile: " << errorMessage << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  std::string text;
  llvm::raw_string_ostream textStream(text);
  FailureOr<std::string> artifact = compileModule(*module, options, textStream);
  if (failed(artifact))
    return 1;
  llvm::StringRef bytes = emit == CompileStage::Artifact
                              ? llvm::StringRef(*artifact)
                              : llvm::StringRef(text);
  // writeToOutput goes through a temporary file and a rename, so a failed
  // run never leaves a truncated artifact behind.
  if (llvm::Error error = llvm::writeToOutput(
          outputFile, [&](llvm::raw_ostream &os) -> llvm::Error {
            os << bytes;
            return llvm::Error::success();
          })) {
    llvm::errs() << "hetc-compile: cannot write '" << outputFile
                 << "': " << llvm::toString(std::move(error)) << "\n";
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions({&category, &optCategory});
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "hetc-compile: " << HETC_VERSION_TEXT << "\n";
  });
  cl::ParseCommandLineOptions(argc, argv,
                              "hetc-compile: compile a hetc model's training "
                              "step into an artifact\n");

  registerAllTargetBackends();
  if (listTargets) {
    for (const std::string &name : getRegisteredTargetBackendNames())
      llvm::outs() << name << ": "
                   << lookupTargetBackend(name)->getDescription() << "\n";
    return 0;
  }

  // Option errors come before the model is read, and carry no source
  // location.
  CompileOptions options;
  if (std::string error = getCompileOptions(options); !error.empty()) {
    llvm::errs() << "hetc-compile: error: " << error << "\n";
    return 1;
  }
  if (outputFile == "-" && emit == CompileStage::Artifact) {
    llvm::errs() << "hetc-compile: refusing to write a binary artifact to "
                    "stdout; pass -o model.hetc\n";
    return 1;
  }
  return compileInput(options);
}
