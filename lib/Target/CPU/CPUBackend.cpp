//===- CPUBackend.cpp - the host CPU target -------------------------------===//
//
// Lowers entry functions on linalg tensors to LLVM, compiles them in-process
// for the host (or a generic x86-64) and links them into a shared object,
// the artifact's "host" section. Each entry gets a wrapper
// `void hetc_entry_<name>(void **buffers)` taking one pointer per argument,
// then one per result, in manifest order.
//
//===----------------------------------------------------------------------===//

#include "hetc/Codegen/CPU/Passes.h"
#include "hetc/Dialect/Hetc/HetcDialect.h"
#include "hetc/Target/Artifact.h"
#include "hetc/Target/Backends.h"
#include "hetc/Target/TargetBackend.h"
#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/manifest_schema.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace mlir;
using namespace mlir::hetc;

/// The linker the CPU backend drives; Debian's lld-22 installs it here.
static constexpr llvm::StringLiteral kLinkerPath =
    "/usr/lib/llvm-22/bin/ld.lld";
/// Shared libraries the host code may call: libm (erf, pow...), the LLVM
/// OpenMP runtime for threads, and libc (the ukernels' scratch memory).
static constexpr llvm::StringLiteral kLibmPath =
    "/lib/x86_64-linux-gnu/libm.so.6";
static constexpr llvm::StringLiteral kLibompPath =
    "/usr/lib/x86_64-linux-gnu/libomp.so.5";
static constexpr llvm::StringLiteral kLibcPath =
    "/lib/x86_64-linux-gnu/libc.so.6";

#include "UkernelBitcode.inc"

namespace {

struct ResolvedChip {
  std::string cpu;
  std::string features;
};

ResolvedChip resolveChip(llvm::StringRef chip) {
  if (chip.empty() || chip == "native") {
    std::string features;
    llvm::StringMap<bool> hostFeatures = llvm::sys::getHostCPUFeatures();
    for (auto &feature : hostFeatures) {
      if (!features.empty())
        features += ",";
      features += (feature.second ? "+" : "-") + feature.first().str();
    }
    return {llvm::sys::getHostCPUName().str(), features};
  }
  return {chip.str(), ""};
}

/// Runs ld.lld to turn `objectPath` into a shared object at `soPath`.
LogicalResult linkSharedObject(Location loc, llvm::StringRef objectPath,
                               llvm::StringRef soPath) {
  std::string errorMessage;
  llvm::SmallVector<llvm::StringRef> args = {
      kLinkerPath, "-shared",   "--no-undefined-version",
      "-O2",       "-z",        "now",
      "-o",        soPath,      objectPath,
      kLibmPath,   kLibompPath, kLibcPath};
  std::string stderrPath = (soPath + ".log").str();
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, stderrPath,
                                                stderrPath};
  int rc = llvm::sys::ExecuteAndWait(kLinkerPath, args, std::nullopt, redirects,
                                     /*SecondsToWait=*/120,
                                     /*MemoryLimit=*/0, &errorMessage);
  if (rc != 0) {
    std::string log;
    if (auto buffer = llvm::MemoryBuffer::getFile(stderrPath))
      log = (*buffer)->getBuffer().str();
    llvm::sys::fs::remove(stderrPath);
    return emitError(loc) << "linking the CPU shared object with "
                          << kLinkerPath << " failed (exit " << rc
                          << "): " << errorMessage << log;
  }
  llvm::sys::fs::remove(stderrPath);
  return success();
}

class CPUBackend final : public TargetBackend {
public:
  llvm::StringRef getName() const override { return "cpu"; }
  llvm::StringRef getDescription() const override {
    return "the host CPU through LLVM (x86-64, AVX2/AVX-512 when present)";
  }

  LogicalResult checkToolchain(Location loc,
                               const TargetOptions &) const override {
    if (!llvm::sys::fs::can_execute(kLinkerPath))
      return emitError(loc)
             << "the cpu target needs the linker " << kLinkerPath
             << ", which is missing: install Debian's lld-22 package";
    for (llvm::StringRef lib : {kLibmPath, kLibcPath})
      if (!llvm::sys::fs::exists(lib))
        return emitError(loc) << "the cpu target links against " << lib
                              << ", which is missing";
    if (!llvm::sys::fs::exists(kLibompPath))
      return emitError(loc)
             << "the cpu target runs threads through the LLVM OpenMP runtime "
             << kLibompPath
             << ", which is missing: install Debian's libomp5-22";
    return success();
  }

