//===- HetcOpsConv.td - transposed conv, resampling, padding -*- tablegen -*-===//
//
// Transposed convolution, upsampling, padding and adaptive pooling, with the
// gradient ops their vector-Jacobian products need. Included from
// HetcOps.td; inference lives in HetcOpsConv.cpp, the rules in
// HetcGradientsConv.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_HETCOPSCONV_TD
#define HETC_DIALECT_HETC_HETCOPSCONV_TD

def Hetc_UpsampleMode : I32EnumAttr<"UpsampleMode", "upsampling kernel", [
    I32EnumAttrCase<"Nearest", 0, "nearest">,
    I32EnumAttrCase<"Bilinear", 1, "bilinear">
  ]> {
  let cppNamespace = "::mlir::hetc";
  let genSpecializedAttr = 0;
}

def Hetc_PadMode : I32EnumAttr<"PadMode", "how padding is filled", [
    I32EnumAttrCase<"Constant", 0, "constant">,
    I32EnumAttrCase<"Reflect", 1, "reflect">,
    I32EnumAttrCase<"Edge", 2, "edge">
  ]> {
  let cppNamespace = "::mlir::hetc";
  let genSpecializedAttr = 0;
}

def Hetc_UpsampleModeAttr
    : EnumAttr<Hetc_Dialect, Hetc_UpsampleMode, "upsample_mode">;
def Hetc_PadModeAttr : EnumAttr<Hetc_Dialect, Hetc_PadMode, "pad_mode">;

//===----------------------------------------------------------------------===//
// Forward ops
//===----------------------------------------------------------------------===//

def Hetc_ConvTranspose2DOp : Hetc_DiffOp<"conv_transpose2d",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<Hetc_AccumulatingOpInterface>]> {
  let summary = "2-D transposed convolution over NCHW input";
  let description = [{
    The transpose (input gradient) of a conv2d, as torch's ConvTranspose2d:
    `input` [N, C_in, H, W], `weight` [C_in, C_out / groups, KH, KW], the
    optional `bias` [C_out]. `strides` and `dilation` are [h, w]; `padding`
    [top, left, bottom, right] removes rows and columns from the full
    result; `output_padding` [h, w] adds them at the bottom and right
    (each smaller than the stride or the dilation). The output is
    [N, C_out, OH, OW] with OH = (H - 1) * stride_h - top - bottom +
    dilation_h * (KH - 1) + output_padding_h + 1, and likewise OW.

    Example:

    ```mlir
    %0 = hetc.conv_transpose2d %x, %w, %b {strides = array<i64: 2, 2>,
        padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>}
        : (tensor<8x16x8x8xf32>, tensor<16x3x3x3xf32>, tensor<3xf32>)
        -> tensor<8x3x16x16xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, Hetc_FloatTensor:$weight,
      Optional<Hetc_FloatTensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Hetc_UpsampleOp : Hetc_DiffOp<"upsample", [Pure, InferTypeOpAdaptor]> {
  let summary = "Resizes the spatial dimensions of NCHW input";
  let description = [{
    Resizes `input` [N, C, H, W] to [N, C, size[0], size[1]], as
    torch.nn.functional.interpolate with `size=` (or an integer
    `scale_factor`, which gives the same coordinates). `nearest` is torch's
    legacy nearest: source index floor(dst * in / out). `bilinear` without
    `align_corners` samples at (dst + 0.5) * in / out - 0.5, clamped at 0;
    with `align_corners` at dst * (in - 1) / (out - 1). Coordinates are
    computed in f32, as torch does.

    Example:

    ```mlir
    %0 = hetc.upsample %x bilinear align_corners {size = array<i64: 16, 16>}
        : tensor<8x3x8x8xf32> -> tensor<8x3x16x16xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, DenseI64ArrayAttr:$size,
                       Hetc_UpsampleModeAttr:$mode, UnitAttr:$align_corners);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `` $mode (`align_corners` $align_corners^)? attr-dict `:`
    type($input) `->` type($result)
  }];
}

