//===- TrainStep.cpp - the hetc-train-step pass ---------------------------===//
//
// Builds train_step from a model: the forward pass, its reverse pass and the
// optimizer update, with the state each optimizer needs as extra arguments.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/Autodiff.h"
#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Passes.h"
#include "hetc/Dialect/Hetc/TensorMath.h"

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
  OptStateKind kind;
  Type type;
};

/// One runtime hyper-parameter argument of train_step.
struct HyperSpec {
  llvm::StringRef name;
  int64_t group;
  double value;
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

  /// What the phases of runOnOperation share while building train_step.
  struct StepPlan {
    func::FuncOp model, step;
    SmallVector<unsigned> paramIdx, bufferIdx, dataIdx;
    /// Each parameter group's hyper-parameters, and each parameter's group.
    SmallVector<Group> groupValues;
    SmallVector<unsigned> groupOf;
    bool adam = false, hasMomentum = false;
    SmallVector<StateSpec> states;
    SmallVector<HyperSpec> hypers;
    SmallVector<Type> argTypes;
    Block *block = nullptr;
    SmallVector<Value> params;
    unsigned firstState = 0;
    /// name -> group -> argument.
    llvm::StringMap<SmallVector<Value>> hyperArg;
    /// Model argument of each buffer -> its train_step argument.
    llvm::DenseMap<unsigned, unsigned> bufferArg;
    /// Adam's per-group step size and sqrt(1 - beta2^t).
    SmallVector<Value> stepSize, bc2Sqrt;
    SmallVector<Value> newParams, newStates, newBuffers, outputs;
    /// The train_step argument each new buffer value updates.
    SmallVector<int64_t> updated;

    Value stateArg(size_t s) { return block->getArgument(firstState + s); }
    size_t stateIndex(int64_t param, OptStateKind kind) {
      for (auto [s, state] : llvm::enumerate(states))
        if (state.param == param && state.kind == kind)
          return s;
      llvm_unreachable("missing optimizer state");
    }
    Value hyper(llvm::StringRef name, unsigned group) {
      return hyperArg[name][group];
    }
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

  /// Sorts the model's arguments by role: params, buffers, then data
  /// (inputs, then labels), each in model order.
  void classifyArguments(StepPlan &plan) {
    func::FuncOp model = plan.model;
    SmallVector<unsigned> labelIdx;
    for (unsigned i = 0, e = model.getNumArguments(); i < e; ++i) {
      if (model.getArgAttr(i, HetcDialect::kParamAttrName))
        plan.paramIdx.push_back(i);
      else if (model.getArgAttr(i, HetcDialect::kBufferAttrName))
        plan.bufferIdx.push_back(i);
      else if (model.getArgAttr(i, HetcDialect::kLabelAttrName))
        labelIdx.push_back(i);
      else
        plan.dataIdx.push_back(i);
    }
    plan.dataIdx.append(labelIdx);
  }

  /// The optimizer state: per parameter (momentum, exp_avg and exp_avg_sq,
  /// grad_accum), then the optimizer-wide counters.
  LogicalResult planState(StepPlan &plan) {
    plan.adam = optimizer != Optimizer::SGD;
    // Momentum needs state: it exists when some group starts with it.
    plan.hasMomentum =
        !plan.adam && llvm::any_of(plan.groupValues, [](const Group &g) {
          return g.momentum > 0.0;
        });
    for (auto [p, i] : llvm::enumerate(plan.paramIdx)) {
      auto param = static_cast<int64_t>(p);
      Type type = plan.model.getArgumentTypes()[i];
      if (plan.hasMomentum)
        plan.states.push_back({param, OptStateKind::Momentum, type});
      if (plan.adam) {
        if (!cast<RankedTensorType>(type).getElementType().isF32())
          return plan.model.emitError() << stringifyOptimizer(optimizer)
                                        << " supports f32 parameters only; "
                                        << "parameter #" << p << " is " << type;
        plan.states.push_back({param, OptStateKind::ExpAvg, type});
        plan.states.push_back({param, OptStateKind::ExpAvgSq, type});
      }
      if (accumulate > 1)
        plan.states.push_back({param, OptStateKind::GradAccum, type});
    }
    Type scalarType = getScalarType();
    if (plan.adam)
      plan.states.push_back({-1, OptStateKind::Step, scalarType});
    if (accumulate > 1)
      plan.states.push_back({-1, OptStateKind::MicroStep, scalarType});
    return success();
  }

