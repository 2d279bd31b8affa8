//===- GPUCommon.cpp - the lowering every GPU target shares ---------------===//

#include "hetc/Target/GPU/GPUCommon.h"
#include "hetc/Dialect/Hetc/HetcDialect.h"

#include "hetc/Target/Artifact.h"
#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/manifest_schema.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// Builds the device program of every entry function.
class ProgramBuilder {
public:
  explicit ProgramBuilder(ModuleOp module) : module(module) {}

  FailureOr<DeviceProgram> build() {
    llvm::json::Object programs;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isDeclaration())
        continue;
      FailureOr<llvm::json::Object> program = buildEntry(fn);
      if (failed(program))
        return failure();
      programs[fn.getSymName()] = std::move(*program);
    }
    if (kernels.empty())
      return module.emitError("the GPU pipeline produced no kernels");
    DeviceProgram result;
    result.manifest = llvm::json::Object{
        {HETC_MANIFEST_KEY(DEVICE, kernels), std::move(kernels)},
        {HETC_MANIFEST_KEY(DEVICE, constants), std::move(constants)},
        {HETC_MANIFEST_KEY(DEVICE, programs), std::move(programs)}};
    result.constants = std::move(constantBytes);
    return result;
  }

private:
  /// Bytes a buffer of `type` needs on every GPU API (booleans are widened
  /// to 32 bits by the SPIR-V storage rules, so reserve that much).
  static std::optional<uint64_t> bufferBytes(MemRefType type) {
    if (!type.hasStaticShape())
      return std::nullopt;
    unsigned bits = type.getElementTypeBitWidth();
    uint64_t elementBytes = bits == 1 ? 4 : (bits + 7) / 8;
    return std::max<uint64_t>(elementBytes * type.getNumElements(), 4);
  }

  FailureOr<int64_t> constantIndex(memref::GetGlobalOp getGlobal) {
    auto it = globalRefs.find(getGlobal.getName());
    if (it != globalRefs.end())
      return it->second;
    auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
        getGlobal, getGlobal.getNameAttr());
    auto init =
        global
            ? dyn_cast_or_null<DenseElementsAttr>(global.getInitialValueAttr())
            : nullptr;
    if (!init || init.getElementType().getIntOrFloatBitWidth() % 8)
      return getGlobal.emitOpError(
          "reads a global without a dense byte-addressable initial value, "
          "which the device program cannot upload");
    // Splats store one element; expand them.
    std::string bytes;
    unsigned elementBytes = init.getElementType().getIntOrFloatBitWidth() / 8;
    ArrayRef<char> raw = init.getRawData();
    for (int64_t i = 0, e = init.getNumElements(); i < e; ++i)
      bytes.append(raw.data() + (init.isSplat() ? 0 : i * elementBytes),
                   elementBytes);
    constantBytes.resize(llvm::alignTo(constantBytes.size(), 64), '\0');
    constants.push_back(llvm::json::Object{
        {HETC_MANIFEST_KEY(CONSTANT, offset), (int64_t)constantBytes.size()},
        {HETC_MANIFEST_KEY(CONSTANT, bytes), (int64_t)bytes.size()}});
    constantBytes += bytes;
    int64_t index = constants.size() - 1;
    globalRefs[getGlobal.getName()] = index;
    return index;
  }

  FailureOr<int64_t> kernelIndex(gpu::LaunchFuncOp launch) {
    std::string name = launch.getKernelName().getValue().str();
    SmallVector<int64_t, 3> block;
    for (Value v : {launch.getBlockSizeX(), launch.getBlockSizeY(),
                    launch.getBlockSizeZ()}) {
      std::optional<int64_t> size = getConstantIntValue(v);
      if (!size || *size <= 0)
        return launch.emitOpError("has a non-constant block size");
      block.push_back(*size);
    }
    auto it = kernelIndices.find(name);
    if (it != kernelIndices.end())
      return it->second;
    kernelIndices[name] = kernels.size();
    llvm::json::Object kernel{{HETC_MANIFEST_KEY(KERNEL, name), name},
                              {HETC_MANIFEST_KEY(KERNEL, block),
                               llvm::json::Array{block[0], block[1], block[2]}},
                              {HETC_MANIFEST_KEY(KERNEL, bindings),
                               (int64_t)launch.getNumKernelOperands()}};
    if (std::optional<std::string> source = sourceOf(launch.getLoc()))
      kernel[HETC_MANIFEST_KEY(KERNEL, source)] = *source;
    kernels.push_back(std::move(kernel));
    return kernels.size() - 1;
  }

  /// "model.mlir:15:9": the model op a kernel computes, which its launch
  /// inherited through the lowering, for profiles and device errors.
  static std::optional<std::string> sourceOf(Location loc) {
    std::optional<std::string> found;
    loc->walk([&](Location inner) {
      if (auto file = dyn_cast<FileLineColLoc>(inner)) {
        found = (llvm::sys::path::filename(file.getFilename().getValue()) +
                 ":" + Twine(file.getLine()) + ":" + Twine(file.getColumn()))
                    .str();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return found;
  }

  /// A buffer a launch binds: an entry buffer, temporary or constant.
  struct BufferRef {
    char space;
    int64_t index;
  };
  struct Launch {
    int64_t kernel;
    llvm::json::Array grid;
    SmallVector<BufferRef> bindings;
  };

  /// Gives temporaries whose lifetimes (first to last launch using them)
  /// do not overlap the same buffer when they have the same size; returns
  /// the buffer of each temporary and fills `bufferBytes`.
  static SmallVector<int64_t>
  planTemporaries(ArrayRef<uint64_t> tempBytes, ArrayRef<Launch> launches,
                  SmallVectorImpl<uint64_t> &bufferBytes) {
    size_t n = tempBytes.size();
    SmallVector<int64_t> first(n, -1), last(n, -1);
    for (auto [i, launch] : llvm::enumerate(launches))
      for (const BufferRef &ref : launch.bindings)
        if (ref.space == 't') {
          if (first[ref.index] < 0)
            first[ref.index] = i;
          last[ref.index] = i;
        }
    SmallVector<int64_t> order = llvm::to_vector(llvm::seq<int64_t>(0, n));
    llvm::stable_sort(
        order, [&](int64_t a, int64_t b) { return first[a] < first[b]; });
    SmallVector<int64_t> assigned(n, -1), bufferLastUse;
    for (int64_t t : order) {
      if (first[t] < 0)
        continue; // never bound: needs no buffer
      for (auto [b, bytes] : llvm::enumerate(bufferBytes))
        if (bytes == tempBytes[t] && bufferLastUse[b] < first[t]) {
          assigned[t] = b;
          break;
        }
      if (assigned[t] < 0) {
        assigned[t] = bufferBytes.size();
        bufferBytes.push_back(tempBytes[t]);
        bufferLastUse.push_back(-1);
      }
      bufferLastUse[assigned[t]] = last[t];
    }
    return assigned;
  }

  FailureOr<llvm::json::Object> buildEntry(func::FuncOp fn) {
    llvm::DenseMap<Value, BufferRef> refs;
    for (BlockArgument arg : fn.getArguments())
      refs[arg] = {'a', arg.getArgNumber()};
    SmallVector<uint64_t> tempBytes;
    SmallVector<Launch> launches;
    for (Operation &op : fn.getBody().front()) {
      if (isa<arith::ConstantOp, memref::DeallocOp, func::ReturnOp>(op))
        continue;
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        std::optional<uint64_t> bytes = bufferBytes(alloc.getType());
        if (!bytes)
          return alloc.emitOpError("allocates a dynamically shaped buffer, "
                                   "which the device program cannot size");
        refs[alloc] = {'t', (int64_t)tempBytes.size()};
        tempBytes.push_back(*bytes);
        continue;
      }
      if (auto getGlobal = dyn_cast<memref::GetGlobalOp>(op)) {
        FailureOr<int64_t> index = constantIndex(getGlobal);
        if (failed(index))
          return failure();
        refs[getGlobal] = {'c', *index};
        continue;
      }
      if (isa<ViewLikeOpInterface>(op) && op.use_empty())
        continue;
      if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
        FailureOr<int64_t> kernel = kernelIndex(launch);
        if (failed(kernel))
          return failure();
        Launch recorded{*kernel, {}, {}};
        for (Value v : {launch.getGridSizeX(), launch.getGridSizeY(),
                        launch.getGridSizeZ()}) {
          std::optional<int64_t> size = getConstantIntValue(v);
          if (!size || *size <= 0)
            return launch.emitOpError("has a non-constant grid size");
          recorded.grid.push_back(*size);
        }
        for (Value operand : launch.getKernelOperands()) {
          auto it = refs.find(operand);
          if (it == refs.end())
            return launch.emitOpError()
                   << "passes " << operand.getType()
                   << " that is not a whole buffer (an argument, allocation "
                      "or constant); kernels take buffers only";
          recorded.bindings.push_back(it->second);
        }
        launches.push_back(std::move(recorded));
        continue;
      }
      return op.emitOpError()
             << "stayed on the host in '" << fn.getSymName()
             << "'; the GPU lowering must turn every computation into "
                "kernels";
    }

    SmallVector<uint64_t> buffers;
    SmallVector<int64_t> tempBuffer =
        planTemporaries(tempBytes, launches, buffers);
    llvm::json::Array temporaries, commands;
    for (uint64_t bytes : buffers)
      temporaries.push_back((int64_t)bytes);
    for (Launch &launch : launches) {
      llvm::json::Array bindings;
      for (const BufferRef &ref : launch.bindings)
        bindings.push_back(std::string(1, ref.space) +
                           std::to_string(ref.space == 't'
                                              ? tempBuffer[ref.index]
                                              : ref.index));
      commands.push_back(llvm::json::Object{
          {HETC_MANIFEST_KEY(COMMAND, dispatch), launch.kernel},
          {HETC_MANIFEST_KEY(COMMAND, grid), std::move(launch.grid)},
          {HETC_MANIFEST_KEY(COMMAND, bindings), std::move(bindings)}});
    }
    return llvm::json::Object{
        {HETC_MANIFEST_KEY(PROGRAM, temporaries), std::move(temporaries)},
        {HETC_MANIFEST_KEY(PROGRAM, commands), std::move(commands)}};
  }

  ModuleOp module;
  llvm::json::Array kernels, constants;
  llvm::StringMap<int64_t> kernelIndices;
  llvm::StringMap<int64_t> globalRefs;
  std::string constantBytes;
};

} // namespace

