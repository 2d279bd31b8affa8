//===- Compiler.cpp - model to artifact -----------------------------------===//

#include "hetc/Pipeline/Compiler.h"
#include "hetc/Version.h"

#include "hetc/Codegen/Common/Passes.h"
#include "hetc/Conversion/Passes.h"
#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Locations.h"
#include "hetc/Dialect/Hetc/Passes.h"
#include "hetc/Target/Artifact.h"

#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/manifest_schema.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/JSON.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace mlir;
using namespace mlir::hetc;

llvm::StringRef mlir::hetc::getCompilerVersion() { return HETC_VERSION; }

std::string mlir::hetc::unknownTargetMessage(llvm::StringRef target) {
  registerAllTargetBackends();
  std::string known;
  for (const std::string &name : getRegisteredTargetBackendNames())
    known += (known.empty() ? "" : ", ") + name;
  return ("unknown target '" + target + "' (known targets: " + known + ")")
      .str();
}

void mlir::hetc::registerCompilerDialects(DialectRegistry &registry) {
  registry.insert<HetcDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // The GPU backends translate kernel modules to LLVM IR (NVVM, ROCDL).
  mlir::registerAllToLLVMIRTranslations(registry);
}

namespace {

/// Runs the passes `build` adds to a pass manager on `module`.
LogicalResult runPasses(ModuleOp module, const CompileOptions &options,
                        llvm::function_ref<void(OpPassManager &)> build) {
  PassManager pm(module.getContext());
  if (options.printIRAfterAll) {
    module.getContext()->disableMultithreading();
    pm.enableIRPrinting();
  }
  build(pm);
  return pm.run(module);
}

std::optional<std::string> dtypeName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isSignlessInteger(32))
    return "i32";
  if (type.isSignlessInteger(64))
    return "i64";
  return std::nullopt;
}

/// Describes a tensor (name, dtype, shape) for the manifest.
FailureOr<llvm::json::Object> describeTensor(Location loc, Type type,
                                             llvm::StringRef name,
                                             llvm::StringRef role) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return emitError(loc) << "'" << name
                          << "' is not a statically shaped tensor: " << type;
  std::optional<std::string> dtype = dtypeName(tensor.getElementType());
  if (!dtype)
    return emitError(loc) << "'" << name << "' has element type "
                          << tensor.getElementType()
                          << ", which artifacts cannot carry (f32, f16, bf16, "
                             "i32, i64)";
  // The runtime's limits (artifact_format.h): refuse here what it would
  // refuse to load.
  if (tensor.getRank() > HETC_MANIFEST_MAX_RANK)
    return emitError(loc) << "'" << name << "' has rank " << tensor.getRank()
                          << "; artifacts carry tensors of rank at most "
                          << HETC_MANIFEST_MAX_RANK;
  std::optional<uint64_t> bytes = (tensor.getElementTypeBitWidth() + 7) / 8;
  for (int64_t dim : tensor.getShape()) {
    bytes = llvm::checkedMulUnsigned<uint64_t>(*bytes, dim);
    if (!bytes || *bytes > HETC_MAX_TENSOR_BYTES)
      return emitError(loc) << "'" << name << "' of type " << type
                            << " has more than 2^48 bytes, the most an "
                               "artifact tensor may hold";
  }
  llvm::json::Array shape;
  for (int64_t dim : tensor.getShape())
    shape.push_back(dim);
  return llvm::json::Object{
      {HETC_MANIFEST_KEY(TENSOR, name), name.str()},
      {HETC_MANIFEST_KEY(TENSOR, role), role.str()},
      {HETC_MANIFEST_KEY(TENSOR, dtype), *dtype},
      {HETC_MANIFEST_KEY(TENSOR, shape), std::move(shape)}};
}

llvm::json::Object describeInit(InitAttr init) {
  llvm::json::Object object{
      {HETC_MANIFEST_KEY(INIT, kind), stringifyInitKind(init.getKind()).str()}};
  if (init.getKind() != InitKind::Zeros && init.getKind() != InitKind::Ones)
    object[HETC_MANIFEST_KEY(INIT, value)] = init.getValue().convertToDouble();
  return object;
}