def Hetc_PadOp : Hetc_DiffOp<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "Pads (or crops) every dimension of a tensor";
  let description = [{
    `padding` lists the amounts before each dimension, then after each
    (ONNX's layout): 2 * rank values. A negative amount crops. Result
    dimension d has size in_d + before_d + after_d >= 1, and result index o
    reads source position p = o - before_d: `constant` fills positions
    outside the input with `value`; `reflect` mirrors them without repeating
    the edge (torch's 'reflect'; every amount below the dimension's size);
    `edge` repeats the nearest edge element (torch's 'replicate').

    Example:

    ```mlir
    %0 = hetc.pad %x reflect {padding = array<i64: 0, 0, 1, 2, 0, 0, 1, 2>}
        : tensor<8x3x16x16xf32> -> tensor<8x3x18x20xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input, DenseI64ArrayAttr:$padding,
                       Hetc_PadModeAttr:$mode,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `` $mode attr-dict `:` type($input) `->` type($result)
  }];
}

def Hetc_AdaptiveAvgPool2DOp : Hetc_DiffOp<"adaptive_avg_pool2d",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D adaptive average pooling over NCHW input";
  let description = [{
    Averages `input` [N, C, H, W] into [N, C, output_size[0],
    output_size[1]]: output row i averages input rows
    [floor(i * H / OH), ceil((i + 1) * H / OH)), and likewise columns, as
    torch's adaptive_avg_pool2d does (windows may overlap and differ in
    size when OH does not divide H).

    Example:

    ```mlir
    %0 = hetc.adaptive_avg_pool2d %x {output_size = array<i64: 1, 1>}
        : tensor<8x512x7x7xf32> -> tensor<8x512x1x1xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$input,
                       DenseI64ArrayAttr:$output_size);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Gradient ops
//===----------------------------------------------------------------------===//

def Hetc_UpsampleBackwardOp : Hetc_Op<"upsample_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of upsample";
  let description = [{
    For the upsample of `input` (shape only) with the same attributes, sums
    into each input element the output gradients of every output element
    that read it, weighted as the forward op weighted it. Each input
    element gathers its own contributions, so no two writers race.

    Example:

    ```mlir
    %gx = hetc.upsample_backward %g, %x bilinear {size = array<i64: 16, 16>}
        : (tensor<8x3x16x16xf32>, tensor<8x3x8x8xf32>) -> tensor<8x3x8x8xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad_output, Hetc_FloatTensor:$input,
                       DenseI64ArrayAttr:$size, Hetc_UpsampleModeAttr:$mode,
                       UnitAttr:$align_corners);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `` $mode (`align_corners` $align_corners^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Hetc_PadBackwardOp : Hetc_Op<"pad_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of pad";
  let description = [{
    For the pad of `input` (shape only) with the same `padding` and `mode`,
    sums into each input element the gradients of every output element that
    copied it (several where `reflect` mirrors it or `edge` repeats it).
    Each input element gathers its own contributions, so no two writers
    race.

    Example:

    ```mlir
    %gx = hetc.pad_backward %g, %x edge {padding = array<i64: 2, 0, 2, 0>}
        : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad, Hetc_FloatTensor:$input,
                       DenseI64ArrayAttr:$padding, Hetc_PadModeAttr:$mode);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $input `` $mode attr-dict `:` functional-type(operands, results)
  }];
}

def Hetc_AdaptiveAvgPool2DBackwardOp : Hetc_Op<"adaptive_avg_pool2d_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of adaptive_avg_pool2d";
  let description = [{
    Spreads each output window's gradient evenly over the window. `input`
    is shape only; the output size is the gradient's. Each input element
    gathers the windows that contain it, so no two writers race.

    Example:

    ```mlir
    %gx = hetc.adaptive_avg_pool2d_backward %g, %x
        : (tensor<8x512x1x1xf32>, tensor<8x512x7x7xf32>) -> tensor<8x512x7x7xf32>
    ```
  }];
  let arguments = (ins Hetc_FloatTensor:$grad_output, Hetc_FloatTensor:$input);
  let results = (outs Hetc_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` functional-type(operands, results)
  }];
}

#endif // HETC_DIALECT_HETC_HETCOPSCONV_TD
