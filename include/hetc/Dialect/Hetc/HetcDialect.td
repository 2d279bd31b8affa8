//===- HetcDialect.td - hetc dialect definition ------------*- tablegen -*-===//
//
// The hetc dialect: tensor-level neural-network ops that hetc trains.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_HETCDIALECT_TD
#define HETC_DIALECT_HETC_HETCDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Hetc_Dialect : Dialect {
  let name = "hetc";
  let cppNamespace = "::mlir::hetc";
  let summary = "Tensor-level neural-network ops for portable training";
  let description = [{
    The hetc dialect describes the forward computation and the loss of a
    neural network on statically shaped, ranked tensors. hetc derives the
    backward graph and the optimizer update from it inside the compiler, then
    lowers the whole training step through linalg to CPU and GPU targets.

    Floating-point operands are `f32`, `f16` or `bf16` tensors; indices and
    labels are `i32` or `i64` tensors. Every op infers its result type from
    its operands and attributes, so the result type written in the IR is
    checked, never trusted.

    A model is a `func.func` whose arguments carry their roles:

    ```mlir
    func.func @mlp(%x: tensor<32x64xf32> {hetc.input},
                   %y: tensor<32xi32> {hetc.label},
                   %w: tensor<10x64xf32> {hetc.param = #hetc.init<uniform, 0.125>},
                   %b: tensor<10xf32> {hetc.param = #hetc.init<uniform, 0.125>})
        -> (tensor<f32>, tensor<32x10xf32>) {
      ...
    }
    ```

    The first result is the scalar loss that training minimizes; any further
    results are auxiliary outputs (for example logits) that evaluation
    returns and autodiff does not differentiate. An optional
    `hetc.name = "w1"` on any argument names it in artifacts and
    checkpoints.

    A `hetc.buffer = #hetc.init<zeros>` argument is non-trainable state the
    session keeps (BatchNorm running statistics, a frozen parameter): it gets
    no gradient and no optimizer state. A result marked
    `hetc.buffer_update = 3 : i64` (after the loss) is the new value of
    buffer argument 3, which train_step writes back in place; eval drops it.
    A second function marked `hetc.eval_of = "model"` is the model's
    eval-mode form (running statistics instead of batch statistics, no
    dropout); its arguments match the model's by name, role and type.

    The train_step that hetc-train-step generates adds optimizer state
    arguments, each with exactly one role of its own:
    `hetc.opt_state = {kind = "momentum", init = #hetc.init<zeros>,
    param = 0}`. `kind` is an OptStateKind (`momentum`, `exp_avg`,
    `exp_avg_sq`, `grad_accum`, `step` or `micro_step`); `param` is the
    index of the parameter argument the state belongs to, whose type it
    has; the optimizer-wide counters `step` and `micro_step` are 0-d and
    name none.

    Runtime hyper-parameters are 0-d f32 arguments that train_step reads and
    never updates: `hetc.hyper = {name = "lr", group = 0,
    init = #hetc.init<constant, 1.0e-01>}`. The session keeps them as state
    (role "hyper") named by `getHyperParameterName` ("hyper:lr",
    "hyper:group1:lr"), so they can change between steps without
    recompiling. See docs/architecture.md and docs/autodiff.md.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasRegionArgAttrVerify = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
    /// Argument attribute naming a trainable parameter; its value is a
    /// #hetc.init attribute describing the initial values.
    static constexpr ::llvm::StringLiteral kParamAttrName = "hetc.param";
    /// Unit argument attribute naming a data input.
    static constexpr ::llvm::StringLiteral kInputAttrName = "hetc.input";
    /// Unit argument attribute naming the labels or targets of the loss.
    static constexpr ::llvm::StringLiteral kLabelAttrName = "hetc.label";
    /// Argument attribute of train_step's optimizer state:
    /// {kind = "momentum", init = #hetc.init<zeros>, param = 0}.
    static constexpr ::llvm::StringLiteral kOptStateAttrName =
        "hetc.opt_state";
    /// Optional string attribute naming an argument in manifests.
    static constexpr ::llvm::StringLiteral kNameAttrName = "hetc.name";
    /// Argument attribute naming non-trainable session state (running
    /// statistics, frozen parameters); its value is a #hetc.init attribute.
    static constexpr ::llvm::StringLiteral kBufferAttrName = "hetc.buffer";
    /// Integer result attribute: the index of the buffer argument whose new
    /// value the result is.
    static constexpr ::llvm::StringLiteral kBufferUpdateAttrName =
        "hetc.buffer_update";
    /// String function attribute marking the eval-mode function of the
    /// model it names.
    static constexpr ::llvm::StringLiteral kEvalOfAttrName = "hetc.eval_of";
    /// Argument attribute of train_step's runtime hyper-parameters:
    /// {name = "lr", group = 0, init = #hetc.init<constant, 0.1>}.
    static constexpr ::llvm::StringLiteral kHyperAttrName = "hetc.hyper";
    /// Result attribute marking train_step's global gradient norm (before
    /// clipping), an output named "grad_norm".
    static constexpr ::llvm::StringLiteral kGradNormAttrName =
        "hetc.grad_norm";
    /// Function attribute of train_step: the optimizer's name and initial
    /// hyper-parameters, {name = "adam", lr = 1.0e-03, ...}, for manifests.
    static constexpr ::llvm::StringLiteral kOptimizerAttrName =
        "hetc.optimizer";
    /// Integer result attribute of train_step: the index of the argument
    /// (parameter or optimizer state) whose new value the result is; the
    /// aliasing contract that lets bufferization update it in place.
    static constexpr ::llvm::StringLiteral kUpdatesAttrName = "hetc.updates";
    /// Unit result attribute of train_step marking the loss.
    static constexpr ::llvm::StringLiteral kLossAttrName = "hetc.loss";
    /// Unit result attribute of train_step marking an auxiliary output.
    static constexpr ::llvm::StringLiteral kOutputAttrName = "hetc.output";
    /// Result attribute of train_step's NaN/Inf guard output: the names of
    /// what each element checks ("loss", then each parameter whose gradient
    /// it is). An element is 0 where that value is finite, NaN where not.
    static constexpr ::llvm::StringLiteral kNonFiniteAttrName =
        "hetc.nonfinite";
    /// Unit function attribute marking functions hetc generated from a
    /// model (gradients, train steps).
    static constexpr ::llvm::StringLiteral kGeneratedAttrName =
        "hetc.generated";
    /// Symbol function attribute of a gradient function: its model.
    static constexpr ::llvm::StringLiteral kGradOfAttrName = "hetc.grad_of";
    /// Module attribute listing the entry functions an artifact exports.
    static constexpr ::llvm::StringLiteral kEntriesAttrName = "hetc.entries";
    /// Function attribute listing the results that alias their updated
    /// argument (bufferization writes them in place), as argument indices.
    static constexpr ::llvm::StringLiteral kTiedResultsAttrName =
        "hetc.tied_results";
    /// Module attribute holding the artifact signature, which the
    /// serializers embed.
    static constexpr ::llvm::StringLiteral kSignatureAttrName =
        "hetc.signature";
    /// The session-state name of hyper-parameter `name` ("lr") of parameter
    /// group `group`: "hyper:lr" for group 0, "hyper:group1:lr" otherwise.
    /// ':' never appears in a torch state_dict key built from attributes.
    static std::string getHyperParameterName(::llvm::StringRef name,
                                             int64_t group);
  }];
}