/// The class count of a label argument: the smallest class dimension of the
/// class-indexed losses reading it, so the runtime can check labels before
/// they index out of bounds. None when no such loss reads it directly.
std::optional<int64_t> labelClasses(func::FuncOp fn, unsigned i) {
  std::optional<int64_t> classes;
  auto record = [&](Value logits) {
    auto type = dyn_cast<RankedTensorType>(logits.getType());
    if (!type || type.getRank() != 2 || type.isDynamicDim(1))
      return;
    classes =
        std::min(classes.value_or(type.getDimSize(1)), type.getDimSize(1));
  };
  for (Operation *user : fn.getArgument(i).getUsers()) {
    if (auto loss = dyn_cast<CrossEntropyOp>(user))
      record(loss.getLogits());
    else if (auto grad = dyn_cast<CrossEntropyBackwardOp>(user))
      record(grad.getLogits());
  }
  return classes;
}

/// Appends one signature line, formatted by the runtime's own formatter so
/// that compiler and runtime agree byte for byte.
template <typename Format, typename... Args>
void appendLine(std::string &text, Format format, Args... args) {
  size_t size = format(nullptr, 0, args...);
  size_t at = text.size();
  text.resize(at + size + 1);
  format(text.data() + at, size + 1, args...);
  text.resize(at + size);
}

void appendTensors(std::string &text, const char *list,
                   const llvm::json::Array *tensors) {
  for (const llvm::json::Value &value : *tensors) {
    const llvm::json::Object &tensor = *value.getAsObject();
    SmallVector<int64_t> shape;
    for (const llvm::json::Value &dim : *tensor.getArray("shape"))
      shape.push_back(*dim.getAsInteger());
    appendLine(text, hetc_signature_tensor_line, list,
               tensor.getString("name")->str().c_str(),
               tensor.getString("role")->str().c_str(),
               tensor.getString("dtype")->str().c_str(),
               static_cast<int32_t>(shape.size()), shape.data());
  }
}

/// The signature the manifest's entries describe (artifact_format.h).
std::string describeSignature(const llvm::json::Array &entries) {
  std::string text = HETC_SIGNATURE_HEADER;
  for (const llvm::json::Value &value : entries) {
    const llvm::json::Object &entry = *value.getAsObject();
    appendLine(text, hetc_signature_entry_line,
               entry.getString("name")->str().c_str(),
               entry.getString("kind")->str().c_str(),
               entry.getString("symbol")->str().c_str());
    appendTensors(text, "arg", entry.getArray("args"));
    appendTensors(text, "result", entry.getArray("results"));
  }
  return text;
}

/// The manifest description of a debug entry's result: an output named
/// "debug<index>" with the op, which of its results, and where it is in the
/// model, from its hetc.debug attribute (hetc-debug-intermediates).
FailureOr<llvm::json::Object> describeDebugResult(Location loc, Type type,
                                                  DictionaryAttr debug) {
  auto index = debug.getAs<IntegerAttr>("index");
  auto op = debug.getAs<StringAttr>("op");
  auto result = debug.getAs<IntegerAttr>("result");
  auto location = debug.getAs<StringAttr>("location");
  auto scope = debug.getAs<StringAttr>("scope");
  if (!index || !op || !result || !location || !scope)
    return emitError(loc) << "malformed " << kDebugAttrName << " " << debug;
  std::string name = ("debug" + llvm::Twine(index.getInt())).str();
  FailureOr<llvm::json::Object> desc =
      describeTensor(loc, type, name, "output");
  if (failed(desc))
    return failure();
  (*desc)[HETC_MANIFEST_KEY(TENSOR, op)] = op.getValue().str();
  (*desc)[HETC_MANIFEST_KEY(TENSOR, op_result)] = result.getInt();
  (*desc)[HETC_MANIFEST_KEY(TENSOR, location)] = location.getValue().str();
  (*desc)[HETC_MANIFEST_KEY(TENSOR, scope)] = scope.getValue().str();
  return desc;
}

