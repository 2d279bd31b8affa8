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
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/GlobPattern.h"

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

/// One runtime hyper-parameter argument of train_step.
struct HyperSpec {
  llvm::StringRef name;
  int64_t group;
  double value;
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

  /// The hyper-parameters of one parameter group, from the options and the
  /// group's overrides.
  struct Group {
    double lr, weightDecay, momentum, beta1, beta2, eps;
  };

  /// Nesterov momentum, off unless given.
  bool useNesterov() { return nesterov.value_or(false); }

  LogicalResult checkOptions(func::FuncOp model) {
    // Options that do not apply to the optimizer are errors, not ignored.
    for (auto [given, name] : {std::pair{momentum.has_value(), "momentum"},
                               std::pair{nesterov.has_value(), "nesterov"},
                               std::pair{beta1.has_value(), "beta1"},
                               std::pair{beta2.has_value(), "beta2"},
                               std::pair{eps.has_value(), "eps"}}) {
      std::string error = checkOptionApplies(name, optimizer);
      if (given && !error.empty())
        return model.emitError() << error;
    }
    Group given = getDefaultGroup();
    // Every comparison is false for NaN, so each check refuses it.
    if (!(given.lr > 0.0 && std::isfinite(given.lr)))
      return model.emitError()
             << "lr must be a positive finite number, got " << given.lr;
    if (!(given.momentum >= 0.0 && std::isfinite(given.momentum)))
      return model.emitError()
             << "momentum must be a finite number >= 0, got " << given.momentum;
    if (useNesterov() && given.momentum <= 0.0)
      return model.emitError() << "nesterov momentum needs momentum > 0";
    if (!(given.beta1 >= 0.0 && given.beta1 < 1.0) ||
        !(given.beta2 >= 0.0 && given.beta2 < 1.0))
      return model.emitError() << "beta1 and beta2 must be in [0, 1), got "
                               << given.beta1 << " and " << given.beta2;
    if (!(given.eps > 0.0 && std::isfinite(given.eps)))
      return model.emitError()
             << "eps must be a positive finite number, got " << given.eps;
    if (!(given.weightDecay >= 0.0 && std::isfinite(given.weightDecay)))
      return model.emitError()
             << "weight-decay must be a finite number >= 0, got "
             << given.weightDecay;
    if (accumulate < 1 || accumulate > (int64_t(1) << 24))
      return model.emitError()
             << "accumulate must be a whole number from 1 to 2^24, got "
             << accumulate.getValue();
    if (maxGradNorm.has_value() &&
        !(*maxGradNorm > 0.0 && std::isfinite(*maxGradNorm)))
      return model.emitError()
             << "max-grad-norm must be a positive finite number, got "
             << *maxGradNorm;
    return success();
  }

  /// The options' hyper-parameters, torch.optim's defaults where an option
  /// is not given.
  Group getDefaultGroup() {
    return {lr.value_or(optimizer == Optimizer::SGD ? 0.01 : 1e-3),
            weightDecay.value_or(optimizer == Optimizer::AdamW ? 0.01 : 0.0),
            momentum.value_or(0.0),
            beta1.value_or(0.9),
            beta2.value_or(0.999),
            eps.value_or(1e-8)};
  }