  /// The 0-d f32 type of hyper-parameters and counters.
  RankedTensorType getScalarType() {
    return RankedTensorType::get({}, Float32Type::get(&getContext()));
  }

  /// Runtime hyper-parameters: per group, then the global clipping norm;
  /// none may clash with a model argument's name.
  LogicalResult planHypers(StepPlan &plan) {
    for (auto [g, group] : llvm::enumerate(plan.groupValues)) {
      int64_t gi = static_cast<int64_t>(g);
      plan.hypers.push_back({"lr", gi, group.lr});
      plan.hypers.push_back({"weight_decay", gi, group.weightDecay});
      if (plan.hasMomentum)
        plan.hypers.push_back({"momentum", gi, group.momentum});
      if (plan.adam) {
        plan.hypers.push_back({"beta1", gi, group.beta1});
        plan.hypers.push_back({"beta2", gi, group.beta2});
        plan.hypers.push_back({"eps", gi, group.eps});
      }
    }
    if (maxGradNorm.has_value())
      plan.hypers.push_back({"max_grad_norm", 0, *maxGradNorm});
    func::FuncOp model = plan.model;
    for (unsigned i = 0, e = model.getNumArguments(); i < e; ++i)
      for (const HyperSpec &h : plan.hypers)
        if (mlir::hetc::getArgumentName(model, i) ==
            HetcDialect::getHyperParameterName(h.name, h.group))
          return model.emitError() << "argument #" << i << " is named '"
                                   << mlir::hetc::getArgumentName(model, i)
                                   << "', which train_step reserves for a "
                                      "hyper-parameter";
    return success();
  }

  /// Creates train_step after the model with the arguments of `plan`:
  /// params, then optimizer state, then hyper-parameters, then buffers,
  /// then inputs, then labels; and clones the model's body into it.
  void createStepFunction(StepPlan &plan, OpBuilder &b, SymbolTable &symbols) {
    func::FuncOp model = plan.model;
    for (unsigned i : plan.paramIdx)
      plan.argTypes.push_back(model.getArgumentTypes()[i]);
    for (const StateSpec &state : plan.states)
      plan.argTypes.push_back(state.type);
    plan.argTypes.append(plan.hypers.size(), getScalarType());
    for (unsigned i : plan.bufferIdx)
      plan.argTypes.push_back(model.getArgumentTypes()[i]);
    for (unsigned i : plan.dataIdx)
      plan.argTypes.push_back(model.getArgumentTypes()[i]);

    b.setInsertionPointAfter(model);
    plan.step = func::FuncOp::create(b, model.getLoc(), "train_step",
                                     b.getFunctionType(plan.argTypes, {}));
    symbols.insert(plan.step);
    plan.block = plan.step.addEntryBlock();
    IRMapping mapping;
    setArgumentRoles(plan, b, mapping);
    b.setInsertionPointToStart(plan.block);
    for (Operation &op : model.getBody().front())
      b.clone(op, mapping);
  }