/// Builds the manifest entry of one entry function, reading the argument and
/// result roles the model contract and the train-step pass attach.
FailureOr<llvm::json::Object> describeEntry(func::FuncOp fn,
                                            llvm::StringRef kind) {
  Location loc = fn.getLoc();
  llvm::json::Array args, results;
  unsigned numParams = 0;
  SmallVector<std::string> names;
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i) {
    Type type = fn.getArgumentTypes()[i];
    // Parameters and buffers: resident session state with an initializer.
    auto paramInit =
        fn.getArgAttrOfType<InitAttr>(i, HetcDialect::kParamAttrName);
    auto bufferInit =
        fn.getArgAttrOfType<InitAttr>(i, HetcDialect::kBufferAttrName);
    if (paramInit || bufferInit) {
      std::string name = getArgumentName(fn, i);
      auto desc =
          describeTensor(loc, type, name, paramInit ? "param" : "buffer");
      if (failed(desc))
        return failure();
      (*desc)[HETC_MANIFEST_KEY(TENSOR, init)] =
          describeInit(paramInit ? paramInit : bufferInit);
      names.push_back(name);
      args.push_back(std::move(*desc));
      numParams += paramInit ? 1 : 0;
      continue;
    }
    if (auto state = fn.getArgAttrOfType<DictionaryAttr>(
            i, HetcDialect::kOptStateAttrName)) {
      auto param = state.getAs<IntegerAttr>("param");
      auto kindAttr = state.getAs<StringAttr>("kind");
      std::optional<OptStateKind> stateKind;
      if (kindAttr)
        stateKind = symbolizeOptStateKind(kindAttr.getValue());
      // Parameter-less state (Adam's step counter) belongs to the optimizer.
      std::optional<int64_t> paramIndex;
      if (param)
        paramIndex = param.getInt();
      if (!stateKind ||
          (paramIndex && (*paramIndex < 0 || *paramIndex >= numParams)))
        return emitError(loc) << "argument #" << i
                              << " has a malformed hetc.opt_state " << state;
      std::string of = paramIndex ? names[*paramIndex] : "";
      llvm::StringRef kindName = stringifyOptStateKind(*stateKind);
      std::string name = of.empty() ? ("optimizer." + kindName).str()
                                    : (of + "." + kindName).str();
      if (auto explicitName =
              fn.getArgAttrOfType<StringAttr>(i, HetcDialect::kNameAttrName))
        name = explicitName.getValue().str();
      auto desc = describeTensor(loc, type, name, "opt_state");
      if (failed(desc))
        return failure();
      (*desc)[HETC_MANIFEST_KEY(TENSOR, of)] = of;
      (*desc)[HETC_MANIFEST_KEY(TENSOR, state)] = kindName.str();
      if (auto init = state.getAs<InitAttr>("init"))
        (*desc)[HETC_MANIFEST_KEY(TENSOR, init)] = describeInit(init);
      else
        (*desc)[HETC_MANIFEST_KEY(TENSOR, init)] =
            llvm::json::Object{{HETC_MANIFEST_KEY(INIT, kind), "zeros"}};
      names.push_back(name);
      args.push_back(std::move(*desc));
      continue;
    }
    if (auto hyper = fn.getArgAttrOfType<DictionaryAttr>(
            i, HetcDialect::kHyperAttrName)) {
      std::string name = getArgumentName(fn, i);
      auto desc = describeTensor(loc, type, name, "hyper");
      if (failed(desc))
        return failure();
      (*desc)[HETC_MANIFEST_KEY(TENSOR, hyper)] =
          hyper.getAs<StringAttr>("name").getValue().str();
      (*desc)[HETC_MANIFEST_KEY(TENSOR, group)] =
          hyper.getAs<IntegerAttr>("group").getInt();
      (*desc)[HETC_MANIFEST_KEY(TENSOR, init)] =
          describeInit(hyper.getAs<InitAttr>("init"));
      names.push_back(name);
      args.push_back(std::move(*desc));
      continue;
    }
    llvm::StringRef role;
    if (fn.getArgAttr(i, HetcDialect::kInputAttrName))
      role = "input";
    else if (fn.getArgAttr(i, HetcDialect::kLabelAttrName))
      role = "label";
    else
      return emitError(fn.getArgument(i).getLoc())
             << "argument #" << i << " of entry '" << fn.getSymName()
             << "' has no role";
    std::string name = getArgumentName(fn, i);
    auto desc = describeTensor(loc, type, name, role);
    if (failed(desc))
      return failure();
    if (role == "label" && !fn.isExternal())
      if (std::optional<int64_t> classes = labelClasses(fn, i))
        (*desc)[HETC_MANIFEST_KEY(TENSOR, classes)] = *classes;
    names.push_back(name);
    args.push_back(std::move(*desc));
  }
  unsigned outputs = 0;
  for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i) {
    // Updated parameters and state are written in place, not returned.
    if (fn.getResultAttr(i, HetcDialect::kUpdatesAttrName))
      continue;
    bool isLoss = fn.getResultAttr(i, HetcDialect::kLossAttrName) ||
                  (kind == "eval" && i == 0);
    bool isNorm =
        fn.getResultAttr(i, HetcDialect::kGradNormAttrName) != nullptr;
    auto checks =
        fn.getResultAttrOfType<ArrayAttr>(i, HetcDialect::kNonFiniteAttrName);
    if (auto debug =
            fn.getResultAttrOfType<DictionaryAttr>(i, kDebugAttrName)) {
      FailureOr<llvm::json::Object> desc =
          describeDebugResult(loc, fn.getResultTypes()[i], debug);
      if (failed(desc))
        return failure();
      results.push_back(std::move(*desc));
      continue;
    }
    std::string name = isLoss   ? "loss"
                       : isNorm ? "grad_norm"
                       : checks ? "nonfinite"
                                : ("output" + llvm::Twine(outputs++)).str();
    auto desc = describeTensor(loc, fn.getResultTypes()[i], name,
                               isLoss ? "loss" : "output");
    if (failed(desc))
      return failure();
    if (checks) {
      // What each element of the NaN/Inf guard's output checks.
      llvm::json::Array names;
      for (Attribute checked : checks)
        names.push_back(cast<StringAttr>(checked).getValue().str());
      (*desc)[HETC_MANIFEST_KEY(TENSOR, checks)] = std::move(names);
    }
    results.push_back(std::move(*desc));
  }
  llvm::json::Object entry{
      {HETC_MANIFEST_KEY(ENTRY, name), fn.getSymName().str()},
      {HETC_MANIFEST_KEY(ENTRY, kind), kind.str()},
      {HETC_MANIFEST_KEY(ENTRY, symbol),
       ("hetc_entry_" + fn.getSymName()).str()},
      {HETC_MANIFEST_KEY(ENTRY, args), std::move(args)},
      {HETC_MANIFEST_KEY(ENTRY, results), std::move(results)}};
  if (auto of = fn->getAttrOfType<StringAttr>(kDebugOfAttrName))
    entry[HETC_MANIFEST_KEY(ENTRY, debug_of)] = of.getValue().str();
  return entry;
}