//===----------------------------------------------------------------------===//
// Enums and attributes
//===----------------------------------------------------------------------===//

def Hetc_InitKind : I32EnumAttr<"InitKind", "parameter initializer", [
    I32EnumAttrCase<"Zeros", 0, "zeros">,
    I32EnumAttrCase<"Ones", 1, "ones">,
    I32EnumAttrCase<"Constant", 2, "constant">,
    I32EnumAttrCase<"Uniform", 3, "uniform">,
    I32EnumAttrCase<"Normal", 4, "normal">
  ]> {
  let cppNamespace = "::mlir::hetc";
  let genSpecializedAttr = 0;
}

def Hetc_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "approximation used by gelu", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Tanh", 1, "tanh">
  ]> {
  let cppNamespace = "::mlir::hetc";
  let genSpecializedAttr = 0;
}

def Hetc_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "elementwise comparison", [
    I32EnumAttrCase<"EQ", 0, "eq">,
    I32EnumAttrCase<"NE", 1, "ne">,
    I32EnumAttrCase<"LT", 2, "lt">,
    I32EnumAttrCase<"LE", 3, "le">,
    I32EnumAttrCase<"GT", 4, "gt">,
    I32EnumAttrCase<"GE", 5, "ge">
  ]> {
  let cppNamespace = "::mlir::hetc";
  let genSpecializedAttr = 0;
}