  /// Argument roles and names for the manifest; maps the model's arguments
  /// to train_step's.
  void setArgumentRoles(StepPlan &plan, OpBuilder &b, IRMapping &mapping) {
    func::FuncOp model = plan.model, step = plan.step;
    Block *block = plan.block;
    unsigned next = 0;
    for (unsigned i : plan.paramIdx) {
      step.setArgAttrs(next, model.getArgAttrDict(i));
      mapping.map(model.getArgument(i), block->getArgument(next));
      plan.params.push_back(block->getArgument(next++));
    }
    plan.firstState = next;
    for (const StateSpec &state : plan.states) {
      SmallVector<NamedAttribute> fields = {
          b.getNamedAttr("kind",
                         b.getStringAttr(stringifyOptStateKind(state.kind))),
          b.getNamedAttr("init",
                         InitAttr::get(b.getContext(), InitKind::Zeros))};
      if (state.param >= 0)
        fields.push_back(
            b.getNamedAttr("param", b.getI64IntegerAttr(state.param)));
      step.setArgAttr(next++, HetcDialect::kOptStateAttrName,
                      b.getDictionaryAttr(fields));
    }
    for (const HyperSpec &h : plan.hypers) {
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
      plan.hyperArg[h.name].push_back(block->getArgument(next++));
    }
    // Buffers get no gradient and no state; train_step argument of each.
    for (unsigned i : plan.bufferIdx) {
      step.setArgAttrs(next, model.getArgAttrDict(i));
      mapping.map(model.getArgument(i), block->getArgument(next));
      plan.bufferArg[i] = next++;
    }
    for (unsigned i : plan.dataIdx) {
      step.setArgAttrs(next, model.getArgAttrDict(i));
      mapping.map(model.getArgument(i), block->getArgument(next++));
    }
  }

  /// Accumulation (torch: each micro-batch loss / k, gradients summed, a
  /// step on the k-th): every call adds to grad_accum, and `grads` become
  /// the sums. Returns `apply`, 1 on the k-th call, when the update uses
  /// the sum and the counters restart.
  Value accumulateGradients(StepPlan &plan, TensorMath &m,
                            MutableArrayRef<Value> grads) {
    OpBuilder &b = m.b;
    Location loc = m.loc;
    double k = static_cast<double>(accumulate.getValue());
    size_t micro = plan.stateIndex(-1, OptStateKind::MicroStep);
    Value count =
        m.add(plan.stateArg(micro), m.scalar(plan.stateArg(micro), 1.0));
    Value apply = CompareOp::create(b, loc, ComparePredicate::GE, count,
                                    m.scalar(count, k));
    plan.newStates[micro] =
        WhereOp::create(b, loc, apply, m.scalar(count, 0.0), count);
    for (size_t p = 0; p < plan.params.size(); ++p) {
      size_t s = plan.stateIndex(p, OptStateKind::GradAccum);
      Value total = m.add(plan.stateArg(s), m.scale(grads[p], 1.0 / k));
      plan.newStates[s] =
          WhereOp::create(b, loc, apply, m.scalar(total, 0.0), total);
      grads[p] = total;
    }
    return apply;
  }

  /// Adam's shared step counter, and per group the bias corrections in
  /// torch's form: step_size = lr / (1 - beta1^t) and sqrt(1 - beta2^t).
  void buildAdamCorrections(StepPlan &plan, TensorMath &m) {
    OpBuilder &b = m.b;
    Location loc = m.loc;
    size_t stepIdx = plan.stateIndex(-1, OptStateKind::Step);
    // One op per statement below: argument evaluation order is
    // unspecified, and the IR must not depend on the host compiler.
    Value one = m.scalar(plan.stateArg(stepIdx), 1.0);
    Value t = m.add(plan.stateArg(stepIdx), one);
    plan.newStates[stepIdx] = t;
    auto correction = [&](Value beta) {
      // 1 - beta^t, with beta^t = exp(t * ln(beta)); beta = 0 gives 1.
      Value pow = ExpOp::create(b, loc, m.mul(t, LogOp::create(b, loc, beta)));
      return m.sub(m.scalar(t, 1.0), pow);
    };
    for (unsigned g = 0; g < plan.groupValues.size(); ++g) {
      Value bc1 = correction(plan.hyper("beta1", g));
      plan.stepSize.push_back(m.div(plan.hyper("lr", g), bc1));
      Value bc2 = correction(plan.hyper("beta2", g));
      plan.bc2Sqrt.push_back(SqrtOp::create(b, loc, bc2));
    }
  }

  /// Hyper-parameter `name` of parameter p's group in the parameter's type:
  /// hyper-parameters are f32; SGD on f16 or bf16 parameters computes in
  /// the parameter's type, as torch does.
  Value hyperAsParam(StepPlan &plan, TensorMath &m, llvm::StringRef name,
                     size_t p) {
    Value h = plan.hyper(name, plan.groupOf[p]);
    Type element =
        cast<RankedTensorType>(plan.params[p].getType()).getElementType();
    if (element.isF32())
      return h;
    return CastOp::create(m.b, m.loc, RankedTensorType::get({}, element), h);
  }

