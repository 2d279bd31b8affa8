//===- Compiler.cpp - model to artifact -----------------------------------===//

#include "hetc/Target/Compiler.h"
#include "hetc/Version.h"

#include "Artifact.h"
#include "hetc/Conversion/Passes.h"
#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Passes.h"
#include "hetc/Target/Passes.h"

#include "hetc/runtime/artifact_format.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
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

/// Runs a textual pass pipeline (the inner list of builtin.module(...)).
LogicalResult runPipeline(ModuleOp module, llvm::StringRef pipeline,
                          const CompileOptions &options) {
  PassManager pm(module.getContext());
  if (options.printIRAfterAll) {
    module.getContext()->disableMultithreading();
    pm.enableIRPrinting();
  }
  std::string parseErrors;
  llvm::raw_string_ostream errs(parseErrors);
  if (failed(parsePassPipeline(pipeline, pm, errs)))
    return emitError(module.getLoc())
           << "invalid pass pipeline '" << pipeline << "': " << parseErrors;
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
  return llvm::json::Object{{"name", name.str()},
                            {"role", role.str()},
                            {"dtype", *dtype},
                            {"shape", std::move(shape)}};
}

llvm::json::Object describeInit(InitAttr init) {
  llvm::json::Object object{{"kind", stringifyInitKind(init.getKind()).str()}};
  if (init.getKind() != InitKind::Zeros && init.getKind() != InitKind::Ones)
    object["value"] = init.getValue().convertToDouble();
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
      (*desc)["init"] = describeInit(paramInit ? paramInit : bufferInit);
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
      (*desc)["of"] = of;
      (*desc)["state"] = kindName.str();
      if (auto init = state.getAs<InitAttr>("init"))
        (*desc)["init"] = describeInit(init);
      else
        (*desc)["init"] = llvm::json::Object{{"kind", "zeros"}};
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
      (*desc)["hyper"] = hyper.getAs<StringAttr>("name").getValue().str();
      (*desc)["group"] = hyper.getAs<IntegerAttr>("group").getInt();
      (*desc)["init"] = describeInit(hyper.getAs<InitAttr>("init"));
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
        (*desc)["classes"] = *classes;
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
      (*desc)["checks"] = std::move(names);
    }
    results.push_back(std::move(*desc));
  }
  return llvm::json::Object{{"name", fn.getSymName().str()},
                            {"kind", kind.str()},
                            {"symbol", ("hetc_entry_" + fn.getSymName()).str()},
                            {"args", std::move(args)},
                            {"results", std::move(results)}};
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

std::string trainStepPipeline(llvm::StringRef model,
                              const CompileOptions &options) {
  std::string pipeline = "hetc-train-step{entry=" + model.str();
  for (auto &[key, value] : options.optimizerOptions)
    pipeline += " " + key + "=" + value;
  return pipeline + "}";
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
    if (failed(runPipeline(module, trainStepPipeline(modelName, options),
                           options)))
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

} // namespace

std::string mlir::hetc::checkBatchSizes(llvm::ArrayRef<int64_t> sizes) {
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (size <= 0)
      return "batch sizes must be positive integers, got " +
             std::to_string(size);
    if (llvm::is_contained(sizes.take_front(i), size))
      return "batch size " + std::to_string(size) + " is listed twice";
  }
  return "";
}