/// The model function: `entry` when given, else the module's only model.
FailureOr<func::FuncOp> findModel(ModuleOp module, llvm::StringRef entry) {
  FailureOr<SmallVector<func::FuncOp>> models =
      collectModels(module, entry, /*allowNone=*/false);
  if (failed(models))
    return failure();
  if (models->size() > 1)
    return emitError((*models)[1].getLoc())
           << "module has several models ('" << (*models)[0].getSymName()
           << "', '" << (*models)[1].getSymName()
           << "'...): choose one with --entry";
  return models->front();
}

/// hetc-train-step's options: `train` for the model `model`.
HetcTrainStepOptions getTrainStepOptions(llvm::StringRef model,
                                         const TrainOptions &train) {
  HetcTrainStepOptions options;
  options.entry = model.str();
  // The same values (checked in CompileOptions.cpp).
  options.optimizer = static_cast<Optimizer>(train.optimizer);
  options.lr = train.lr;
  options.momentum = train.momentum;
  options.nesterov = train.nesterov;
  options.weightDecay = train.weightDecay;
  options.beta1 = train.beta1;
  options.beta2 = train.beta2;
  options.eps = train.eps;
  options.groups.assign(train.groups.begin(), train.groups.end());
  options.maxGradNorm = train.maxGradNorm;
  options.nanGuard = train.nanGuard;
  options.accumulate = train.accumulate;
  return options;
}

