//===- Passes.td - hetc dialect passes ---------------------*- tablegen -*-===//

#ifndef HETC_DIALECT_HETC_PASSES_TD
#define HETC_DIALECT_HETC_PASSES_TD

include "mlir/Pass/PassBase.td"

def HetcVerifyModel : Pass<"hetc-verify-model", "::mlir::ModuleOp"> {
  let summary = "Checks that model functions follow the hetc training contract";
  let description = [{
    A model function is a `func.func` with at least one `hetc.param`
    argument (or the function named by `entry`). This pass checks what the
    training pipeline relies on, beyond what the op verifiers check:

    - the function has a body;
    - every argument has exactly one role: `hetc.param`, `hetc.input` or
      `hetc.label`;
    - the first result is the 0-d floating-point loss;
    - the body uses only hetc ops, `arith.constant` and `func.return`.

    Each violation is reported at the offending argument or op.

    Example:

    ```
    hetc-opt --hetc-verify-model examples/mlp_digits.mlir
    hetc-opt --hetc-verify-model=entry=mlp examples/mlp_digits.mlir
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Name of the model function; by default every function with a "
           "hetc.param argument is checked">
  ];
  let dependentDialects = ["::mlir::hetc::HetcDialect"];
}

def HetcAutodiff : Pass<"hetc-autodiff", "::mlir::ModuleOp"> {
  let summary = "Derives the gradient function of each model";
  let description = [{
    For a model `@f` (see hetc-verify-model) generates

    ```mlir
    func.func @f_grad(<the arguments of @f>) -> (loss, d loss / d param...)
    ```

    with one gradient per `hetc.param` argument, in argument order. The
    reverse pass asks each op's DifferentiableOpInterface for its
    vector-Jacobian product, sums gradients where a value fans out, reuses
    forward values (or, with `rematerialize`, recomputes cheap elementwise
    and data-movement ones next to their backward uses), computes only
    gradients that reach a parameter and gives an unused parameter a zero
    gradient. An op without a gradient rule is reported at its location.
    The rules and the algorithm are described in docs/autodiff.md.

    Example:

    ```
    hetc-opt --hetc-autodiff examples/mlp_digits.mlir
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Model function; by default every model">,
    Option<"rematerialize", "rematerialize", "bool", /*default=*/"false",
           "Recompute cheap elementwise forward values in the backward pass">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def HetcTrainStep : Pass<"hetc-train-step", "::mlir::ModuleOp"> {
  let summary = "Builds train_step: forward, backward and optimizer update";
  let description = [{
    Generates, for the model `entry` (by default the module's only model),

    ```mlir
    func.func @train_step(params..., opt_state..., inputs..., labels...)
        -> (new params..., new opt_state..., loss, aux outputs...)
    ```

    Each argument group keeps the model's order; the state is ordered by
    parameter (momentum, or exp_avg and exp_avg_sq), then Adam's step.

    The hyper-parameters (lr, weight_decay, momentum, beta1, beta2, eps and
    max_grad_norm) are not constants: each is a 0-d f32 argument with
    `hetc.hyper = {name, group, init}` that the session keeps as state, so
    they change between steps without recompiling. The options give their
    initial values. With `groups`, each parameter group has its own. SGD has
    a momentum hyper-parameter, and momentum state, when some group's
    momentum is > 0.

    With `max-grad-norm`, the gradients are first scaled by
    min(1, max_grad_norm / (total + 1e-6)), total being their global L2
    norm, which train_step returns as the output `grad_norm`.

    With `accumulate=k` (k > 1), each parameter gets a `grad_accum` state
    and the optimizer a 0-d `micro_step` counter: every call adds the
    micro-batch gradient divided by k; the k-th call updates with the sum
    (clipped when clipping) and resets both, the k - 1 before it change no
    parameter or other optimizer state (torch's loss / k, backward, and a
    step every k micro-batches). Buffers update on every call, as in torch.

    With `nan-guard`, train_step checks the loss and every gradient: when one
    is not finite, every updated tensor keeps its old value, and the output
    marked `hetc.nonfinite = ["loss", <parameter names>...]` holds NaN at
    the position of each culprit (0 elsewhere), which the runtime reports.

    The optimizer follows torch.optim's update rules exactly:

    - `sgd`: d = g + weight_decay * p; with momentum, b = momentum * b + d
      and d = b (or d + momentum * b with nesterov); p -= lr * d;
    - `adam`: g += weight_decay * p; m = beta1 m + (1 - beta1) g;
      v = beta2 v + (1 - beta2) g^2; t += 1;
      p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps);
    - `adamw`: p *= 1 - lr * weight_decay, then adam without weight decay.

    State arguments carry `hetc.opt_state = {param = i, kind = ...,
    init = #hetc.init<zeros>}` (Adam's step counter has no `param`). Each
    updated result carries `hetc.updates = <argument index>`: the aliasing
    contract that lets bufferization update parameters and state in place
    (docs/autodiff.md). The loss result carries `hetc.loss`, auxiliary
    outputs `hetc.output`, and the function records its hyper-parameters in
    `hetc.optimizer`.

    Example:

    ```
    hetc-opt --hetc-train-step="optimizer=adam lr=0.001" model.mlir
    hetc-opt --hetc-train-step="lr=0.1 groups=*.bias:weight-decay=0,* \
        weight-decay=1e-4 max-grad-norm=1.0" model.mlir
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Model function; by default the module's only model">,
    Option<"optimizer", "optimizer", "::mlir::hetc::Optimizer",
           /*default=*/"::mlir::hetc::Optimizer::SGD", "sgd, adam or adamw">,
    // The options below are std::nullopt when not given: their defaults
    // depend on the optimizer, and giving one that does not apply to it is
    // an error.
    Option<"lr", "lr", "std::optional<double>", /*default=*/"",
           "Learning rate (default: 0.01 for sgd, 0.001 for adam and adamw)">,
    Option<"momentum", "momentum", "std::optional<double>", /*default=*/"",
           "SGD momentum (default: 0)">,
    Option<"nesterov", "nesterov", "std::optional<bool>", /*default=*/"",
           "SGD Nesterov momentum (default: false)">,
    Option<"weightDecay", "weight-decay", "std::optional<double>",
           /*default=*/"", "Weight decay (default: 0, or 0.01 for adamw)">,
    Option<"beta1", "beta1", "std::optional<double>", /*default=*/"",
           "Adam beta1 (default: 0.9)">,
    Option<"beta2", "beta2", "std::optional<double>", /*default=*/"",
           "Adam beta2 (default: 0.999)">,
    Option<"eps", "eps", "std::optional<double>", /*default=*/"",
           "Adam epsilon (default: 1e-8)">,
    Option<"rematerialize", "rematerialize", "bool", /*default=*/"false",
           "Recompute cheap elementwise forward values in the backward pass">,
    ListOption<"groups", "groups", "std::string",
               "Parameter groups, in order: PATTERN[|PATTERN...][:key=value"
               "...]; each parameter joins the first group one of whose glob "
               "patterns matches its name, and a group's keys (lr, "
               "weight-decay, momentum, beta1, beta2, eps) override the "
               "options above">,
    Option<"maxGradNorm", "max-grad-norm", "std::optional<double>",
           /*default=*/"",
           "Clip the gradients to this global L2 norm (torch's "
           "clip_grad_norm_); off when not given">,
    Option<"nanGuard", "nan-guard", "bool", /*default=*/"false",
           "Skip the whole update (parameters, state, buffers) when the loss "
           "or a gradient is NaN or Inf, and say which in an output">,
    Option<"accumulate", "accumulate", "int64_t", /*default=*/"1",
           "Accumulate the gradients of this many micro-batches (each "
           "divided by it) and update on the last">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def HetcRebatch : Pass<"hetc-rebatch", "::mlir::ModuleOp"> {
  let summary = "Re-specializes a model and its eval twin to another batch size";
  let description = [{
    Changes the leading dimension of every `hetc.input` and `hetc.label`
    argument of rank >= 1 of the model `entry` (and of its `hetc.eval_of`
    function) from the model's batch size to `batch-size`, then follows it
    through the body op by op:

    - ops with shape-bearing attributes (`hetc.reshape`, `hetc.broadcast_to`,
      `hetc.slice`) rewrite them through their RebatchOpInterface rule,
      which knows which axis of each operand is the batch axis;
    - every op's result types are re-inferred through its
      InferTypeOpInterface (type inference is the verifier), and the
      result's batch axis is the one dimension that changed from the old
      batch size to the new one;
    - the function type follows the arguments and the returned values.

    Parameters, buffers and everything computed from them alone keep their
    shapes, so the rebatched model has the same session state. Whatever the
    pass cannot prove correct is an error at the op, never a silently wrong
    shape: a reshape that folds the batch into another dimension, a slice of
    some rows, a result whose other dimensions change, a batch-sized
    constant meeting a rebatched value, inputs with different leading
    dimensions. Not visible to it: a batch size baked into a scalar
    constant (a hand-written mean as a sum times 1/64); hetc's frontends use
    `hetc.reduce_mean` and the losses, which take the count from the types.

    Example:

    ```
    hetc-opt --hetc-rebatch="entry=model batch-size=29" mlp.mlir
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Model function; by default the module's only model">,
    Option<"batchSize", "batch-size", "int64_t", /*default=*/"0",
           "The new batch size (a positive integer)">
  ];
}

def HetcDebugIntermediates : Pass<"hetc-debug-intermediates",
                                  "::mlir::ModuleOp"> {
  let summary = "Adds a debug twin of an entry that returns every hetc "
                "op's result";
  let description = [{
    Clones the entry `source` (by default `train_step`) into
    `<source>_debug`, whose results are every result of every hetc op of its
    body, in program order (forward, backward, update), so that a verifier
    can compare two targets' runs op by op (hetc-verify,
    docs/reproducibility.md). The source entry is left untouched: the normal
    artifact's entries are the same with and without this pass.

    Each result carries `hetc.debug = {index, op, result, location, scope}`:
    its position, the op's name, which of the op's results it is, the op's
    `file:line:col` and the module path a frontend attached to it (a NameLoc
    around the file location; "" when there is none). Only results an
    artifact can carry (statically shaped f32, f16, bf16, i32 and i64
    tensors) are returned. The twin keeps the source's arguments and their
    roles, so it runs on the same session state, but none of its results:
    it changes no state (the new values are op results it returns), no
    value it returns outlives an in-place update of its buffer, and no value
    is returned twice (the loss is an op result too). It carries
    `hetc.debug_of = "<source>"`.

    Example:

    ```
    hetc-opt --hetc-train-step --hetc-debug-intermediates model.mlir
    ```

    adds to `train_step(...) -> (new params..., loss)`

    ```mlir
    func.func @train_step_debug(...) -> (
        tensor<4x8xf32> {hetc.debug = {index = 0 : i64, op = "hetc.matmul",
          result = 0 : i64, location = "mlp.py:12:0", scope = "fc1"}}, ...)
        attributes {hetc.debug_of = "train_step"}
    ```
  }];
  let options = [
    Option<"source", "source", "std::string", /*default=*/"\"train_step\"",
           "The entry whose debug twin is built">
  ];
}

#endif // HETC_DIALECT_HETC_PASSES_TD