  /// Assigns each parameter its group (the first whose pattern matches its
  /// name) and fills each group's hyper-parameters.
  LogicalResult assignGroups(func::FuncOp model, ArrayRef<unsigned> paramIdx,
                             SmallVectorImpl<Group> &out,
                             SmallVectorImpl<unsigned> &groupOf) {
    Group defaults = getDefaultGroup();
    groupOf.assign(paramIdx.size(), 0);
    if (groups.empty()) {
      out.push_back(defaults);
      return success();
    }
    // Every spec is parsed before a glob is made: globs keep references into
    // the pattern strings, which must then stay where they are.
    SmallVector<ParamGroupSpec> specs(groups.size());
    for (auto [text, spec] : llvm::zip_equal(groups, specs)) {
      std::string error = parseParamGroup(text, optimizer, spec);
      if (!error.empty())
        return model.emitError() << error;
      Group group = defaults;
      for (auto [key, value] : spec.values) {
        double *field = llvm::StringSwitch<double *>(key)
                            .Case("lr", &group.lr)
                            .Case("weight-decay", &group.weightDecay)
                            .Case("momentum", &group.momentum)
                            .Case("beta1", &group.beta1)
                            .Case("beta2", &group.beta2)
                            .Case("eps", &group.eps);
        *field = value;
      }
      if (useNesterov() && group.momentum <= 0.0)
        return model.emitError() << "parameter group '" << text
                                 << "': nesterov momentum needs momentum > 0";
      out.push_back(group);
    }
    SmallVector<SmallVector<llvm::GlobPattern>> patterns;
    for (auto [text, spec] : llvm::zip_equal(groups, specs)) {
      auto &compiled = patterns.emplace_back();
      for (const std::string &pattern : spec.patterns) {
        auto glob = llvm::GlobPattern::create(pattern);
        if (!glob)
          return model.emitError()
                 << "parameter group '" << text << "': bad pattern '"
                 << pattern << "': " << llvm::toString(glob.takeError());
        compiled.push_back(std::move(*glob));
      }
    }
    SmallVector<bool> used(groups.size(), false);
    for (auto [p, i] : llvm::enumerate(paramIdx)) {
      std::string name = mlir::hetc::getArgumentName(model, i);
      auto match = llvm::find_if(patterns, [&](auto &globs) {
        return llvm::any_of(globs, [&](auto &g) { return g.match(name); });
      });
      if (match == patterns.end())
        return model.emitError()
               << "parameter '" << name
               << "' is in no parameter group (add a group matching it, or "
                  "'*' last)";
      groupOf[p] = match - patterns.begin();
      used[groupOf[p]] = true;
    }
    for (auto [g, text] : llvm::enumerate(groups))
      if (!used[g])
        return model.emitError() << "parameter group " << g << " ('" << text
                                 << "') matches no parameter";
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

    // Arguments: params, then optimizer state, then hyper-parameters, then
    // buffers, then inputs, then labels, each group in model order.
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
    SmallVector<Group> groupValues;
    SmallVector<unsigned> groupOf;
    if (failed(assignGroups(model, paramIdx, groupValues, groupOf)))
      return signalPassFailure();
    bool adam = optimizer != Optimizer::SGD;
    // Momentum needs state: it exists when some group starts with it.
    bool hasMomentum = !adam && llvm::any_of(groupValues, [](const Group &g) {
      return g.momentum > 0.0;
    });
    SmallVector<StateSpec> states;
    for (auto [p, i] : llvm::enumerate(paramIdx)) {
      Type type = model.getArgumentTypes()[i];
      if (hasMomentum)
        states.push_back({static_cast<int64_t>(p), "momentum", type});
      if (adam) {
        if (!cast<RankedTensorType>(type).getElementType().isF32()) {
          model.emitError() << stringifyOptimizer(optimizer)
                            << " supports f32 parameters only; "
                            << "parameter #" << p << " is " << type;
          return signalPassFailure();
        }
        states.push_back({static_cast<int64_t>(p), "exp_avg", type});
        states.push_back({static_cast<int64_t>(p), "exp_avg_sq", type});
      }
      if (accumulate > 1)
        states.push_back({static_cast<int64_t>(p), "grad_accum", type});
    }
    OpBuilder b(module.getContext());
    auto scalarType = RankedTensorType::get({}, b.getF32Type());
    if (adam)
      states.push_back({-1, "step", scalarType});
    if (accumulate > 1)
      states.push_back({-1, "micro_step", scalarType});

    // Runtime hyper-parameters: per group, then the global clipping norm.
    SmallVector<HyperSpec> hypers;
    for (auto [g, group] : llvm::enumerate(groupValues)) {
      int64_t gi = static_cast<int64_t>(g);
      hypers.push_back({"lr", gi, group.lr});
      hypers.push_back({"weight_decay", gi, group.weightDecay});
      if (hasMomentum)
        hypers.push_back({"momentum", gi, group.momentum});
      if (adam) {
        hypers.push_back({"beta1", gi, group.beta1});
        hypers.push_back({"beta2", gi, group.beta2});
        hypers.push_back({"eps", gi, group.eps});
      }
    }
    if (maxGradNorm.has_value())
      hypers.push_back({"max_grad_norm", 0, *maxGradNorm});
    for (unsigned i = 0, e = model.getNumArguments(); i < e; ++i)
      for (const HyperSpec &h : hypers)
        if (mlir::hetc::getArgumentName(model, i) ==
            HetcDialect::getHyperParameterName(h.name, h.group)) {
          model.emitError() << "argument #" << i << " is named '"
                            << mlir::hetc::getArgumentName(model, i)
                            << "', which train_step reserves for a "
                               "hyper-parameter";
          return signalPassFailure();
        }

    SmallVector<Type> argTypes;
    for (unsigned i : paramIdx)
      argTypes.push_back(model.getArgumentTypes()[i]);
    for (const StateSpec &state : states)
      argTypes.push_back(state.type);
    argTypes.append(hypers.size(), scalarType);
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
    // name -> group -> argument.
    llvm::StringMap<SmallVector<Value>> hyperArg;
    for (const HyperSpec &h : hypers) {
      step.setArgAttr(
          next, HetcDialect::kHyperAttrName,
          b.getDictionaryAttr(
              {b.getNamedAttr("name", b.getStringAttr(h.name)),
               b.getNamedAttr("group", b.getI64IntegerAttr(h.group)),
               b.getNamedAttr("init",
                              InitAttr::get(b.getContext(), InitKind::Constant,
                                            APFloat(h.value)))}));
      step.setArgAttr(
          next, HetcDialect::kNameAttrName,
          b.getStringAttr(HetcDialect::getHyperParameterName(h.name, h.group)));
      hyperArg[h.name].push_back(block->getArgument(next++));
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
    // The guard looks at the gradients before clipping, as torch's
    // clip_grad_norm_(error_if_nonfinite) does.
    Value flags, finite;
    if (nanGuard)
      std::tie(flags, finite) = finiteFlags(m, ret.getOperand(0), *grads);
    SmallVector<Value> newParams(params.size()), newStates(states.size());
    auto stateArg = [&](size_t s) {
      return block->getArgument(firstState + s);
    };
    auto stateIndex = [&](int64_t param, llvm::StringRef kind) -> size_t {
      for (auto [s, state] : llvm::enumerate(states))
        if (state.param == param && state.kind == kind)
          return s;
      llvm_unreachable("missing optimizer state");
    };
    // Accumulation (torch: each micro-batch loss / k, gradients summed, a
    // step on the k-th): every call adds to grad_accum; `apply` is 1 on the
    // k-th, when the update below uses the sum and the counters restart.
    Value apply;
    if (accumulate > 1) {
      double k = static_cast<double>(accumulate.getValue());
      size_t micro = stateIndex(-1, "micro_step");
      Value count = m.add(stateArg(micro), m.constant(stateArg(micro), 1.0));
      apply = CompareOp::create(b, loc, ComparePredicate::GE, count,
                                m.constant(count, k));
      newStates[micro] =
          WhereOp::create(b, loc, apply, m.constant(count, 0.0), count);
      for (size_t p = 0; p < params.size(); ++p) {
        size_t s = stateIndex(p, "grad_accum");
        Value total = m.add(stateArg(s), m.scale((*grads)[p], 1.0 / k));
        newStates[s] =
            WhereOp::create(b, loc, apply, m.constant(total, 0.0), total);
        (*grads)[p] = total;
      }
    }
    Value gradNorm;
    if (maxGradNorm.has_value())
      gradNorm = clipGradients(m, *grads, hyperArg["max_grad_norm"][0]);
    auto hyper = [&](llvm::StringRef name, unsigned group) {
      return hyperArg[name][group];
    };
    // Adam's shared step counter, and per group the bias corrections in
    // torch's form: step_size = lr / (1 - beta1^t) and sqrt(1 - beta2^t).
    SmallVector<Value> stepSize, bc2Sqrt;
    if (adam) {
      size_t stepIdx = stateIndex(-1, "step");
      // One op per statement below: argument evaluation order is
      // unspecified, and the IR must not depend on the host compiler.
      Value one = m.constant(stateArg(stepIdx), 1.0);
      Value t = m.add(stateArg(stepIdx), one);
      newStates[stepIdx] = t;
      auto correction = [&](Value beta) {
        // 1 - beta^t, with beta^t = exp(t * ln(beta)); beta = 0 gives 1.
        Value pow =
            ExpOp::create(b, loc, m.mul(t, LogOp::create(b, loc, beta)));
        return m.sub(m.constant(t, 1.0), pow);
      };
      for (unsigned g = 0; g < groupValues.size(); ++g) {
        Value bc1 = correction(hyper("beta1", g));
        stepSize.push_back(m.div(hyper("lr", g), bc1));
        Value bc2 = correction(hyper("beta2", g));
        bc2Sqrt.push_back(SqrtOp::create(b, loc, bc2));
      }
    }
    for (auto [p, param] : llvm::enumerate(params)) {
      Value grad = (*grads)[p];
      unsigned g = groupOf[p];
      // Hyper-parameters are f32; SGD on f16 or bf16 parameters computes in
      // the parameter's type, as torch does.
      auto asParam = [&](Value h) -> Value {
        Type element = cast<RankedTensorType>(param.getType()).getElementType();
        if (element.isF32())
          return h;
        return CastOp::create(b, loc, RankedTensorType::get({}, element), h);
      };
      Value lrValue = asParam(hyper("lr", g));
      Value decay = asParam(hyper("weight_decay", g));
      auto findState = [&](llvm::StringRef kind) -> size_t {
        for (auto [s, state] : llvm::enumerate(states))
          if (state.param == static_cast<int64_t>(p) && state.kind == kind)
            return s;
        llvm_unreachable("missing optimizer state");
      };
      if (!adam) {
        Value d = m.add(grad, m.mul(param, decay));
        if (hasMomentum) {
          // With momentum 0 at runtime, buf = d and the update is torch's
          // plain step.
          size_t s = findState("momentum");
          Value mu = asParam(hyper("momentum", g));
          Value buf = m.add(m.mul(stateArg(s), mu), d);
          newStates[s] = buf;
          d = useNesterov() ? m.add(d, m.mul(buf, mu)) : buf;
        }
        newParams[p] = m.sub(param, m.mul(d, lrValue));
        continue;
      }
      Value current = param;
      if (optimizer == Optimizer::AdamW) {
        Value lrDecay = m.mul(lrValue, decay);
        Value oneMinus = m.sub(m.constant(lrValue, 1.0), lrDecay);
        current = m.mul(param, oneMinus);
      } else {
        grad = m.add(grad, m.mul(param, decay));
      }
      Value b1 = hyper("beta1", g), b2 = hyper("beta2", g);
      Value one = m.constant(b1, 1.0);
      size_t sm = findState("exp_avg"), sv = findState("exp_avg_sq");
      Value oneMinusB1 = m.sub(one, b1);
      Value mGrad = m.mul(grad, oneMinusB1);
      Value mDecayed = m.mul(stateArg(sm), b1);
      Value mt = m.add(mDecayed, mGrad);
      Value oneMinusB2 = m.sub(one, b2);
      Value gradSq = m.mul(grad, grad);
      Value vGrad = m.mul(gradSq, oneMinusB2);
      Value vDecayed = m.mul(stateArg(sv), b2);
      Value vt = m.add(vDecayed, vGrad);
      newStates[sm] = mt;
      newStates[sv] = vt;
      // p - step_size * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), in the
      // order torch's addcdiv evaluates it.
      Value sqrtV = SqrtOp::create(b, loc, vt);
      Value denom = m.add(m.div(sqrtV, bc2Sqrt[g]), hyper("eps", g));
      newParams[p] = m.sub(current, m.mul(m.div(mt, denom), stepSize[g]));
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

    // Before the k-th micro-batch, the optimizer changes nothing but its
    // accumulators.
    if (apply) {
      for (size_t p = 0; p < newParams.size(); ++p)
        newParams[p] = WhereOp::create(b, loc, apply, newParams[p], params[p]);
      for (auto [s, state] : llvm::enumerate(states))
        if (state.kind != "grad_accum" && state.kind != "micro_step")
          newStates[s] =
              WhereOp::create(b, loc, apply, newStates[s], stateArg(s));
    }

    // Nothing changes when something is not finite: every update selects
    // its old value.
    if (finite) {
      auto keep = [&](Value updatedValue, Value old) -> Value {
        return WhereOp::create(b, loc, finite, updatedValue, old);
      };
      for (size_t p = 0; p < newParams.size(); ++p)
        newParams[p] = keep(newParams[p], params[p]);
      for (size_t s = 0; s < newStates.size(); ++s)
        newStates[s] = keep(newStates[s], stateArg(s));
      for (size_t i = 0; i < newBuffers.size(); ++i)
        newBuffers[i] = keep(newBuffers[i], block->getArgument(updated[i]));
    }

    // Results: updates (tied to their arguments), the loss, aux outputs,
    // then the gradient norm when clipping and the guard's flags.
    SmallVector<Value> results(newParams);
    results.append(newStates);
    results.append(newBuffers);
    results.append(outputs);
    if (gradNorm)
      results.push_back(gradNorm);
    if (flags)
      results.push_back(flags);
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
    while (r < results.size() - (gradNorm ? 1 : 0) - (flags ? 1 : 0))
      step.setResultAttr(r++, "hetc.output", b.getUnitAttr());
    if (gradNorm)
      step.setResultAttr(r++, HetcDialect::kGradNormAttrName, b.getUnitAttr());
    if (flags) {
      SmallVector<Attribute> checked = {b.getStringAttr("loss")};
      for (unsigned i : paramIdx)
        checked.push_back(
            b.getStringAttr(mlir::hetc::getArgumentName(model, i)));
      step.setResultAttr(r++, kNonFiniteAttrName, b.getArrayAttr(checked));
    }

    // The initial (default) values, for the manifest.
    const Group &first = groupValues.front();
    SmallVector<NamedAttribute> summary = {
        b.getNamedAttr("name", b.getStringAttr(stringifyOptimizer(optimizer))),
        b.getNamedAttr("lr", b.getF64FloatAttr(first.lr)),
        b.getNamedAttr("weight_decay", b.getF64FloatAttr(first.weightDecay)),
        b.getNamedAttr("groups", b.getI64IntegerAttr(groupValues.size()))};
    if (adam) {
      summary.push_back(
          b.getNamedAttr("beta1", b.getF64FloatAttr(first.beta1)));
      summary.push_back(
          b.getNamedAttr("beta2", b.getF64FloatAttr(first.beta2)));
      summary.push_back(b.getNamedAttr("eps", b.getF64FloatAttr(first.eps)));
    } else {
      summary.push_back(
          b.getNamedAttr("momentum", b.getF64FloatAttr(first.momentum)));
      summary.push_back(
          b.getNamedAttr("nesterov", b.getBoolAttr(useNesterov())));
    }
    if (maxGradNorm.has_value())
      summary.push_back(
          b.getNamedAttr("max_grad_norm", b.getF64FloatAttr(*maxGradNorm)));
    if (nanGuard)
      summary.push_back(b.getNamedAttr("nan_guard", b.getBoolAttr(true)));
    if (accumulate > 1)
      summary.push_back(b.getNamedAttr(
          "accumulate", b.getI64IntegerAttr(accumulate.getValue())));
    step->setAttr("hetc.optimizer", b.getDictionaryAttr(summary));
    step->setAttr(kGeneratedAttrName, b.getUnitAttr());
  }

  /// One f32 flag per value of `loss` then `grads`: the sum of x * 0 over
  /// its elements, 0 when every element is finite and NaN otherwise; and a
  /// 0-d mask, 1 when all are finite.
  std::pair<Value, Value> finiteFlags(Math &m, Value loss,
                                      ArrayRef<Value> grads) {
    SmallVector<Value> flags, values = {loss};
    values.append(grads.begin(), grads.end());
    auto f32 = RankedTensorType::get({}, m.b.getF32Type());
    for (Value value : values) {
      auto type = cast<RankedTensorType>(value.getType());
      Value flat =
          ReshapeOp::create(m.b, m.loc, m.mul(value, m.constant(value, 0.0)),
                            m.b.getDenseI64ArrayAttr({type.getNumElements()}));
      Value flag = ReduceSumOp::create(
          m.b, m.loc, flat, m.b.getDenseI64ArrayAttr({0}), UnitAttr());
      if (!type.getElementType().isF32())
        flag = CastOp::create(m.b, m.loc, f32, flag);
      flags.push_back(
          ReshapeOp::create(m.b, m.loc, flag, m.b.getDenseI64ArrayAttr({1})));
    }
    Value all = ConcatOp::create(m.b, m.loc, flags, m.b.getI64IntegerAttr(0));
    Value total = ReduceSumOp::create(
        m.b, m.loc, all, m.b.getDenseI64ArrayAttr({0}), UnitAttr());
    Value finite = CompareOp::create(m.b, m.loc, ComparePredicate::EQ, total,
                                     m.constant(total, 0.0));
    return {all, finite};
  }

  /// Scales `grads` in place by min(1, maxNorm / (total + 1e-6)), as
  /// torch.nn.utils.clip_grad_norm_ does; returns the total L2 norm.
  Value clipGradients(Math &m, MutableArrayRef<Value> grads, Value maxNorm) {
    Value sum;
    for (Value grad : grads) {
      auto type = cast<RankedTensorType>(grad.getType());
      Value flat = ReshapeOp::create(
          m.b, m.loc, grad, m.b.getDenseI64ArrayAttr({type.getNumElements()}));
      Value squares =
          ReduceSumOp::create(m.b, m.loc, m.mul(flat, flat),
                              m.b.getDenseI64ArrayAttr({0}), UnitAttr());
      sum = sum ? m.add(sum, squares) : squares;
    }
    Value total = SqrtOp::create(m.b, m.loc, sum);
    Value coef = m.div(maxNorm, m.add(total, m.constant(total, 1e-6)));
    coef = MinimumOp::create(m.b, m.loc, coef, m.constant(coef, 1.0));
    for (Value &grad : grads)
      grad = m.mul(grad, coef);
    return total;
  }
};
} // namespace