  LogicalResult buildPipeline(OpPassManager &pm,
                              const TargetOptions &options) const override {
    buildCPUCodegenPipeline(pm, {/*reproducible=*/options.reproducible});
    return success();
  }

  FailureOr<SerializedTarget>
  serialize(ModuleOp module, const TargetOptions &options, EmitStage stage,
            llvm::raw_ostream &debugOut) const override;
};

} // namespace

/// Adds `void hetc_entry_<name>(void **buffers)` for each entry function.
static LogicalResult addEntryWrappers(llvm::Module &module,
                                      ArrayRef<std::string> entries,
                                      Location loc) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptrTy = llvm::PointerType::getUnqual(ctx);
  for (const std::string &name : entries) {
    llvm::Function *callee = module.getFunction(name);
    if (!callee)
      return emitError(loc)
             << "entry function '" << name << "' is missing after lowering";
    auto *wrapperTy = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx),
                                              {ptrTy}, /*isVarArg=*/false);
    auto *wrapper =
        llvm::Function::Create(wrapperTy, llvm::Function::ExternalLinkage,
                               "hetc_entry_" + name, module);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", wrapper));
    llvm::SmallVector<llvm::Value *> args;
    for (auto [i, param] : llvm::enumerate(callee->args())) {
      if (!param.getType()->isPointerTy())
        return emitError(loc) << "entry '" << name << "' parameter #" << i
                              << " is not a buffer pointer";
      llvm::Value *slot =
          b.CreateConstInBoundsGEP1_64(ptrTy, wrapper->getArg(0), i);
      args.push_back(b.CreateLoad(ptrTy, slot));
    }
    b.CreateCall(callee, args);
    b.CreateRetVoid();
    // Inside the shared object only the wrappers need to be visible.
    callee->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  return success();
}

/// The processor features the code may use, which the runtime checks on
/// load, refusing code its CPU cannot run.
static std::vector<std::string>
requiredFeatures(const llvm::MCSubtargetInfo &subtarget) {
  std::vector<std::string> features;
  for (const char *feature :
       {"avx", "avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512dq"})
    if (subtarget.checkFeatures(std::string("+") + feature))
      features.push_back(feature);
  return features;
}

/// Embeds the manifest's signature, with the chip and features bound, as a
/// NUL-terminated string in the host object's ELF section .hetc_signature,
/// which the runtime reads before loading the code.
static void embedSignature(llvm::Module &module, llvm::StringRef signature,
                           llvm::StringRef chip,
                           const std::vector<std::string> &features) {
  std::string text = signature.str();
  appendManifestBinding(text, HETC_MANIFEST_KEY(ROOT, chip), chip);
  llvm::json::Array featureList;
  for (const std::string &feature : features)
    featureList.push_back(feature);
  appendManifestBinding(text, HETC_MANIFEST_KEY(ROOT, cpu_features),
                        std::move(featureList));
  llvm::Constant *init =
      llvm::ConstantDataArray::getString(module.getContext(), text);
  auto *global = new llvm::GlobalVariable(module, init->getType(),
                                          /*isConstant=*/true,
                                          llvm::GlobalValue::InternalLinkage,
                                          init, "hetc_signature");
  global->setSection(HETC_SIGNATURE_ELF_SECTION);
  global->setAlignment(llvm::Align(1));
  // Kept through optimization although no code reads it.
  llvm::appendToUsed(module, {global});
}

/// The ukernels compiled code may call.
static constexpr llvm::StringLiteral kUkernelNames[] = {"hetc_uk_sgemm",
                                                        "hetc_uk_sgemm_seq"};

/// Links the ukernel bitcode of the best flavour the chip supports.
static LogicalResult linkUkernels(llvm::Module &module,
                                  const llvm::MCSubtargetInfo &subtarget,
                                  Location loc) {
  if (llvm::none_of(kUkernelNames, [&](llvm::StringRef name) {
        return module.getFunction(name);
      }))
    return success();
  llvm::StringRef bitcode;
  auto bytes = [](const unsigned char *data, size_t size) {
    return llvm::StringRef(reinterpret_cast<const char *>(data), size);
  };
  if (subtarget.checkFeatures("+avx512f,+avx512vl,+avx512bw,+avx512dq"))
    bitcode = bytes(kSgemm_avx512, sizeof(kSgemm_avx512));
  else if (subtarget.checkFeatures("+avx2,+fma"))
    bitcode = bytes(kSgemm_avx2, sizeof(kSgemm_avx2));
  else
    bitcode = bytes(kSgemm_generic, sizeof(kSgemm_generic));
  auto parsed = llvm::parseBitcodeFile(
      llvm::MemoryBufferRef(bitcode, "hetc-ukernels"), module.getContext());
  if (!parsed)
    return emitError(loc) << "the embedded CPU ukernel bitcode is unreadable: "
                          << llvm::toString(parsed.takeError());
  std::unique_ptr<llvm::Module> ukernels = std::move(*parsed);
  ukernels->setTargetTriple(module.getTargetTriple());
  ukernels->setDataLayout(module.getDataLayout());
  if (llvm::Linker::linkModules(module, std::move(ukernels),
                                llvm::Linker::LinkOnlyNeeded))
    return emitError(loc) << "linking the CPU ukernels failed";
  for (llvm::StringRef name : kUkernelNames)
    if (llvm::Function *fn = module.getFunction(name))
      fn->setLinkage(llvm::GlobalValue::InternalLinkage);
  return success();
}