  /// torch.optim.SGD's update of parameter p (and its momentum).
  void updateWithSgd(StepPlan &plan, TensorMath &m, size_t p, Value grad) {
    Value param = plan.params[p];
    Value lrValue = hyperAsParam(plan, m, "lr", p);
    Value decay = hyperAsParam(plan, m, "weight_decay", p);
    Value d = m.add(grad, m.mul(param, decay));
    if (plan.hasMomentum) {
      // With momentum 0 at runtime, buf = d and the update is torch's
      // plain step.
      size_t s = plan.stateIndex(p, OptStateKind::Momentum);
      Value mu = hyperAsParam(plan, m, "momentum", p);
      Value buf = m.add(m.mul(plan.stateArg(s), mu), d);
      plan.newStates[s] = buf;
      d = useNesterov() ? m.add(d, m.mul(buf, mu)) : buf;
    }
    plan.newParams[p] = m.sub(param, m.mul(d, lrValue));
  }

  /// torch.optim.Adam's (or AdamW's) update of parameter p and its moments.
  void updateWithAdam(StepPlan &plan, TensorMath &m, size_t p, Value grad) {
    Value param = plan.params[p];
    unsigned g = plan.groupOf[p];
    Value lrValue = hyperAsParam(plan, m, "lr", p);
    Value decay = hyperAsParam(plan, m, "weight_decay", p);
    Value current = param;
    if (optimizer == Optimizer::AdamW) {
      Value lrDecay = m.mul(lrValue, decay);
      Value oneMinus = m.sub(m.scalar(lrValue, 1.0), lrDecay);
      current = m.mul(param, oneMinus);
    } else {
      grad = m.add(grad, m.mul(param, decay));
    }
    Value b1 = plan.hyper("beta1", g), b2 = plan.hyper("beta2", g);
    Value one = m.scalar(b1, 1.0);
    size_t sm = plan.stateIndex(p, OptStateKind::ExpAvg),
           sv = plan.stateIndex(p, OptStateKind::ExpAvgSq);
    Value oneMinusB1 = m.sub(one, b1);
    Value mGrad = m.mul(grad, oneMinusB1);
    Value mDecayed = m.mul(plan.stateArg(sm), b1);
    Value mt = m.add(mDecayed, mGrad);
    Value oneMinusB2 = m.sub(one, b2);
    Value gradSq = m.mul(grad, grad);
    Value vGrad = m.mul(gradSq, oneMinusB2);
    Value vDecayed = m.mul(plan.stateArg(sv), b2);
    Value vt = m.add(vDecayed, vGrad);
    plan.newStates[sm] = mt;
    plan.newStates[sv] = vt;
    // p - step_size * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), in the
    // order torch's addcdiv evaluates it.
    Value sqrtV = SqrtOp::create(m.b, m.loc, vt);
    Value denom = m.add(m.div(sqrtV, plan.bc2Sqrt[g]), plan.hyper("eps", g));
    plan.newParams[p] =
        m.sub(current, m.mul(m.div(mt, denom), plan.stepSize[g]));
  }

  /// Splits the model's results into buffer updates (written back like
  /// parameters; they do not feed the loss, so the reverse pass never
  /// reached them) and outputs.
  void splitModelResults(StepPlan &plan, func::ReturnOp ret) {
    for (auto [r, value] : llvm::enumerate(ret.getOperands())) {
      if (auto buffer = plan.model.getResultAttrOfType<IntegerAttr>(
              r, HetcDialect::kBufferUpdateAttrName)) {
        plan.newBuffers.push_back(value);
        plan.updated.push_back(plan.bufferArg.lookup(buffer.getInt()));
        continue;
      }
      plan.outputs.push_back(value);
    }
  }