/// Generates the eval entry (and train_step) of `model` in `module`; returns
/// their names.
FailureOr<SmallVector<std::string>>
generateEntries(ModuleOp module, func::FuncOp model,
                const CompileOptions &options) {
  std::string modelName = model.getSymName().str();
  // The eval entry is the eval-mode function when the model has one, else
  // the model itself: loss and auxiliary outputs, buffers read-only.
  FailureOr<func::FuncOp> evalMode = findEvalFunction(model);
  if (failed(evalMode))
    return failure();
  func::FuncOp evalSource = *evalMode ? *evalMode : model;
  OpBuilder builder(module.getContext());
  builder.setInsertionPointAfter(evalSource);
  auto eval = cast<func::FuncOp>(builder.clone(*evalSource.getOperation()));
  SymbolTable symbols(module);
  if (symbols.lookup("eval") && symbols.lookup("eval") != eval)
    return emitError(symbols.lookup("eval")->getLoc())
           << "the entry name 'eval' is reserved for the generated entry";
  symbols.setSymbolName(eval, "eval");
  eval.setPublic();
  eval->removeAttr(HetcDialect::kEvalOfAttrName);
  // Eval never changes state: its buffer updates are dropped.
  llvm::BitVector bufferUpdates(eval.getNumResults());
  for (unsigned i = 0, e = eval.getNumResults(); i < e; ++i)
    if (eval.getResultAttr(i, HetcDialect::kBufferUpdateAttrName))
      bufferUpdates.set(i);
  eval.walk([&](func::ReturnOp ret) { ret->eraseOperands(bufferUpdates); });
  if (failed(eval.eraseResults(bufferUpdates)))
    return emitError(eval.getLoc()) << "could not drop eval's buffer updates";

  SmallVector<std::string> entries = {"eval"};
  if (options.trainStep) {
    if (symbols.lookup("train_step"))
      return emitError(symbols.lookup("train_step")->getLoc())
             << "the entry name 'train_step' is reserved for the generated "
                "entry";
    if (failed(runPasses(module, options, [&](OpPassManager &pm) {
          pm.addPass(createHetcTrainStep(
              getTrainStepOptions(modelName, options.train)));
        })))
      return failure();
    entries.insert(entries.begin(), "train_step");
  }

  return entries;
}

/// Compiles each further batch size from a copy of the unchanged module:
/// rebatched, its entries generated and renamed `<entry>_b<size>`, then
/// moved into `module`. Records each variant's main entry in `variantOf`.
LogicalResult addBatchVariants(ModuleOp module, ModuleOp pristine,
                               llvm::StringRef modelName,
                               const CompileOptions &options,
                               SmallVectorImpl<std::string> &entries,
                               std::map<std::string, std::string> &variantOf) {
  for (int64_t size : llvm::drop_begin(options.batchSizes)) {
    OwningOpRef<ModuleOp> copy = pristine.clone();
    auto model = copy->lookupSymbol<func::FuncOp>(modelName);
    if (failed(rebatchModel(model, size)))
      return failure();
    FailureOr<SmallVector<std::string>> generated =
        generateEntries(*copy, model, options);
    if (failed(generated))
      return failure();
    for (const std::string &name : *generated) {
      auto fn = copy->lookupSymbol<func::FuncOp>(name);
      std::string variant = name + "_b" + std::to_string(size);
      if (module.lookupSymbol(variant))
        return emitError(module.lookupSymbol(variant)->getLoc())
               << "the entry name '" << variant
               << "' is reserved for a generated batch-size variant";
      fn.setSymName(variant);
      fn->remove();
      module.push_back(fn);
      entries.push_back(variant);
      variantOf[variant] = name;
    }
  }
  return success();
}