FailureOr<DeviceProgram> mlir::hetc::buildDeviceProgram(ModuleOp module) {
  return ProgramBuilder(module).build();
}

FailureOr<std::string>
mlir::hetc::serializeKernelModule(ModuleOp module, llvm::StringRef format,
                                  llvm::StringRef toolkit) {
  PassManager pm(module.getContext());
  GpuModuleToBinaryPassOptions options;
  options.compilationTarget = format.str();
  options.toolkitPath = toolkit.str();
  pm.addPass(createGpuModuleToBinaryPass(options));
  if (failed(pm.run(module)))
    return failure();
  auto binary = module.lookupSymbol<gpu::BinaryOp>(kKernelModuleName);
  if (!binary || binary.getObjects().size() != 1)
    return module.emitError() << "expected one device object in gpu.binary @"
                              << kKernelModuleName << " after serialization";
  auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
  return object.getObject().getValue().str();
}

FailureOr<SerializedTarget>
mlir::hetc::packageGPUTarget(ModuleOp module, llvm::StringRef chip,
                             std::vector<ArtifactSection> deviceCode) {
  FailureOr<DeviceProgram> program = buildDeviceProgram(module);
  if (failed(program))
    return failure();
  SerializedTarget result;
  result.chip = chip.str();
  result.sections = std::move(deviceCode);
  if (!program->constants.empty())
    result.sections.push_back({"constants", std::move(program->constants)});
  // The device code's copy of the manifest's signature, NUL-terminated,
  // with the members decided here bound too.
  if (auto signature =
          module->getAttrOfType<StringAttr>(HetcDialect::kSignatureAttrName)) {
    std::string text = signature.getValue().str();
    appendManifestBinding(text, HETC_MANIFEST_KEY(ROOT, chip), result.chip);
    appendManifestBinding(text, HETC_MANIFEST_KEY(ROOT, cpu_features),
                          llvm::json::Array());
    appendManifestBinding(text, HETC_MANIFEST_KEY(ROOT, device),
                          llvm::json::Object(program->manifest));
    result.sections.push_back({HETC_SIGNATURE_SECTION, text + '\0'});
  }
  result.deviceProgram = std::move(program->manifest);
  return result;
}

std::string mlir::hetc::resolveGPUChip(const TargetOptions &options,
                                       llvm::StringRef defaultChip) {
  return options.chip.empty() || options.chip == "native" ? defaultChip.str()
                                                          : options.chip;
}

LogicalResult mlir::hetc::checkChip(Location loc, llvm::StringRef target,
                                    llvm::StringRef chip,
                                    llvm::ArrayRef<llvm::StringRef> valid) {
  if (llvm::is_contained(valid, chip))
    return success();
  std::string list;
  for (llvm::StringRef v : valid)
    list += (list.empty() ? "" : ", ") + v.str();
  return emitError(loc) << "unknown chip '" << chip << "' for the " << target
                        << " target (valid: " << list << ")";
}