std::string
mlir::hetc::checkOptimizerOptions(const std::map<std::string, std::string> &o) {
  static const char *known[] = {"optimizer",     "lr",           "momentum",
                                "nesterov",      "weight-decay", "beta1",
                                "beta2",         "eps",          "groups",
                                "max-grad-norm", "nan-guard",    "accumulate"};
  for (auto &[key, value] : o)
    if (!llvm::is_contained(known, key))
      return "unknown optimizer option '" + key +
             "' (known: optimizer, lr, momentum, nesterov, weight-decay, "
             "beta1, beta2, eps, groups, max-grad-norm, nan-guard, "
             "accumulate)";
  std::string name = o.count("optimizer") ? o.at("optimizer") : "sgd";
  std::optional<Optimizer> optimizer = symbolizeOptimizer(name);
  if (!optimizer)
    return "unknown optimizer '" + name + "' (known: sgd, adam, adamw)";
  for (auto &[key, value] : o) {
    std::string error = checkOptionApplies(key, *optimizer);
    if (!error.empty())
      return error;
  }
  for (const char *flag : {"nesterov", "nan-guard"})
    if (o.count(flag) && o.at(flag) != "true" && o.at(flag) != "false")
      return std::string(flag) + " must be true or false, got '" + o.at(flag) +
             "'";
  for (auto &[key, text] : o) {
    if (key == "optimizer" || key == "nesterov" || key == "groups" ||
        key == "nan-guard")
      continue;
    if (key == "accumulate") {
      // A whole number of micro-batches, exact in the f32 counter.
      long long k = 0;
      if (!llvm::to_integer(text, k, 10) || k < 1 || k > (1ll << 24))
        return "accumulate must be a whole number from 1 to 2^24, got '" +
               text + "'";
      continue;
    }
    double value;
    std::string error = parseOptimizerNumber(key, text, value);
    if (!error.empty())
      return error;
  }
  bool nesterov = o.count("nesterov") && o.at("nesterov") == "true";
  double momentum = 0.0;
  if (o.count("momentum"))
    momentum = std::strtod(o.at("momentum").c_str(), nullptr);
  if (o.count("groups")) {
    SmallVector<llvm::StringRef> specs;
    llvm::StringRef(o.at("groups")).split(specs, ',');
    for (llvm::StringRef spec : specs) {
      ParamGroupSpec group;
      std::string error = parseParamGroup(spec, *optimizer, group);
      if (!error.empty())
        return error;
      double groupMomentum = group.values.count("momentum")
                                 ? group.values.at("momentum")
                                 : momentum;
      if (nesterov && groupMomentum <= 0.0)
        return "parameter group '" + spec.str() +
               "': nesterov momentum needs momentum > 0";
    }
    return "";
  }
  if (nesterov && momentum <= 0.0)
    return "nesterov momentum needs momentum > 0";
  return "";
}