  /// Keeps the old values where the update must not happen: before the
  /// k-th micro-batch, everything but the accumulators; when something is
  /// not finite, everything.
  void gateUpdates(StepPlan &plan, OpBuilder &b, Location loc, Value apply,
                   Value finite) {
    if (apply) {
      for (size_t p = 0; p < plan.newParams.size(); ++p)
        plan.newParams[p] =
            WhereOp::create(b, loc, apply, plan.newParams[p], plan.params[p]);
      for (auto [s, state] : llvm::enumerate(plan.states))
        if (state.kind != OptStateKind::GradAccum &&
            state.kind != OptStateKind::MicroStep)
          plan.newStates[s] = WhereOp::create(b, loc, apply, plan.newStates[s],
                                              plan.stateArg(s));
    }
    if (!finite)
      return;
    auto keep = [&](Value updatedValue, Value old) -> Value {
      return WhereOp::create(b, loc, finite, updatedValue, old);
    };
    for (size_t p = 0; p < plan.newParams.size(); ++p)
      plan.newParams[p] = keep(plan.newParams[p], plan.params[p]);
    for (size_t s = 0; s < plan.newStates.size(); ++s)
      plan.newStates[s] = keep(plan.newStates[s], plan.stateArg(s));
    for (size_t i = 0; i < plan.newBuffers.size(); ++i)
      plan.newBuffers[i] =
          keep(plan.newBuffers[i], plan.block->getArgument(plan.updated[i]));
  }

  /// Returns the updates (tied to their arguments), the loss, aux outputs,
  /// then the gradient norm when clipping and the guard's flags, and marks
  /// each result's role.
  void setResults(StepPlan &plan, OpBuilder &b, func::ReturnOp ret,
                  Value gradNorm, Value flags) {
    SmallVector<Value> results(plan.newParams);
    results.append(plan.newStates);
    results.append(plan.newBuffers);
    results.append(plan.outputs);
    if (gradNorm)
      results.push_back(gradNorm);
    if (flags)
      results.push_back(flags);
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    func::FuncOp step = plan.step;
    step.setFunctionType(
        b.getFunctionType(plan.argTypes, ValueRange(results).getTypes()));
    unsigned r = 0;
    for (unsigned i = 0; i < plan.newParams.size() + plan.newStates.size(); ++i)
      step.setResultAttr(r++, HetcDialect::kUpdatesAttrName,
                         b.getI64IntegerAttr(i));
    for (int64_t arg : plan.updated)
      step.setResultAttr(r++, HetcDialect::kUpdatesAttrName,
                         b.getI64IntegerAttr(arg));
    step.setResultAttr(r++, HetcDialect::kLossAttrName, b.getUnitAttr());
    while (r < results.size() - (gradNorm ? 1 : 0) - (flags ? 1 : 0))
      step.setResultAttr(r++, HetcDialect::kOutputAttrName, b.getUnitAttr());
    if (gradNorm)
      step.setResultAttr(r++, HetcDialect::kGradNormAttrName, b.getUnitAttr());
    if (flags) {
      SmallVector<Attribute> checked = {b.getStringAttr("loss")};
      for (unsigned i : plan.paramIdx)
        checked.push_back(
            b.getStringAttr(mlir::hetc::getArgumentName(plan.model, i)));
      step.setResultAttr(r++, HetcDialect::kNonFiniteAttrName,
                         b.getArrayAttr(checked));
    }
  }