/// With `debugIntermediates`, adds train_step's debug twin as the last
/// entry, so every other entry and its place in the manifest stay the same.
LogicalResult addDebugEntry(ModuleOp module, const CompileOptions &options,
                            SmallVectorImpl<std::string> &entries) {
  if (!options.debugIntermediates)
    return success();
  if (!options.trainStep)
    return emitError(UnknownLoc::get(module.getContext()))
           << "--debug-intermediates needs the train_step entry (it cannot "
              "be combined with --eval-only)";
  if (failed(runPasses(module, options, [](OpPassManager &pm) {
        pm.addPass(createHetcDebugIntermediates());
      })))
    return failure();
  entries.push_back("train_step_debug");
  return success();
}

/// The entries generated from the model, in manifest order, and the main
/// entry each batch-size variant was made from.
struct GeneratedEntries {
  std::string modelName;
  SmallVector<std::string> names;
  std::map<std::string, std::string> variantOf;
};

/// Checks the model, then generates eval, train_step and their batch-size
/// variants.
FailureOr<GeneratedEntries> generateAllEntries(ModuleOp module,
                                               const CompileOptions &options) {
  // Option errors are not the source's: they carry no location.
  Location optionLoc = UnknownLoc::get(module.getContext());
  FailureOr<func::FuncOp> model = findModel(module, options.entry);
  if (failed(model))
    return failure();
  GeneratedEntries result;
  result.modelName = model->getSymName().str();
  if (failed(runPasses(module, options, [&](OpPassManager &pm) {
        pm.addPass(createHetcVerifyModel({result.modelName}));
      })))
    return failure();
  if (std::string error = checkBatchSizes(options.batchSizes); !error.empty())
    return emitError(optionLoc) << error;

  // Further batch sizes start from the model as written; the first is the
  // main entries' size.
  OwningOpRef<ModuleOp> pristine;
  if (options.batchSizes.size() > 1)
    pristine = module.clone();
  if (!options.batchSizes.empty() &&
      failed(rebatchModel(*model, options.batchSizes.front())))
    return failure();
  FailureOr<SmallVector<std::string>> generated =
      generateEntries(module, *model, options);
  if (failed(generated))
    return failure();
  result.names = std::move(*generated);
  if (pristine &&
      failed(addBatchVariants(module, *pristine, result.modelName, options,
                              result.names, result.variantOf)))
    return failure();
  if (failed(addDebugEntry(module, options, result.names)))
    return failure();
  return result;
}

/// The manifest's description of the entries and of the optimizer, read off
/// the entries while they still carry roles.
struct EntryManifest {
  llvm::json::Array entries;
  llvm::json::Object optimizer;
};

