//===- TrainStep.cpp - the hetc-train-step pass ---------------------------===//
//
// Builds train_step from a model: the forward pass, its reverse pass and the
// optimizer update, with the state each optimizer needs as extra arguments.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/Autodiff.h"
#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

#include <cmath>

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCTRAINSTEP
#include "hetc/Dialect/Hetc/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// One optimizer state tensor: what it belongs to and what it is.
struct StateSpec {
  int64_t param; ///< index into the params, or -1 for a global counter
  std::string kind;
  Type type;
};

/// Tensor arithmetic with 0-d constants for the update formulas.
struct Math {
  OpBuilder &b;
  Location loc;
  Value constant(Value like, double value) {
    auto type = RankedTensorType::get(
        {}, cast<RankedTensorType>(like.getType()).getElementType());
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(type,
                               b.getFloatAttr(type.getElementType(), value)));
  }
  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  Value scale(Value x, double c) { return mul(x, constant(x, c)); }
};

struct HetcTrainStepPass
    : mlir::hetc::impl::HetcTrainStepBase<HetcTrainStepPass> {
  using Base::Base;

  FailureOr<func::FuncOp> findModel(ModuleOp module) {
    FailureOr<SmallVector<func::FuncOp>> models =
        collectModels(module, entry, /*allowNone=*/true);
    if (failed(models))
      return failure();
    if (models->size() != 1)
      return module.emitError()
             << "hetc-train-step needs entry=<model> when the module has "
             << models->size() << " models";
    return models->front();
  }

  LogicalResult checkOptions(func::FuncOp model) {
    if (optimizer != "sgd" && optimizer != "adam" && optimizer != "adamw")
      return model.emitError() << "unknown optimizer '" << optimizer
                               << "' (expected sgd, adam or adamw)";
    // Options that do not apply to the optimizer are errors, not ignored.
    bool adam = optimizer != "sgd";
    for (auto [given, name] : {std::pair{momentum.hasValue(), "momentum"},
                               std::pair{nesterov.hasValue(), "nesterov"}})
      if (adam && given)
        return model.emitError()
               << name << " applies to sgd, not " << optimizer;
    for (auto [given, name] : {std::pair{beta1.hasValue(), "beta1"},
                               std::pair{beta2.hasValue(), "beta2"},
                               std::pair{eps.hasValue(), "eps"}})
      if (!adam && given)
        return model.emitError() << name << " applies to adam and adamw, "
                                 << "not sgd";
    // Every comparison is false for NaN, so each check refuses it.
    if (lr.hasValue() && !(lr > 0.0 && std::isfinite(lr)))
      return model.emitError()
             << "lr must be a positive finite number, got " << lr;
    if (!(momentum >= 0.0 && std::isfinite(momentum)))
      return model.emitError()
             << "momentum must be a finite number >= 0, got " << momentum;
    if (nesterov && momentum <= 0.0)
      return model.emitError() << "nesterov momentum needs momentum > 0";
    if (!(beta1 >= 0.0 && beta1 < 1.0) || !(beta2 >= 0.0 && beta2 < 1.0))
      return model.emitError() << "beta1 and beta2 must be in [0, 1), got "
                               << beta1 << " and " << beta2;
    if (!(eps > 0.0 && std::isfinite(eps)))
      return model.emitError()
             << "eps must be a positive finite number, got " << eps;
    if (weightDecay.hasValue() &&
        !(weightDecay >= 0.0 && std::isfinite(weightDecay)))
      return model.emitError()
             << "weight-decay must be a finite number >= 0, got "
             << weightDecay;
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<func::FuncOp> found = findModel(module);
    if (failed(found))
      return signalPassFailure();
    func::FuncOp model = *found;
    if (failed(verifyModelContract(model)) || failed(checkOptions(model)))
      return signalPassFailure();
    SymbolTable symbols(module);
    if (symbols.lookup("train_step")) {
      symbols.lookup("train_step")->emitError()
          << "the module already defines 'train_step'";
      return signalPassFailure();
    }
    // torch.optim's defaults where an option is not given.
    double decay = weightDecay.hasValue() ? weightDecay.getValue()
                                          : (optimizer == "adamw" ? 0.01 : 0.0);
    double rate =
        lr.hasValue() ? lr.getValue() : (optimizer == "sgd" ? 0.01 : 1e-3);

    // Arguments: params, then optimizer state, then buffers, then inputs,
    // then labels, each group in model order.
    SmallVector<unsigned> paramIdx, bufferIdx, dataIdx, labelIdx;
    for (unsigned i = 0, e = model.getNumArguments(); i < e; ++i) {
      if (model.getArgAttr(i, HetcDialect::kParamAttrName))
        paramIdx.push_back(i);
      else if (model.getArgAttr(i, HetcDialect::kBufferAttrName))
        bufferIdx.push_back(i);
      else if (model.getArgAttr(i, HetcDialect::kLabelAttrName))
        labelIdx.push_back(i);
      else
        dataIdx.push_back(i);
    }
    dataIdx.append(labelIdx);
    SmallVector<StateSpec> states;
    bool adam = optimizer != "sgd";
    for (auto [p, i] : llvm::enumerate(paramIdx)) {
      Type type = model.getArgumentTypes()[i];
      if (!adam && momentum > 0.0)
        states.push_back({static_cast<int64_t>(p), "momentum", type});
      if (adam) {
        if (!cast<RankedTensorType>(type).getElementType().isF32()) {
          model.emitError() << optimizer << " supports f32 parameters only; "
                            << "parameter #" << p << " is " << type;
          return signalPassFailure();
        }
        states.push_back({static_cast<int64_t>(p), "exp_avg", type});
        states.push_back({static_cast<int64_t>(p), "exp_avg_sq", type});
      }
    }
    OpBuilder b(module.getContext());
    if (adam)
      states.push_back({-1, "step", RankedTensorType::get({}, b.getF32Type())});

    SmallVector<Type> argTypes;
    for (unsigned i : paramIdx)
      argTypes.push_back(model.getArgumentTypes()[i]);
    for (const StateSpec &state : states)
      argTypes.push_back(state.type);
    for (unsigned i : bufferIdx)
      argTypes.push_back(model.getArgumentTypes()[i]);
    for (unsigned i : dataIdx)
      argTypes.push_back(model.getArgumentTypes()[i]);

    b.setInsertionPointAfter(model);
    Location loc = model.getLoc();
    auto step = func::FuncOp::create(b, loc, "train_step",
                                     b.getFunctionType(argTypes, {}));
    symbols.insert(step);
    Block *block = step.addEntryBlock();

    // Argument roles and names for the manifest.
    IRMapping mapping;
    unsigned next = 0;
    SmallVector<Value> params;
    for (unsigned i : paramIdx) {
      step.setArgAttrs(next, model.getArgAttrDict(i));
      mapping.map(model.getArgument(i), block->getArgument(next));
      params.push_back(block->getArgument(next++));
    }
    unsigned firstState = next;
    for (const StateSpec &state : states) {
      SmallVector<NamedAttribute> fields = {
          b.getNamedAttr("kind", b.getStringAttr(state.kind)),
          b.getNamedAttr("init",
                         InitAttr::get(b.getContext(), InitKind::Zeros))};
      if (state.param >= 0)
        fields.push_back(
            b.getNamedAttr("param", b.getI64IntegerAttr(state.param)));
      step.setArgAttr(next++, HetcDialect::kOptStateAttrName,
                      b.getDictionaryAttr(fields));
    }
    // Buffers get no gradient and no state; train_step argument of each.
    llvm::DenseMap<unsigned, unsigned> bufferArg;
    for (unsigned i : bufferIdx) {
      step.setArgAttrs(next, model.getArgAttrDict(i));
      mapping.map(model.getArgument(i), block->getArgument(next));
      bufferArg[i] = next++;
    }
    for (unsigned i : dataIdx) {
      step.setArgAttrs(next, model.getArgAttrDict(i));
      mapping.map(model.getArgument(i), block->getArgument(next++));
    }

    b.setInsertionPointToStart(block);
    for (Operation &op : model.getBody().front())
      b.clone(op, mapping);
    auto ret = cast<func::ReturnOp>(block->getTerminator());

    AutodiffOptions options;
    options.rematerialize = rematerialize;
    FailureOr<SmallVector<Value>> grads = buildGradients(step, params, options);
    if (failed(grads))
      return signalPassFailure();

    b.setInsertionPoint(ret);
    Math m{b, loc};
    SmallVector<Value> newParams(params.size()), newStates(states.size());
    auto stateArg = [&](size_t s) {
      return block->getArgument(firstState + s);
    };
    // Adam's shared step counter, and the bias corrections in torch's form:
    // step_size = lr / (1 - beta1^t) and sqrt(1 - beta2^t).
    Value stepSize, bc2Sqrt;
    if (adam) {
      size_t stepIdx = states.size() - 1;
      // One op per statement below: argument evaluation order is
      // unspecified, and the IR must not depend on the host compiler.
      Value one = m.constant(stateArg(stepIdx), 1.0);
      Value t = m.add(stateArg(stepIdx), one);
      newStates[stepIdx] = t;
      auto correction = [&](double beta) {
        // 1 - beta^t, with beta^t = exp(t * ln(beta)).
        Value pow = ExpOp::create(b, loc, m.scale(t, std::log(beta)));
        return m.sub(m.constant(t, 1.0), pow);
      };
      Value bc1 = correction(beta1);
      Value lr = m.constant(t, rate);
      stepSize = m.div(lr, bc1);
      bc2Sqrt = SqrtOp::create(b, loc, correction(beta2));
    }
    for (auto [p, param] : llvm::enumerate(params)) {
      Value grad = (*grads)[p];
      auto findState = [&](llvm::StringRef kind) -> size_t {
        for (auto [s, state] : llvm::enumerate(states))
          if (state.param == static_cast<int64_t>(p) && state.kind == kind)
            return s;
        llvm_unreachable("missing optimizer state");
      };
      if (!adam) {
        Value d = decay != 0.0 ? m.add(grad, m.scale(param, decay)) : grad;
        if (momentum > 0.0) {
          size_t s = findState("momentum");
          Value buf = m.add(m.scale(stateArg(s), momentum), d);
          newStates[s] = buf;
          d = nesterov ? m.add(d, m.scale(buf, momentum)) : buf;
        }
        newParams[p] = m.sub(param, m.scale(d, rate));
        continue;
      }
      Value current = param;
      if (optimizer == "adamw" && decay != 0.0)
        current = m.scale(param, 1.0 - rate * decay);
      if (optimizer == "adam" && decay != 0.0)
        grad = m.add(grad, m.scale(param, decay));
      size_t sm = findState("exp_avg"), sv = findState("exp_avg_sq");
      Value mGrad = m.scale(grad, 1.0 - beta1);
      Value mt = m.add(m.scale(stateArg(sm), beta1), mGrad);
      Value vGrad = m.scale(m.mul(grad, grad), 1.0 - beta2);
      Value vt = m.add(m.scale(stateArg(sv), beta2), vGrad);
      newStates[sm] = mt;
      newStates[sv] = vt;
      // p - step_size * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), in the
      // order torch's addcdiv evaluates it.
      Value epsilon = m.constant(vt, eps);
      Value denom = m.add(m.div(SqrtOp::create(b, loc, vt), bc2Sqrt), epsilon);
      newParams[p] = m.sub(current, m.mul(m.div(mt, denom), stepSize));
    }

    // The model's buffer updates are written back like parameters; they do
    // not feed the loss, so the reverse pass above never reached them.
    SmallVector<Value> newBuffers, outputs;
    SmallVector<int64_t> updated;
    for (auto [r, value] : llvm::enumerate(ret.getOperands())) {
      if (auto buffer = model.getResultAttrOfType<IntegerAttr>(
              r, HetcDialect::kBufferUpdateAttrName)) {
        newBuffers.push_back(value);
        updated.push_back(bufferArg.lookup(buffer.getInt()));
        continue;
      }
      outputs.push_back(value);
    }

    // Results: updates (tied to their arguments), the loss, aux outputs.
    SmallVector<Value> results(newParams);
    results.append(newStates);
    results.append(newBuffers);
    results.append(outputs);
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    step.setFunctionType(
        b.getFunctionType(argTypes, ValueRange(results).getTypes()));
    unsigned r = 0;
    for (unsigned i = 0; i < newParams.size() + newStates.size(); ++i)
      step.setResultAttr(r++, "hetc.updates", b.getI64IntegerAttr(i));
    for (int64_t arg : updated)
      step.setResultAttr(r++, "hetc.updates", b.getI64IntegerAttr(arg));
    step.setResultAttr(r++, "hetc.loss", b.getUnitAttr());
    while (r < results.size())
      step.setResultAttr(r++, "hetc.output", b.getUnitAttr());

    SmallVector<NamedAttribute> hyper = {
        b.getNamedAttr("name", b.getStringAttr(optimizer)),
        b.getNamedAttr("lr", b.getF64FloatAttr(rate)),
        b.getNamedAttr("weight_decay", b.getF64FloatAttr(decay))};
    if (adam) {
      hyper.push_back(b.getNamedAttr("beta1", b.getF64FloatAttr(beta1)));
      hyper.push_back(b.getNamedAttr("beta2", b.getF64FloatAttr(beta2)));
      hyper.push_back(b.getNamedAttr("eps", b.getF64FloatAttr(eps)));
    } else {
      hyper.push_back(b.getNamedAttr("momentum", b.getF64FloatAttr(momentum)));
      hyper.push_back(b.getNamedAttr("nesterov", b.getBoolAttr(nesterov)));
    }
    step->setAttr("hetc.optimizer", b.getDictionaryAttr(hyper));
    step->setAttr(kGeneratedAttrName, b.getUnitAttr());
  }
};
} // namespace