def Hetc_Optimizer : I32EnumAttr<"Optimizer",
    "optimizer of the training step (torch.optim's update rule)", [
    I32EnumAttrCase<"SGD", 0, "sgd">,
    I32EnumAttrCase<"Adam", 1, "adam">,
    I32EnumAttrCase<"AdamW", 2, "adamw">
  ]> {
  let cppNamespace = "::mlir::hetc";
  let genSpecializedAttr = 0;
}

def Hetc_OptStateKind : I32EnumAttr<"OptStateKind",
    "kind of optimizer state (the `kind` of a hetc.opt_state)", [
    I32EnumAttrCase<"Momentum", 0, "momentum">,
    I32EnumAttrCase<"ExpAvg", 1, "exp_avg">,
    I32EnumAttrCase<"ExpAvgSq", 2, "exp_avg_sq">,
    I32EnumAttrCase<"GradAccum", 3, "grad_accum">,
    I32EnumAttrCase<"Step", 4, "step">,
    I32EnumAttrCase<"MicroStep", 5, "micro_step">
  ]> {
  let cppNamespace = "::mlir::hetc";
  let genSpecializedAttr = 0;
}

class Hetc_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Hetc_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Hetc_GeluApproximationAttr
    : EnumAttr<Hetc_Dialect, Hetc_GeluApproximation, "gelu_approximation">;

def Hetc_ComparePredicateAttr
    : EnumAttr<Hetc_Dialect, Hetc_ComparePredicate, "cmp">;

def Hetc_InitAttr : Hetc_Attr<"Init", "init"> {
  let summary = "How a trainable parameter is initialized";
  let description = [{
    Describes the initial values of a `hetc.param` argument. `uniform`
    draws from U(-value, value), `normal` from N(0, value^2), `constant`
    fills with value; `zeros` and `ones` take no value. The runtime applies
    the initializer when a session is created from a seed.

    PyTorch's defaults are expressed as: Linear and Conv2d weights and biases
    `#hetc.init<uniform, B>` with B = 1/sqrt(fan_in); BatchNorm and LayerNorm
    `#hetc.init<ones>` and `#hetc.init<zeros>`; Embedding
    `#hetc.init<normal, 1.0>`.

    Example:

    ```mlir
    %w: tensor<128x64xf32> {hetc.param = #hetc.init<uniform, 0.125>}
    ```
  }];
  let parameters = (ins
    EnumParameter<Hetc_InitKind>:$kind,
    APFloatParameter<"scale or fill value; 0 where the kind takes none">:$value);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "InitKind":$kind, CArg<"double", "0.0">:$value), [{
      return $_get($_ctxt, kind, ::llvm::APFloat(value));
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Hetc_FloatElement : AnyTypeOf<[F32, F16, BF16]>;
def Hetc_IndexElement : AnyTypeOf<[I32, I64]>;

// hetc compiles training steps for fixed shapes, so every tensor is static.
class Hetc_StaticTensorOf<list<Type> allowed>
    : Type<And<[RankedTensorOf<allowed>.predicate, HasStaticShapePred]>,
           "statically shaped tensor of " # AnyTypeOf<allowed>.summary,
           "::mlir::RankedTensorType">;

def Hetc_FloatTensor : Hetc_StaticTensorOf<[F32, F16, BF16]>;
def Hetc_IndexTensor : Hetc_StaticTensorOf<[I32, I64]>;
def Hetc_LabelTensor : Hetc_StaticTensorOf<[I32, I64]>;
def Hetc_ScalarFloatTensor
    : Type<And<[Hetc_FloatTensor.predicate,
                CPred<"::llvm::cast<::mlir::RankedTensorType>($_self).getRank() == 0">]>,
           "0-d tensor of 32-bit float or 16-bit float or bfloat16 type",
           "::mlir::RankedTensorType">;
def Hetc_SeedTensor
    : Type<And<[Hetc_StaticTensorOf<[I64]>.predicate,
                CPred<"::llvm::cast<::mlir::RankedTensorType>($_self).getRank() == 0">]>,
           "0-d tensor of 64-bit signless integer",
           "::mlir::RankedTensorType">;

#endif // HETC_DIALECT_HETC_HETCDIALECT_TD