FailureOr<EntryManifest> describeEntries(ModuleOp module,
                                         GeneratedEntries &generated) {
  EntryManifest manifest;
  for (const std::string &name : generated.names) {
    auto fn = module.lookupSymbol<func::FuncOp>(name);
    if (!fn)
      return emitError(module.getLoc())
             << "entry '" << name << "' was not generated";
    std::string main =
        generated.variantOf.count(name) ? generated.variantOf[name] : name;
    FailureOr<llvm::json::Object> desc =
        describeEntry(fn, main == "eval" ? "eval" : "train_step");
    if (failed(desc))
      return failure();
    if (main != name)
      (*desc)[HETC_MANIFEST_KEY(ENTRY, variant_of)] = main;
    manifest.entries.push_back(std::move(*desc));
    if (auto opt = fn->getAttrOfType<DictionaryAttr>(
            HetcDialect::kOptimizerAttrName)) {
      for (NamedAttribute attr : opt) {
        if (auto f = dyn_cast<FloatAttr>(attr.getValue()))
          manifest.optimizer[attr.getName().getValue()] = f.getValueAsDouble();
        else if (auto i = dyn_cast<IntegerAttr>(attr.getValue()))
          manifest.optimizer[attr.getName().getValue()] = i.getInt();
        else if (auto b = dyn_cast<BoolAttr>(attr.getValue()))
          manifest.optimizer[attr.getName().getValue()] = b.getValue();
        else if (auto s = dyn_cast<StringAttr>(attr.getValue()))
          manifest.optimizer[attr.getName().getValue()] = s.getValue().str();
      }
    }
  }
  return manifest;
}

/// The signature of the entries, with the manifest members known before
/// codegen bound to it; the backend binds the chip, the processor features
/// and the device program it decides.
std::string signEntries(const GeneratedEntries &generated,
                        const EntryManifest &described,
                        const CompileOptions &options) {
  std::string signature = describeSignature(described.entries);
  appendManifestBinding(signature, HETC_MANIFEST_KEY(ROOT, entries),
                        llvm::json::Array(described.entries));
  appendManifestBinding(signature, HETC_MANIFEST_KEY(ROOT, optimizer),
                        llvm::json::Object(described.optimizer));
  appendManifestBinding(signature, HETC_MANIFEST_KEY(ROOT, model),
                        generated.modelName);
  appendManifestBinding(signature, HETC_MANIFEST_KEY(ROOT, target),
                        options.target);
  // Written only when set (absent means false), so default artifacts are
  // unchanged; bound either way, so the flag cannot be added or removed.
  if (options.reproducible)
    appendManifestBinding(signature, HETC_MANIFEST_KEY(ROOT, reproducible),
                          true);
  return signature;
}

/// Erases every function but the entries (everything else was inlined into
/// them) and records the entries in `hetc.entries` for the backends.
void keepOnlyEntries(ModuleOp module, ArrayRef<std::string> entries) {
  OpBuilder builder(module.getContext());
  for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (!llvm::is_contained(entries, fn.getSymName().str()))
      fn.erase();
  SmallVector<Attribute> entryAttrs;
  for (const std::string &name : entries)
    entryAttrs.push_back(builder.getStringAttr(name));
  module->setAttr(HetcDialect::kEntriesAttrName,
                  builder.getArrayAttr(entryAttrs));
}

/// The hetc entries to linalg on tensors, with updated state tied to the
/// arguments it updates.
LogicalResult lowerToLinalg(ModuleOp module, const CompileOptions &options) {
  return runPasses(module, options, [&](OpPassManager &pm) {
    pm.addNestedPass<func::FuncOp>(createHetcTieUpdatedResults());
    // Test only: a planted one-ULP divergence in one op's lowering.
    if (!options.testPerturbOp.empty())
      pm.addPass(createHetcTestPerturbOp({options.testPerturbOp}));
    pm.addPass(createConvertHetcToLinalg());
    // Before any pass or target can pick its own math for these ops.
    if (options.reproducible)
      pm.addPass(createHetcReproducibleMath());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  });
}

EmitStage getEmitStage(CompileStage stage) {
  switch (stage) {
  case CompileStage::LLVM:
    return EmitStage::LLVM;
  case CompileStage::Asm:
    return EmitStage::Asm;
  case CompileStage::Object:
    return EmitStage::Object;
  default:
    return EmitStage::Artifact;
  }
}