  /// The optimizer's name and initial (default) values, for the manifest.
  DictionaryAttr getOptimizerSummary(StepPlan &plan, OpBuilder &b) {
    const Group &first = plan.groupValues.front();
    SmallVector<NamedAttribute> summary = {
        b.getNamedAttr("name", b.getStringAttr(stringifyOptimizer(optimizer))),
        b.getNamedAttr("lr", b.getF64FloatAttr(first.lr)),
        b.getNamedAttr("weight_decay", b.getF64FloatAttr(first.weightDecay)),
        b.getNamedAttr("groups", b.getI64IntegerAttr(plan.groupValues.size()))};
    if (plan.adam) {
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
    return b.getDictionaryAttr(summary);
  }

  /// Plans train_step's arguments for the model: groups, state, hypers.
  LogicalResult planStep(StepPlan &plan) {
    classifyArguments(plan);
    if (failed(assignGroups(plan.model, plan.paramIdx, plan.groupValues,
                            plan.groupOf)))
      return failure();
    return success(succeeded(planState(plan)) && succeeded(planHypers(plan)));
  }

  /// Emits the gradients' optimizer update before `ret`: accumulation,
  /// the NaN guard, clipping, then each parameter's update; then the
  /// results.
  void buildUpdate(StepPlan &plan, OpBuilder &b, func::ReturnOp ret,
                   MutableArrayRef<Value> grads) {
    Location loc = plan.model.getLoc();
    b.setInsertionPoint(ret);
    TensorMath m{b, loc};
    // The guard looks at the gradients before clipping, as torch's
    // clip_grad_norm_(error_if_nonfinite) does.
    Value flags, finite;
    if (nanGuard)
      std::tie(flags, finite) = finiteFlags(m, ret.getOperand(0), grads);
    plan.newParams.resize(plan.params.size());
    plan.newStates.resize(plan.states.size());
    Value apply;
    if (accumulate > 1)
      apply = accumulateGradients(plan, m, grads);
    Value gradNorm;
    if (maxGradNorm.has_value())
      gradNorm = clipGradients(m, grads, plan.hyperArg["max_grad_norm"][0]);
    if (plan.adam)
      buildAdamCorrections(plan, m);
    for (size_t p = 0; p < plan.params.size(); ++p) {
      if (plan.adam)
        updateWithAdam(plan, m, p, grads[p]);
      else
        updateWithSgd(plan, m, p, grads[p]);
    }
    splitModelResults(plan, ret);
    gateUpdates(plan, b, loc, apply, finite);
    setResults(plan, b, ret, gradNorm, flags);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<func::FuncOp> found = findModel(module);
    if (failed(found))
      return signalPassFailure();
    StepPlan plan;
    plan.model = *found;
    if (failed(verifyModelContract(plan.model)) ||
        failed(checkOptions(plan.model)))
      return signalPassFailure();
    SymbolTable symbols(module);
    if (symbols.lookup("train_step")) {
      symbols.lookup("train_step")->emitError()
          << "the module already defines 'train_step'";
      return signalPassFailure();
    }
    if (failed(planStep(plan)))
      return signalPassFailure();

    OpBuilder b(module.getContext());
    createStepFunction(plan, b, symbols);
    auto ret = cast<func::ReturnOp>(plan.block->getTerminator());
    AutodiffOptions options;
    options.rematerialize = rematerialize;
    FailureOr<SmallVector<Value>> grads =
        buildGradients(plan.step, plan.params, options);
    if (failed(grads))
      return signalPassFailure();
    buildUpdate(plan, b, ret, *grads);
    plan.step->setAttr(HetcDialect::kOptimizerAttrName,
                       getOptimizerSummary(plan, b));
    plan.step->setAttr(HetcDialect::kGeneratedAttrName, b.getUnitAttr());
  }

  /// One f32 flag per value of `loss` then `grads`: the sum of x * 0 over
  /// its elements, 0 when every element is finite and NaN otherwise; and a
  /// 0-d mask, 1 when all are finite.
  std::pair<Value, Value> finiteFlags(TensorMath &m, Value loss,
                                      ArrayRef<Value> grads) {
    SmallVector<Value> flags, values = {loss};
    values.append(grads.begin(), grads.end());
    auto f32 = RankedTensorType::get({}, m.b.getF32Type());
    for (Value value : values) {
      auto type = cast<RankedTensorType>(value.getType());
      Value flat =
          ReshapeOp::create(m.b, m.loc, m.mul(value, m.scalar(value, 0.0)),
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
                                     m.scalar(total, 0.0));
    return {all, finite};
  }

  /// Scales `grads` in place by min(1, maxNorm / (total + 1e-6)), as
  /// torch.nn.utils.clip_grad_norm_ does; returns the total L2 norm.
  Value clipGradients(TensorMath &m, MutableArrayRef<Value> grads,
                      Value maxNorm) {
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
    Value coef = m.div(maxNorm, m.add(total, m.scalar(total, 1e-6)));
    coef = MinimumOp::create(m.b, m.loc, coef, m.scalar(coef, 1.0));
    for (Value &grad : grads)
      grad = m.mul(grad, coef);
    return total;
  }
};
} // namespace
