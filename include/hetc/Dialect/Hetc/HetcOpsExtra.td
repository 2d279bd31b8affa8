//===- HetcOpsExtra.td - more hetc ops ---------------------*- tablegen -*-===//
//
// abs, erf, sign, clamp, where, cast, gather, cumsum and reduce_min, with
// gather's gradient op. Included from HetcOps.td, whose op classes they use.
// Type inference is in HetcOpsExtra.cpp, the VJPs in HetcGradientsExtra.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_HETCOPSEXTRA_TD
#define HETC_DIALECT_HETC_HETCOPSEXTRA_TD

// A where condition: a 0/1 float mask (as hetc.compare makes) or i1.
def Hetc_ConditionTensor : Hetc_StaticTensorOf<[F32, F16, BF16, I1]>;
// What hetc.cast converts between.
def Hetc_CastableTensor : Hetc_StaticTensorOf<[F32, F16, BF16, I32, I64]>;

// A forward op that decides itself which operands take a gradient (the
// default is every float operand).
class Hetc_SelectiveDiffOp<string mnemonic, list<Trait> traits = []>
    : Hetc_Op<mnemonic, !listconcat(traits,
          [DeclareOpInterfaceMethods<Hetc_DifferentiableOpInterface,
                                     ["isDifferentiableOperand"]>])>;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def Hetc_AbsOp : Hetc_UnaryOp<"abs", "absolute value |x|", [Idempotent]> {
  let description = [{
    Returns |x| elementwise. Its gradient is g * sign(x), zero at x = 0
    as in torch.abs.

    Example:

    ```mlir
    %0 = hetc.abs %x : tensor<4x8xf32>
    ```
  }];
}

def Hetc_ErfOp : Hetc_UnaryOp<"erf", "Gauss error function erf(x)"> {
  let description = [{
    Returns erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt elementwise.
    Lowered to math.erf: libm on the CPU, a polynomial on GPU targets
    without an erf instruction (SPIR-V).

    Example:

    ```mlir
    %0 = hetc.erf %x : tensor<4x8xf32>
    ```
  }];
}

def Hetc_SignOp : Hetc_UnaryOp<"sign", "sign -1, 0 or 1", [Idempotent]> {
  let description = [{
    Returns 1 for positive elements, -1 for negative ones and the element
    itself for zeros (so -0 stays -0) and NaN, as torch.sign. It is
    piecewise constant: its gradient is zero.

    Example:

    ```mlir
    %0 = hetc.sign %x : tensor<4x8xf32>
    ```
  }];
}

