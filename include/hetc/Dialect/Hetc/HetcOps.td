//===- HetcOps.td - hetc op definitions --------------------*- tablegen -*-===//
//
// Tensor-level neural-network ops. Every op infers its result type; the
// verifier checks the written result type against the inferred one.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_HETCOPS_TD
#define HETC_DIALECT_HETC_HETCOPS_TD

include "hetc/Dialect/Hetc/HetcDialect.td"
include "hetc/Dialect/Hetc/HetcInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Hetc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Hetc_Dialect, mnemonic, traits>;

// A forward op: reverse-mode autodiff differentiates through it.
class Hetc_DiffOp<string mnemonic, list<Trait> traits = []>
    : Hetc_Op<mnemonic, !listconcat(traits,
          [DeclareOpInterfaceMethods<Hetc_DifferentiableOpInterface>])>;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Hetc_MatmulOp : Hetc_DiffOp<"matmul",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]> {
  let summary = "Matrix product, batched with broadcast batch dimensions";
  let description = [{
    Multiplies `lhs` of shape [..., M, K] by `rhs` of shape [..., K, N].
    Both operands have rank >= 2. The leading (batch) dimensions broadcast
    with numpy rules, so a rank-2 weight multiplies every matrix of a batch.
    `transpose_lhs` and `transpose_rhs` read the last two dimensions of the
    operand swapped, which the backward pass uses to avoid materializing
    transposes.

    Example:

    ```mlir
    %0 = hetc.matmul %x, %w : (tensor<32x64xf32>, tensor<64x128xf32>) -> tensor<32x128xf32>
    %1 = hetc.matmul %a, %b transpose_rhs
        : (tensor<8x4x16xf32>, tensor<32x16xf32>) -> tensor<8x4x32xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$lhs, Hetc_FloatTensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_lhs` $transpose_lhs^)?
    (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Hetc_BinaryOp<string mnemonic, string what, list<Trait> traits = []>
    : Hetc_DiffOp<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])> {
  let summary = "Elementwise " # what # " with numpy broadcasting";
  let description = [{
    Applies the operation elementwise. Operand shapes broadcast with numpy
    rules: trailing dimensions are aligned and each pair must be equal or
    contain a 1. Both operands have the same element type.

    Example:

    ```mlir
    %0 = hetc.}] # mnemonic # [{ %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$lhs, Hetc_FloatTensor:$rhs);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Hetc_AddOp : Hetc_BinaryOp<"add", "addition",
    [Commutative, Hetc_CheapToRecompute]>;
def Hetc_SubOp : Hetc_BinaryOp<"sub", "subtraction",
    [Hetc_CheapToRecompute]>;
def Hetc_MulOp : Hetc_BinaryOp<"mul", "multiplication",
    [Commutative, Hetc_CheapToRecompute]>;
def Hetc_DivOp : Hetc_BinaryOp<"div", "division",
    [Hetc_CheapToRecompute]>;
def Hetc_MaximumOp : Hetc_BinaryOp<"maximum", "maximum",
    [Commutative, Hetc_CheapToRecompute]>;
def Hetc_MinimumOp : Hetc_BinaryOp<"minimum", "minimum",
    [Commutative, Hetc_CheapToRecompute]>;

class Hetc_UnaryOp<string mnemonic, string what, list<Trait> traits = []>
    : Hetc_DiffOp<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType])> {
  let summary = "Elementwise " # what;
  let description = [{
    Applies the operation to every element. The result has the operand's
    type.

    Example:

    ```mlir
    %0 = hetc.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Hetc_NegOp : Hetc_UnaryOp<"neg", "negation",
    [Involution, Hetc_CheapToRecompute]>;
def Hetc_ExpOp : Hetc_UnaryOp<"exp", "exponential e^x",
    [Hetc_CheapToRecompute]>;
def Hetc_LogOp : Hetc_UnaryOp<"log", "natural logarithm",
    [Hetc_CheapToRecompute]>;
def Hetc_SqrtOp : Hetc_UnaryOp<"sqrt", "square root",
    [Hetc_CheapToRecompute]>;
def Hetc_RsqrtOp : Hetc_UnaryOp<"rsqrt", "reciprocal square root 1/sqrt(x)",
    [Hetc_CheapToRecompute]>;
def Hetc_TanhOp : Hetc_UnaryOp<"tanh", "hyperbolic tangent",
    [Hetc_CheapToRecompute]>;
def Hetc_SigmoidOp : Hetc_UnaryOp<"sigmoid", "logistic sigmoid 1/(1+e^-x)",
    [Hetc_CheapToRecompute]>;
def Hetc_ReluOp : Hetc_UnaryOp<"relu", "rectified linear unit max(x, 0)",
                                [Idempotent, Hetc_CheapToRecompute]>;

def Hetc_GeluOp : Hetc_DiffOp<"gelu",
    [Pure, SameOperandsAndResultType, Hetc_CheapToRecompute]> {
  let summary = "Elementwise Gaussian error linear unit";
  let description = [{
    Computes x * Phi(x) where Phi is the standard normal CDF. With
    `approximate tanh` it uses PyTorch's tanh approximation
    0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))).

    Example:

    ```mlir
    %0 = hetc.gelu %x : tensor<4x8xf32>
    %1 = hetc.gelu %x approximate tanh : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input,
      DefaultValuedAttr<Hetc_GeluApproximationAttr,
                        "::mlir::hetc::GeluApproximation::None">:$approximate);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`approximate` `` $approximate^)? attr-dict `:` type($input)
  }];
}

def Hetc_PowOp : Hetc_DiffOp<"pow",
    [Pure, SameOperandsAndResultType, Hetc_CheapToRecompute]> {
  let summary = "Elementwise power with a scalar exponent";
  let description = [{
    Raises every element to the constant `exponent`. Canonicalization turns
    exponents 2, 0.5 and -0.5 into mul, sqrt and rsqrt.

    Example:

    ```mlir
    %0 = hetc.pow %x, 3.0 : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, F64Attr:$exponent);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = "$input `,` $exponent attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations over an axis
//===----------------------------------------------------------------------===//

class Hetc_ReduceOp<string mnemonic, string what, list<Trait> traits = []>
    : Hetc_DiffOp<mnemonic, !listconcat([Pure, InferTypeOpAdaptor], traits)> {
  let summary = what # " over axes";
  let description = [{
    Reduces `input` over the listed `axes`. Axes may be negative (counted
    from the end) and must be distinct. With `keepdims` the reduced
    dimensions stay as size 1; otherwise they are removed, so reducing every
    axis gives a 0-d tensor. Canonicalization rewrites negative axes to
    their non-negative form.

    Example:

    ```mlir
    %0 = hetc.}] # mnemonic # [{ %x [1] : tensor<4x8xf32> -> tensor<4xf32>
    %1 = hetc.}] # mnemonic # [{ %x [-1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input $axes (`keepdims` $keepdims^)? attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Hetc_ReduceSumOp : Hetc_ReduceOp<"reduce_sum", "Sum", [DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]>;
def Hetc_ReduceMeanOp : Hetc_ReduceOp<"reduce_mean", "Arithmetic mean",
    [DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]>;
def Hetc_ReduceMaxOp : Hetc_ReduceOp<"reduce_max", "Maximum">;

class Hetc_SoftmaxLikeOp<string mnemonic, string what>
    : Hetc_DiffOp<mnemonic, [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]> {
  let summary = what # " over one axis";
  let description = [{
    Normalizes `input` along `axis` (negative counts from the end) in a
    numerically stable way: the maximum along the axis is subtracted before
    exponentiating.

    Example:

    ```mlir
    %0 = hetc.}] # mnemonic # [{ %logits axis 1 : tensor<32x10xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Hetc_SoftmaxOp : Hetc_SoftmaxLikeOp<"softmax", "Softmax">;
def Hetc_LogSoftmaxOp : Hetc_SoftmaxLikeOp<"log_softmax", "Log-softmax">;

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Hetc_ReshapeOp : Hetc_DiffOp<"reshape",
    [Pure, InferTypeOpAdaptor, Hetc_CheapToRecompute]> {
  let summary = "Reinterprets a tensor with a new shape";
  let description = [{
    Returns the elements of `input` in row-major order with the shape
    `shape`. At most one entry of `shape` may be -1; it is inferred from the
    element count, which must be preserved.

    Example:

    ```mlir
    %0 = hetc.reshape %x [8, -1] : tensor<8x4x4xf32> -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input $shape attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Hetc_TransposeOp : Hetc_DiffOp<"transpose",
    [Pure, InferTypeOpAdaptor, Hetc_CheapToRecompute]> {
  let summary = "Permutes the dimensions of a tensor";
  let description = [{
    Result dimension i is input dimension `permutation[i]`. The permutation
    lists every dimension of `input` exactly once.

    Example:

    ```mlir
    %0 = hetc.transpose %w [1, 0] : tensor<128x64xf32> -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input,
                       DenseI64ArrayAttr:$permutation);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Hetc_BroadcastToOp : Hetc_DiffOp<"broadcast_to",
    [Pure, InferTypeOpAdaptor, Hetc_CheapToRecompute]> {
  let summary = "Broadcasts a tensor to a shape with numpy rules";
  let description = [{
    Expands `input` to `shape`: the input's dimensions align with the
    trailing dimensions of `shape` and each must equal the target or be 1.

    Example:

    ```mlir
    %0 = hetc.broadcast_to %b [32, 10] : tensor<10xf32> -> tensor<32x10xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input $shape attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Hetc_ConcatOp : Hetc_DiffOp<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "Concatenates tensors along an axis";
  let description = [{
    Joins one or more tensors of the same rank and element type along
    `axis` (negative counts from the end). All other dimensions must match.

    Example:

    ```mlir
    %0 = hetc.concat %a, %b axis 1
        : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Hetc_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $inputs `axis` $axis attr-dict `:` functional-type($inputs, results)
  }];
  let hasFolder = 1;
}

def Hetc_SliceOp : Hetc_DiffOp<"slice", [Pure, InferTypeOpAdaptor]> {
  let summary = "Extracts a strided window of a tensor";
  let description = [{
    Result dimension i takes `sizes[i]` elements of input dimension i,
    starting at `offsets[i]` and stepping by `strides[i]`. Every window lies
    inside the input.

    Example:

    ```mlir
    %0 = hetc.slice %x offsets [0, 2] sizes [4, 3] strides [1, 2]
        : tensor<4x8xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `offsets` $offsets `sizes` $sizes `strides` $strides attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Neural-network layers
//===----------------------------------------------------------------------===//

def Hetc_Conv2DOp : Hetc_DiffOp<"conv2d",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]> {
  let summary = "2-D convolution over NCHW input";
  let description = [{
    Cross-correlates `input` [N, C, H, W] with `weight`
    [F, C / groups, KH, KW] and adds the optional `bias` [F]. `strides` and
    `dilation` are [h, w]; `padding` is [top, left, bottom, right] of zeros.
    C and F must both be divisible by `groups`. The output is
    [N, F, OH, OW] with OH = (H + top + bottom - dilation_h * (KH - 1) - 1)
    / stride_h + 1, and likewise OW.

    Example:

    ```mlir
    %0 = hetc.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
        -> tensor<8x16x32x32xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, Hetc_FloatTensor:$weight,
      Optional<Hetc_FloatTensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

class Hetc_Pool2DOp<string mnemonic, string what, string details>
    : Hetc_DiffOp<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D " # what # " pooling over NCHW input";
  let description = [{
    Pools windows of `kernel_size` [kh, kw] moved by `strides` [h, w]
    (default: the kernel size) over `input` [N, C, H, W], after padding
    [top, left, bottom, right]. Each padding is at most half the kernel
    size, as in PyTorch. The output height is
    (H + top + bottom - span) / stride + 1 with span the window's extent,
    rounded down, or up with `ceil_mode`; as in torch, a ceil_mode window
    that would start past the input and its top (left) padding is dropped.
  }] # details # [{
    Example:

    ```mlir
    %0 = hetc.}] # mnemonic # [{ %x {kernel_size = array<i64: 2, 2>}
        : tensor<8x16x32x32xf32> -> tensor<8x16x16x16xf32>
    ```
  }];
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Hetc_MaxPool2DOp : Hetc_Pool2DOp<"max_pool2d", "max", [{
    Padding never wins the maximum. `dilation` [h, w] spaces the window's
    elements (span dilation * (kernel - 1) + 1).
  }]> {
  let arguments = (ins Hetc_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_size,
      OptionalAttr<DenseI64ArrayAttr>:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
      UnitAttr:$ceil_mode);
}

def Hetc_AvgPool2DOp : Hetc_Pool2DOp<"avg_pool2d", "average", [{
    With `count_include_pad` (the default, as in PyTorch) every window
    divides by the window's extent clipped to the padded input (kh * kw
    except for ceil_mode's last windows); otherwise by the number of
    non-padding elements, as torch does.
  }]> {
  let arguments = (ins Hetc_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_size,
      OptionalAttr<DenseI64ArrayAttr>:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<BoolAttr, "true">:$count_include_pad,
      UnitAttr:$ceil_mode);
}

def Hetc_BatchNormOp : Hetc_DiffOp<"batch_norm",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]> {
  let summary = "Batch normalization with training-mode statistics";
  let description = [{
    Normalizes `input` [N, C, ...] per channel C with the mean and the
    biased variance of the current batch (over N and the spatial
    dimensions), then applies `scale` [C] and `bias` [C]:
    y = (x - mean) / sqrt(var + epsilon) * scale + bias.

    Example:

    ```mlir
    %0 = hetc.batch_norm %x, %gamma, %beta {epsilon = 1.0e-5 : f64}
        : (tensor<8x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>)
        -> tensor<8x16x4x4xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, Hetc_FloatTensor:$scale,
                       Hetc_FloatTensor:$bias,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:`
    functional-type(operands, results)
  }];
}

def Hetc_LayerNormOp : Hetc_DiffOp<"layer_norm",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]> {
  let summary = "Layer normalization over the trailing dimensions";
  let description = [{
    Normalizes `input` over its trailing k dimensions, where k is the rank
    of `scale`; `scale` and `bias` have exactly the shape of those trailing
    dimensions. Uses the biased variance, as PyTorch does.

    Example:

    ```mlir
    %0 = hetc.layer_norm %x, %gamma, %beta
        : (tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xf32>)
        -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, Hetc_FloatTensor:$scale,
                       Hetc_FloatTensor:$bias,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The normalized dimensions of `input`: its trailing rank(scale) ones.
    ::llvm::SmallVector<int64_t> getNormalizedAxes();
  }];
}

def Hetc_EmbeddingOp : Hetc_DiffOp<"embedding", [Pure, InferTypeOpAdaptor]> {
  let summary = "Gathers rows of an embedding table";
  let description = [{
    For a `table` [V, D] and integer `indices` of any shape S, returns
    [S..., D] where each index selects one row. Indices outside [0, V)
    are clamped at run time.

    Example:

    ```mlir
    %0 = hetc.embedding %table, %ids
        : (tensor<1000x64xf32>, tensor<8x16xi64>) -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$table, Hetc_IndexTensor:$indices);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:` functional-type(operands, results)
  }];
}

def Hetc_DropoutOp : Hetc_DiffOp<"dropout",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Seeded, deterministic inverted dropout";
  let description = [{
    Zeroes each element with probability `p` and scales the survivors by
    1 / (1 - p). The mask is a pure function of the 0-d i64 `seed` and the
    element's linear index (a counter-based hash), so the same seed gives
    the same mask on every target, and the backward pass recomputes it
    instead of storing it. Feed a different seed each step (the runtime
    passes the step counter).

    Example:

    ```mlir
    %0 = hetc.dropout %x, %seed {p = 0.1 : f64}
        : (tensor<32x128xf32>, tensor<i64>) -> tensor<32x128xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, Hetc_SeedTensor:$seed,
                       F64Attr:$p);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $seed attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Hetc_CrossEntropyOp : Hetc_DiffOp<"cross_entropy",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]> {
  let summary = "Softmax cross-entropy with integer labels, mean over batch";
  let description = [{
    For `logits` [N, C] and integer `labels` [N] in [0, C), returns the 0-d
    mean over the batch of -log_softmax(logits)[i, labels[i]], as
    torch.nn.functional.cross_entropy does.

    Example:

    ```mlir
    %loss = hetc.cross_entropy %logits, %labels
        : (tensor<32x10xf32>, tensor<32xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$logits, Hetc_LabelTensor:$labels);
  let results = (outs Hetc_ScalarFloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
}

def Hetc_MseOp : Hetc_DiffOp<"mse",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]> {
  let summary = "Mean squared error";
  let description = [{
    Returns the 0-d mean of (input - target)^2 over all elements. Both
    operands have the same type.

    Example:

    ```mlir
    %loss = hetc.mse %pred, %target
        : (tensor<32x1xf32>, tensor<32x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, Hetc_FloatTensor:$target);
  let results = (outs Hetc_ScalarFloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Gradient ops
//
// Emitted by autodiff where a vector-Jacobian product is not expressible
// with forward ops. They are not differentiable themselves. Operands named
// "shape only" are not read: they give the result its type.
//===----------------------------------------------------------------------===//

def Hetc_CompareOp : Hetc_Op<"compare", [Pure, InferTypeOpAdaptor,
    Hetc_CheapToRecompute,
    DeclareOpInterfaceMethods<Hetc_DifferentiableOpInterface,
                              ["isDifferentiableOperand"]>]> {
  let summary = "Elementwise comparison producing a 0/1 float mask";
  let description = [{
    Compares `lhs` with `rhs` under numpy broadcasting and returns 1.0 where
    the predicate holds and 0.0 elsewhere, in the operands' element type
    for float operands and as f32 for integer (i32, i64; signed) ones.
    Predicates are ordered: a NaN operand makes every predicate but `ne`
    false. Gradient rules use it to route gradients (relu, maximum,
    reduce_max). A model may use it as a mask too: the mask is piecewise
    constant, so no gradient flows through it.

    Example:

    ```mlir
    %m = hetc.compare gt, %x, %zero : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
    %k = hetc.compare eq, %ids, %pad : (tensor<8x16xi64>, tensor<i64>) -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Hetc_ComparePredicateAttr:$predicate,
      Hetc_StaticTensorOf<[F32, F16, BF16, I32, I64]>:$lhs,
      Hetc_StaticTensorOf<[F32, F16, BF16, I32, I64]>:$rhs);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    `` $predicate `,` $lhs `,` $rhs attr-dict `:`
    functional-type(operands, results)
  }];
}

def Hetc_GeluBackwardOp : Hetc_Op<"gelu_backward",
    [Pure, SameOperandsAndResultType]> {
  let summary = "Gradient of gelu";
  let description = [{
    Returns `grad` * d gelu(`input`) / d input, with the same approximation
    as the forward op.

    Example:

    ```mlir
    %gx = hetc.gelu_backward %g, %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad, Hetc_FloatTensor:$input,
      DefaultValuedAttr<Hetc_GeluApproximationAttr,
                        "::mlir::hetc::GeluApproximation::None">:$approximate);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $input (`approximate` `` $approximate^)? attr-dict `:`
    type($input)
  }];
}

def Hetc_CrossEntropyBackwardOp : Hetc_Op<"cross_entropy_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of cross_entropy with respect to the logits";
  let description = [{
    Returns (softmax(`logits`) - one_hot(`labels`)) * `grad` / N for the
    0-d loss gradient `grad`. Rows with a label outside [0, C) become NaN,
    like the forward loss.

    Example:

    ```mlir
    %gl = hetc.cross_entropy_backward %g, %logits, %labels
        : (tensor<f32>, tensor<32x10xf32>, tensor<32xi32>) -> tensor<32x10xf32>
    ```
  }];
  let arguments = (ins Hetc_ScalarFloatTensor:$grad, Hetc_FloatTensor:$logits,
                       Hetc_LabelTensor:$labels);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
}

def Hetc_Conv2DBackwardInputOp : Hetc_Op<"conv2d_backward_input",
    [Pure, InferTypeOpAdaptor,
     DeclareOpInterfaceMethods<Hetc_DifferentiableOpInterface,
                               ["isDifferentiableOperand"]>]> {
  let summary = "Gradient of conv2d with respect to its input";
  let description = [{
    For the conv2d of `input` (shape only) with `weight` and the given
    window attributes, maps the output gradient `grad_output` back to the
    input: a transposed convolution. It is linear in `grad_output` and
    `weight` and differentiable in both (second-order gradients through a
    conv2d, and conv_transpose2d, use it).

    Example:

    ```mlir
    %gx = hetc.conv2d_backward_input %g, %w, %x {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<8x16x32x32xf32>, tensor<16x3x3x3xf32>, tensor<8x3x32x32xf32>)
        -> tensor<8x3x32x32xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad_output, Hetc_FloatTensor:$weight,
      Hetc_FloatTensor:$input,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $weight `,` $input attr-dict `:`
    functional-type(operands, results)
  }];
}

def Hetc_Conv2DBackwardWeightOp : Hetc_Op<"conv2d_backward_weight",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]> {
  let summary = "Gradient of conv2d with respect to its weight";
  let description = [{
    For the conv2d of `input` with `weight` (shape only) and the given window
    attributes, correlates `input` with the output gradient `grad_output`.

    Example:

    ```mlir
    %gw = hetc.conv2d_backward_weight %g, %x, %w {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<8x16x32x32xf32>, tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>)
        -> tensor<16x3x3x3xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad_output, Hetc_FloatTensor:$input,
      Hetc_FloatTensor:$weight,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $weight attr-dict `:`
    functional-type(operands, results)
  }];
}

def Hetc_MaxPool2DBackwardOp : Hetc_Op<"max_pool2d_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of max_pool2d";
  let description = [{
    Routes each window's gradient to the first maximal element of the window
    in row-major order, as PyTorch does. The window attributes are the
    forward op's.

    Example:

    ```mlir
    %gx = hetc.max_pool2d_backward %g, %x {kernel_size = array<i64: 2, 2>}
        : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad_output, Hetc_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_size,
      OptionalAttr<DenseI64ArrayAttr>:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
      UnitAttr:$ceil_mode);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` functional-type(operands, results)
  }];
}

def Hetc_AvgPool2DBackwardOp : Hetc_Op<"avg_pool2d_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of avg_pool2d";
  let description = [{
    Spreads each window's gradient evenly over the window's elements, with
    the forward op's divisor. `input` is shape only.

    Example:

    ```mlir
    %gx = hetc.avg_pool2d_backward %g, %x {kernel_size = array<i64: 2, 2>}
        : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad_output, Hetc_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_size,
      OptionalAttr<DenseI64ArrayAttr>:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<BoolAttr, "true">:$count_include_pad,
      UnitAttr:$ceil_mode);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` functional-type(operands, results)
  }];
}

def Hetc_EmbeddingBackwardOp : Hetc_Op<"embedding_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of embedding with respect to the table";
  let description = [{
    Sums the rows of `grad_output` into the table rows their `indices`
    selected (clamped as in the forward op). `table` is shape only.

    Example:

    ```mlir
    %gt = hetc.embedding_backward %g, %ids, %table
        : (tensor<8x16x64xf32>, tensor<8x16xi64>, tensor<1000x64xf32>) -> tensor<1000x64xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad_output, Hetc_IndexTensor:$indices,
                       Hetc_FloatTensor:$table);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $indices `,` $table attr-dict `:`
    functional-type(operands, results)
  }];
}

def Hetc_SliceBackwardOp : Hetc_Op<"slice_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of slice";
  let description = [{
    Returns zeros of the type of `input` (shape only) with `grad` written
    into the window that the matching slice read.

    Example:

    ```mlir
    %gx = hetc.slice_backward %g, %x offsets [0, 2] sizes [4, 3] strides [1, 2]
        : (tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad, Hetc_FloatTensor:$input,
                       DenseI64ArrayAttr:$offsets, DenseI64ArrayAttr:$sizes,
                       DenseI64ArrayAttr:$strides);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $input `offsets` $offsets `sizes` $sizes `strides` $strides
    attr-dict `:` functional-type(operands, results)
  }];
}

include "hetc/Dialect/Hetc/HetcOpsExtra.td"
include "hetc/Dialect/Hetc/HetcOpsConv.td"

#endif // HETC_DIALECT_HETC_HETCOPS_TD