/// The entry functions the driver recorded in `hetc.entries`.
static FailureOr<SmallVector<std::string>> getEntryNames(ModuleOp module) {
  auto entriesAttr =
      module->getAttrOfType<ArrayAttr>(HetcDialect::kEntriesAttrName);
  if (!entriesAttr)
    return emitError(module.getLoc()) << "module has no hetc.entries attribute";
  SmallVector<std::string> entries;
  for (Attribute attr : entriesAttr)
    entries.push_back(cast<StringAttr>(attr).getValue().str());
  return entries;
}

/// The LLVM dialect module as LLVM IR, with the entry wrappers and the
/// embedded signature.
static FailureOr<std::unique_ptr<llvm::Module>>
translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext) {
  Location loc = module.getLoc();
  FailureOr<SmallVector<std::string>> entries = getEntryNames(module);
  if (failed(entries))
    return failure();
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  registerOpenMPDialectTranslation(*module.getContext());
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "hetc");
  if (!llvmModule)
    return emitError(loc) << "translating the CPU module to LLVM IR failed";
  if (failed(addEntryWrappers(*llvmModule, *entries, loc)))
    return failure();
  return llvmModule;
}

namespace {
/// The machine the code is compiled for.
struct HostMachine {
  ResolvedChip chip;
  llvm::Triple triple;
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget;
  std::unique_ptr<llvm::TargetMachine> machine;
};
} // namespace

static FailureOr<HostMachine>
createHostMachine(Location loc, llvm::StringRef chipName, bool reproducible) {
  HostMachine host{resolveChip(chipName),
                   llvm::Triple(llvm::sys::getDefaultTargetTriple()), nullptr,
                   nullptr};
  ResolvedChip &chip = host.chip;
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(host.triple, error);
  if (!target)
    return emitError(loc) << "no LLVM target for " << host.triple.str() << ": "
                          << error;
  // Validate against a generic subtarget first: LLVM warns on stderr when
  // asked to build one for an unknown CPU.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      target->createMCSubtargetInfo(host.triple, "", ""));
  if (!generic || !generic->isCPUStringValid(chip.cpu))
    return emitError(loc) << "unknown CPU '" << chip.cpu
                          << "' for --chip (try native, x86-64, x86-64-v2, "
                             "x86-64-v3, x86-64-v4, skylake-avx512, znver4)";
  host.subtarget.reset(
      target->createMCSubtargetInfo(host.triple, chip.cpu, chip.features));
  llvm::TargetOptions targetOptions;
  // Reproducible mode: never fuse a multiply and an add, even where an
  // instruction's flags would allow it (hetc emits none that do).
  if (reproducible)
    targetOptions.AllowFPOpFusion = llvm::FPOpFusion::Strict;
  host.machine.reset(target->createTargetMachine(
      host.triple, chip.cpu, chip.features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  return host;
}

/// Targets `llvmModule` at the host machine, links the ukernels it calls and
/// verifies the result.
static LogicalResult prepareForHost(llvm::Module &llvmModule,
                                    const HostMachine &host, Location loc) {
  llvmModule.setTargetTriple(host.triple);
  llvmModule.setDataLayout(host.machine->createDataLayout());
  for (llvm::Function &fn : llvmModule) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", host.chip.cpu);
    if (!host.chip.features.empty())
      fn.addFnAttr("target-features", host.chip.features);
  }
  if (failed(linkUkernels(llvmModule, *host.subtarget, loc)))
    return failure();
  if (llvm::verifyModule(llvmModule, &llvm::errs()))
    return emitError(loc) << "hetc produced invalid LLVM IR for the CPU";
  return success();
}

/// The same O3 pipeline clang uses: loop and SLP vectorization included,
/// except that reproducible mode runs without the loop vectorizer: LLVM 22's
/// VPlan uniformity walk (vputils::isUniformAcrossVFsAndUFs) is exponential
/// in the depth of hetc's own math sequences (a batch-norm step did not
/// compile in 10 minutes). Vectorizing never changes the bits here (no
/// reassociation is allowed), so this costs speed only.
static void optimize(llvm::Module &llvmModule, llvm::TargetMachine &machine,
                     bool reproducible) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = !reproducible;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm =
      builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(llvmModule, mam);
}