/// Packs the serialized code and its manifest into an artifact.
FailureOr<std::string> packArtifact(ModuleOp module,
                                    const CompileOptions &options,
                                    const GeneratedEntries &generated,
                                    EntryManifest &described,
                                    SerializedTarget &serialized) {
  llvm::json::Array features;
  for (const std::string &feature : serialized.requiredFeatures)
    features.push_back(feature);
  llvm::json::Object manifest{
      {HETC_MANIFEST_KEY(ROOT, format_version), 1},
      {HETC_MANIFEST_KEY(ROOT, cpu_features), std::move(features)},
      {HETC_MANIFEST_KEY(ROOT, compiler_version), getCompilerVersion().str()},
      {HETC_MANIFEST_KEY(ROOT, target), options.target},
      {HETC_MANIFEST_KEY(ROOT, chip), serialized.chip},
      {HETC_MANIFEST_KEY(ROOT, model), generated.modelName},
      {HETC_MANIFEST_KEY(ROOT, optimizer), std::move(described.optimizer)},
      {HETC_MANIFEST_KEY(ROOT, entries), std::move(described.entries)}};
  if (options.reproducible)
    manifest[HETC_MANIFEST_KEY(ROOT, reproducible)] = true;
  if (serialized.deviceProgram)
    manifest[HETC_MANIFEST_KEY(ROOT, device)] =
        std::move(*serialized.deviceProgram);
  std::string manifestText;
  llvm::raw_string_ostream manifestStream(manifestText);
  manifestStream << llvm::json::Value(std::move(manifest));
  return writeArtifact(module.getLoc(), manifestText, serialized.sections);
}

/// Lowers the linalg entries with `backend` and serializes them: the
/// artifact for CompileStage::Artifact, else the stage's text in `out`.
FailureOr<std::string> lowerAndSerialize(ModuleOp module,
                                         const CompileOptions &options,
                                         const TargetBackend &backend,
                                         const TargetOptions &targetOptions,
                                         const GeneratedEntries &generated,
                                         EntryManifest &described,
                                         llvm::raw_ostream &out) {
  PassManager pm(module.getContext());
  if (options.printIRAfterAll)
    pm.enableIRPrinting();
  if (failed(backend.buildPipeline(pm, targetOptions)))
    return emitError(module.getLoc())
           << "the " << backend.getName()
           << " pipeline cannot be built (a hetc bug)";
  if (failed(pm.run(module)))
    return failure();
  EmitStage emit = getEmitStage(options.stage);
  FailureOr<SerializedTarget> serialized =
      backend.serialize(module, targetOptions, emit, out);
  if (failed(serialized))
    return failure();
  if (emit != EmitStage::Artifact)
    return std::string();
  return packArtifact(module, options, generated, described, *serialized);
}

} // namespace

FailureOr<std::string> mlir::hetc::compileModule(ModuleOp module,
                                                 const CompileOptions &options,
                                                 llvm::raw_ostream &out) {
  registerAllTargetBackends();
  const TargetBackend *backend = lookupTargetBackend(options.target);
  if (!backend)
    return emitError(UnknownLoc::get(module.getContext()))
           << unknownTargetMessage(options.target);
  TargetOptions targetOptions;
  targetOptions.chip = options.chip;
  targetOptions.reproducible = options.reproducible;
  if (failed(backend->checkToolchain(module.getLoc(), targetOptions)))
    return failure();

  FailureOr<GeneratedEntries> generated = generateAllEntries(module, options);
  if (failed(generated))
    return failure();
  FailureOr<EntryManifest> described = describeEntries(module, *generated);
  if (failed(described))
    return failure();
  module->setAttr(
      HetcDialect::kSignatureAttrName,
      StringAttr::get(module.getContext(),
                      signEntries(*generated, *described, options)));
  keepOnlyEntries(module, generated->names);

  if (options.stage == CompileStage::Hetc) {
    module.print(out);
    return std::string();
  }
  if (failed(lowerToLinalg(module, options)))
    return failure();
  if (options.stage == CompileStage::Linalg) {
    module.print(out);
    return std::string();
  }
  return lowerAndSerialize(module, options, *backend, targetOptions, *generated,
                           *described, out);
}