FailureOr<std::string> mlir::hetc::compileModule(ModuleOp module,
                                                 const CompileOptions &options,
                                                 llvm::raw_ostream &out) {
  Location loc = module.getLoc();
  // Option errors are not the source's: they carry no location.
  Location optionLoc = UnknownLoc::get(module.getContext());
  registerAllTargetBackends();
  const TargetBackend *backend = lookupTargetBackend(options.target);
  if (!backend)
    return emitError(optionLoc) << unknownTargetMessage(options.target);
  if (options.trainStep) {
    std::string error = checkOptimizerOptions(options.optimizerOptions);
    if (!error.empty())
      return emitError(optionLoc) << error;
  }
  TargetOptions targetOptions;
  targetOptions.chip = options.chip;
  if (failed(backend->checkToolchain(loc, targetOptions)))
    return failure();

  FailureOr<func::FuncOp> model = findModel(module, options.entry);
  if (failed(model))
    return failure();
  std::string modelName = model->getSymName().str();
  if (failed(runPipeline(module, "hetc-verify-model{entry=" + modelName + "}",
                         options)))
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
  SmallVector<std::string> entries = std::move(*generated);
  std::map<std::string, std::string> variantOf;
  if (pristine && failed(addBatchVariants(module, *pristine, modelName, options,
                                          entries, variantOf)))
    return failure();
  OpBuilder builder(module.getContext());

  // The manifest is read off the entries while they still carry roles.
  llvm::json::Array manifestEntries;
  llvm::json::Object optimizer;
  for (const std::string &name : entries) {
    auto fn = module.lookupSymbol<func::FuncOp>(name);
    if (!fn)
      return emitError(loc) << "entry '" << name << "' was not generated";
    std::string main = variantOf.count(name) ? variantOf[name] : name;
    FailureOr<llvm::json::Object> desc =
        describeEntry(fn, main == "eval" ? "eval" : "train_step");
    if (failed(desc))
      return failure();
    if (main != name)
      (*desc)["variant_of"] = main;
    manifestEntries.push_back(std::move(*desc));
    if (auto opt = fn->getAttrOfType<DictionaryAttr>(
            HetcDialect::kOptimizerAttrName)) {
      for (NamedAttribute attr : opt) {
        if (auto f = dyn_cast<FloatAttr>(attr.getValue()))
          optimizer[attr.getName().getValue()] = f.getValueAsDouble();
        else if (auto i = dyn_cast<IntegerAttr>(attr.getValue()))
          optimizer[attr.getName().getValue()] = i.getInt();
        else if (auto b = dyn_cast<BoolAttr>(attr.getValue()))
          optimizer[attr.getName().getValue()] = b.getValue();
        else if (auto s = dyn_cast<StringAttr>(attr.getValue()))
          optimizer[attr.getName().getValue()] = s.getValue().str();
      }
    }
  }

  module->setAttr(HetcDialect::kSignatureAttrName,
                  builder.getStringAttr(describeSignature(manifestEntries)));

  // Keep only the entries: everything else was inlined into them.
  for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (!llvm::is_contained(entries, fn.getSymName().str()))
      fn.erase();
  SmallVector<Attribute> entryAttrs;
  for (const std::string &name : entries)
    entryAttrs.push_back(builder.getStringAttr(name));
  module->setAttr(HetcDialect::kEntriesAttrName,
                  builder.getArrayAttr(entryAttrs));

  if (options.stage == CompileStage::Hetc) {
    module.print(out);
    return std::string();
  }
  if (failed(runPipeline(module,
                         "func.func(hetc-tie-updated-results),"
                         "convert-hetc-to-linalg,canonicalize,cse",
                         options)))
    return failure();
  if (options.stage == CompileStage::Linalg) {
    module.print(out);
    return std::string();
  }

  PassManager pm(module.getContext());
  if (options.printIRAfterAll)
    pm.enableIRPrinting();
  if (failed(backend->buildPipeline(pm, targetOptions)))
    return emitError(loc) << "the " << backend->getName()
                          << " pipeline does not parse (a hetc bug)";
  if (failed(pm.run(module)))
    return failure();

  EmitStage emit = EmitStage::Artifact;
  switch (options.stage) {
  case CompileStage::LLVM:
    emit = EmitStage::LLVM;
    break;
  case CompileStage::Asm:
    emit = EmitStage::Asm;
    break;
  case CompileStage::Object:
    emit = EmitStage::Object;
    break;
  default:
    break;
  }
  FailureOr<SerializedTarget> serialized =
      backend->serialize(module, targetOptions, emit, out);
  if (failed(serialized))
    return failure();
  if (emit != EmitStage::Artifact)
    return std::string();

  llvm::json::Array features;
  for (const std::string &feature : serialized->requiredFeatures)
    features.push_back(feature);
  llvm::json::Object manifest{{"format_version", 1},
                              {"cpu_features", std::move(features)},
                              {"compiler_version", getCompilerVersion().str()},
                              {"target", options.target},
                              {"chip", serialized->chip},
                              {"model", modelName},
                              {"optimizer", std::move(optimizer)},
                              {"entries", std::move(manifestEntries)}};
  if (serialized->deviceProgram)
    manifest["device"] = std::move(*serialized->deviceProgram);
  std::string manifestText;
  llvm::raw_string_ostream manifestStream(manifestText);
  manifestStream << llvm::json::Value(std::move(manifest));
  return writeArtifact(loc, manifestText, serialized->sections);
}