/// Assembly or an object file of `llvmModule`.
static FailureOr<llvm::SmallString<0>> emitCode(llvm::Module &llvmModule,
                                                const HostMachine &host,
                                                llvm::CodeGenFileType type,
                                                Location loc) {
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream os(bytes);
  llvm::legacy::PassManager codegen;
  if (host.machine->addPassesToEmitFile(codegen, os, nullptr, type))
    return emitError(loc) << "LLVM cannot emit code for " << host.chip.cpu;
  codegen.run(llvmModule);
  return bytes;
}

/// Links `objectBytes` into a shared object in a private temporary folder
/// under `tempDir` (the system's when empty) and returns its bytes.
static FailureOr<std::string> linkInTempDir(Location loc,
                                            llvm::StringRef objectBytes,
                                            const std::string &tempDir) {
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          tempDir.empty()
              ? llvm::sys::fs::createUniqueDirectory("hetc-cpu", dir)
              : llvm::sys::fs::createUniqueDirectory(tempDir + "/hetc-cpu",
                                                     dir))
    return emitError(loc) << "cannot create a temporary folder: "
                          << ec.message();
  std::string objectPath = (dir + "/host.o").str();
  std::string soPath = (dir + "/host.so").str();
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove(objectPath);
    llvm::sys::fs::remove(soPath);
    llvm::sys::fs::remove(dir);
  });
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(objectPath, ec);
    if (ec)
      return emitError(loc)
             << "cannot write " << objectPath << ": " << ec.message();
    out << objectBytes;
  }
  if (failed(linkSharedObject(loc, objectPath, soPath)))
    return failure();
  auto so = llvm::MemoryBuffer::getFile(soPath);
  if (!so)
    return emitError(loc) << "cannot read the linked " << soPath;
  return (*so)->getBuffer().str();
}

FailureOr<SerializedTarget>
CPUBackend::serialize(ModuleOp module, const TargetOptions &options,
                      EmitStage stage, llvm::raw_ostream &debugOut) const {
  Location loc = module.getLoc();
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::LLVMContext llvmContext;
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      translateToLLVMIR(module, llvmContext);
  if (failed(llvmModule))
    return failure();
  FailureOr<HostMachine> host =
      createHostMachine(loc, options.chip, options.reproducible);
  if (failed(host))
    return failure();
  std::vector<std::string> features = requiredFeatures(*host->subtarget);
  if (auto signature =
          module->getAttrOfType<StringAttr>(HetcDialect::kSignatureAttrName))
    embedSignature(**llvmModule, signature.getValue(), host->chip.cpu,
                   features);
  if (failed(prepareForHost(**llvmModule, *host, loc)))
    return failure();
  optimize(**llvmModule, *host->machine, options.reproducible);
  if (stage == EmitStage::LLVM) {
    (*llvmModule)->print(debugOut, nullptr);
    return SerializedTarget{{}, host->chip.cpu};
  }

  FailureOr<llvm::SmallString<0>> code =
      emitCode(**llvmModule, *host,
               stage == EmitStage::Asm ? llvm::CodeGenFileType::AssemblyFile
                                       : llvm::CodeGenFileType::ObjectFile,
               loc);
  if (failed(code))
    return failure();
  if (stage == EmitStage::Asm || stage == EmitStage::Object) {
    debugOut << *code;
    return SerializedTarget{{}, host->chip.cpu};
  }
  FailureOr<std::string> so = linkInTempDir(loc, *code, options.tempDir);
  if (failed(so))
    return failure();
  SerializedTarget result;
  result.chip = host->chip.cpu;
  result.requiredFeatures = std::move(features);
  result.sections.push_back({"host", std::move(*so)});
  return result;
}

std::unique_ptr<TargetBackend> mlir::hetc::createCPUTargetBackend() {
  return std::make_unique<CPUBackend>();
}