def Hetc_ClampOp : Hetc_DiffOp<"clamp", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise clamp to [min, max]";
  let description = [{
    Returns min(max(x, `min`), `max`) elementwise, as torch.clamp: either
    bound may be omitted (not both), a NaN element stays NaN, and with
    min > max every element becomes max. The gradient passes where
    min <= x <= max and is zero elsewhere (torch's backward).

    Example:

    ```mlir
    %0 = hetc.clamp %x {max = 6.0 : f64, min = 0.0 : f64} : tensor<4x8xf32>
    %1 = hetc.clamp %x {min = -1.0 : f64} : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Hetc_WhereOp : Hetc_SelectiveDiffOp<"where", [Pure, InferTypeOpAdaptor]> {
  let summary = "Elementwise select with three-way numpy broadcasting";
  let description = [{
    Returns `lhs` where `condition` holds and `rhs` elsewhere. The condition
    is i1 or a float mask such as hetc.compare produces; a nonzero (or NaN)
    float counts as true, as torch.where(cond != 0, ...). The three shapes
    broadcast together with numpy rules; `lhs` and `rhs` have the same
    float element type, which the result has. The condition gets no
    gradient.

    Example:

    ```mlir
    %0 = hetc.where %m, %a, %b
        : (tensor<4x1xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_ConditionTensor:$condition, Hetc_FloatTensor:$lhs,
                       Hetc_FloatTensor:$rhs);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:`
    functional-type(operands, results)
  }];
}

def Hetc_CastOp : Hetc_SelectiveDiffOp<"cast", [Pure]> {
  let summary = "Elementwise conversion between f32, f16, bf16, i32 and i64";
  let description = [{
    Converts every element to the result's element type; the shape is
    unchanged. Float to float and integer to float round to nearest even;
    float to integer truncates toward zero, as torch's `.to(torch.int64)`;
    integers are sign-extended or truncated. A float that is NaN or outside
    the integer type's range gives a target-dependent value (as in torch).
    Float to float casts are differentiable (the gradient is cast back);
    a cast with an integer side has no gradient.

    Example:

    ```mlir
    %0 = hetc.cast %labels : tensor<32xi64> -> tensor<32xi32>
    %1 = hetc.cast %x : tensor<4x8xf32> -> tensor<4x8xbf16>
    ```
  }];
  let arguments = (ins Hetc_CastableTensor:$input);
  let results = (outs Hetc_CastableTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// True when both element types are float.
    bool isFloatToFloat();
  }];
}

//===----------------------------------------------------------------------===//
// Indexing and scans
//===----------------------------------------------------------------------===//

def Hetc_GatherOp : Hetc_SelectiveDiffOp<"gather", [Pure, InferTypeOpAdaptor]> {
  let summary = "Gathers slices along an axis (ONNX Gather)";
  let description = [{
    For `input` of shape X and integer `indices` of shape I, returns
    X[:axis] + I + X[axis+1:], where each index selects one slice of
    `input` along `axis` (negative counts from the end). Negative indices
    in [-X[axis], 0) count from the end, as in ONNX; indices still outside
    [0, X[axis]) after that are clamped at run time, like hetc.embedding's.
    With 1-D indices it is torch.index_select.

    Example:

    ```mlir
    %0 = hetc.gather %x, %ids axis 1
        : (tensor<4x8xf32>, tensor<2x3xi64>) -> tensor<4x2x3xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, Hetc_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `axis` $axis attr-dict `:`
    functional-type(operands, results)
  }];
}

def Hetc_CumsumOp : Hetc_DiffOp<"cumsum", [Pure, SameOperandsAndResultType]> {
  let summary = "Cumulative sum along an axis (ONNX CumSum)";
  let description = [{
    Returns the running sum of `input` along `axis` (negative counts from
    the end): y[i] = x[0] + ... + x[i]. `exclusive` leaves out x[i] itself
    (y[0] = 0); `reverse` sums from the end, y[i] = x[i] + ... + x[n-1].
    The default is torch.cumsum. The gradient is the cumsum of the
    gradient in the other direction, with the same exclusivity.

    Example:

    ```mlir
    %0 = hetc.cumsum %x axis 1 : tensor<4x8xf32>
    %1 = hetc.cumsum %x axis -1 exclusive reverse : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, I64Attr:$axis,
                       UnitAttr:$exclusive, UnitAttr:$reverse);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis (`exclusive` $exclusive^)? (`reverse` $reverse^)?
    attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def Hetc_ReduceMinOp : Hetc_ReduceOp<"reduce_min", "Minimum">;

//===----------------------------------------------------------------------===//
// Gradient ops
//===----------------------------------------------------------------------===//

def Hetc_GatherBackwardOp : Hetc_Op<"gather_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of gather with respect to its input";
  let description = [{
    Returns zeros of the type of `input` (shape only) into which each slice
    of `grad_output` is summed at the slice its index selected (wrapped and
    clamped as in the forward op): a scatter-add, lowered in gather form
    (each input position sums the matching gradient slices), so no two
    threads write one element.

    Example:

    ```mlir
    %gx = hetc.gather_backward %g, %ids, %x axis 1
        : (tensor<4x2x3xf32>, tensor<2x3xi64>, tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad_output, Hetc_IndexTensor:$indices,
                       Hetc_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $indices `,` $input `axis` $axis attr-dict `:`
    functional-type(operands, results)
  }];
}

#endif // HETC_DIALECT_HETC_HETCOPSEXTRA_TD
