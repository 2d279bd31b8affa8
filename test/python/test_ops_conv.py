"""conv_transpose2d, conv2d_backward_input (second order), upsample, pad,
ceil_mode and dilated pooling and adaptive_avg_pool2d: forward and gradient
against PyTorch 1.13 on every target with a device here (cpu and vulkan on
lavapipe), through test_ops.py's one-op models (loss = sum(op(...) * r),
one SGD step at lr = 1 gives the gradient).
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import runtime
from test_ops import Case, R, model_source, run_case, target, ty  # noqa: F401


def conv_t(name, x, w, out, attrs, ref, bias=None):
    inputs = [x, w] + ([bias] if bias is not None else [])
    operands = "%a0, %a1" + (", %a2" if bias is not None else "")
    types = ", ".join(ty(a.shape) for a in inputs)
    return Case(name, inputs,
                f"%out = hetc.conv_transpose2d {operands} {{{attrs}}} : "
                f"({types}) -> {ty(out)}", out, ref, tol=1e-3)


def upsample(name, x, size, mode, ref, align=False):
    out = x.shape[:2] + size
    return Case(name, [x],
                f"%out = hetc.upsample %a0 {mode}"
                f"{' align_corners' if align else ''} "
                f"{{size = array<i64: {size[0]}, {size[1]}>}} : "
                f"{ty(x.shape)} -> {ty(out)}", out, ref)


def pad(name, x, padding, mode, ref, value=None):
    r = x.ndim
    out = tuple(x.shape[d] + padding[d] + padding[r + d] for d in range(r))
    attrs = f"padding = array<i64: {', '.join(map(str, padding))}>"
    if value is not None:
        attrs += f", value = {value} : f64"
    return Case(name, [x],
                f"%out = hetc.pad %a0 {mode} {{{attrs}}} : {ty(x.shape)} -> "
                f"{ty(out)}", out, ref)


def pool(name, op, x, out, attrs, ref):
    return Case(name, [x],
                f"%out = hetc.{op} %a0 {{{attrs}}} : {ty(x.shape)} -> "
                f"{ty(out)}", out, ref)


def adaptive(name, x, size):
    out = x.shape[:2] + size
    return Case(name, [x],
                "%out = hetc.adaptive_avg_pool2d %a0 {output_size = array<i64: "
                f"{size[0]}, {size[1]}>}} : {ty(x.shape)} -> {ty(out)}", out,
                lambda a: F.adaptive_avg_pool2d(a, size))


def crop(t, top, left, bottom, right):
    return t[..., top:t.shape[-2] - bottom, left:t.shape[-1] - right]


x2 = R(2, 3, 4, 5)
img = R(2, 3, 10, 10)
CASES = [
    conv_t("conv_transpose2d", R(2, 4, 5, 5), R(4, 3, 3, 3), (2, 3, 10, 10),
           "strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, "
           "output_padding = array<i64: 1, 1>",
           lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                              output_padding=1),
           bias=R(3)),
    # Asymmetric padding (torch: the unpadded result, cropped), dilation,
    # groups and output_padding on one axis.
    conv_t("conv_transpose2d_groups_dilation", R(2, 4, 5, 6), R(4, 3, 3, 2),
           (2, 6, 8, 12),
           "strides = array<i64: 1, 2>, padding = array<i64: 1, 0, 0, 1>, "
           "output_padding = array<i64: 0, 1>, dilation = array<i64: 2, 1>, "
           "groups = 2 : i64",
           lambda x, w: crop(F.conv_transpose2d(
               x, w, stride=(1, 2), output_padding=(0, 1), dilation=(2, 1),
               groups=2), 1, 0, 0, 1)),
    # output_padding past the stride (allowed below the dilation, as in
    # torch): the VJP drops the extra rows, first from the bottom padding
    # (height), then from G (width).
    conv_t("conv_transpose2d_output_padding_dilation", R(2, 4, 5, 6),
           R(4, 2, 3, 3), (2, 2, 12, 11),
           "padding = array<i64: 0, 0, 1, 0>, output_padding = array<i64: 2, 1>,"
           " dilation = array<i64: 3, 2>",
           lambda x, w: crop(F.conv_transpose2d(
               x, w, output_padding=(2, 1), dilation=(3, 2)), 0, 0, 1, 0)),
    # The gradient op itself, differentiated (second-order paths): the
    # shape-only operand gets a zero gradient.
    Case("conv2d_backward_input", [R(2, 6, 4, 4), R(6, 4, 3, 3),
                                   R(2, 4, 8, 8)],
         "%out = hetc.conv2d_backward_input %a0, %a1, %a2 "
         "{strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : "
         f"({ty((2, 6, 4, 4))}, {ty((6, 4, 3, 3))}, {ty((2, 4, 8, 8))}) -> "
         f"{ty((2, 4, 8, 8))}", (2, 4, 8, 8),
         lambda g, w, x: F.conv_transpose2d(g, w, stride=2, padding=1,
                                            output_padding=1) + 0 * x,
         tol=1e-3),
    upsample("upsample_nearest_x2", x2, (8, 10), "nearest",
             lambda a: F.interpolate(a, scale_factor=2, mode="nearest")),
    upsample("upsample_nearest_ragged", x2, (7, 3), "nearest",
             lambda a: F.interpolate(a, size=(7, 3), mode="nearest")),
    upsample("upsample_bilinear", x2, (9, 7), "bilinear",
             lambda a: F.interpolate(a, size=(9, 7), mode="bilinear",
                                     align_corners=False)),
    upsample("upsample_bilinear_x3", x2, (12, 15), "bilinear",
             lambda a: F.interpolate(a, scale_factor=3, mode="bilinear",
                                     align_corners=False)),
    upsample("upsample_bilinear_down", x2, (3, 2), "bilinear",
             lambda a: F.interpolate(a, size=(3, 2), mode="bilinear",
                                     align_corners=False)),
    upsample("upsample_bilinear_align", x2, (7, 9), "bilinear",
             lambda a: F.interpolate(a, size=(7, 9), mode="bilinear",
                                     align_corners=True), align=True),
    upsample("upsample_bilinear_align_single", x2, (1, 3), "bilinear",
             lambda a: F.interpolate(a, size=(1, 3), mode="bilinear",
                                     align_corners=True), align=True),
    pad("pad_constant_crop", R(3, 4, 5), [1, 0, 2, 0, 3, -1], "constant",
        lambda a: F.pad(a, (2, -1, 0, 3, 1, 0), value=1.5), value=1.5),
    pad("pad_reflect", R(2, 3, 5, 6), [0, 0, 2, 1, 0, 0, 3, 4], "reflect",
        lambda a: F.pad(a, (1, 4, 2, 3), mode="reflect")),
    pad("pad_reflect_crop", R(2, 3, 5, 6), [0, 0, -1, 2, 0, 0, 3, -2],
        "reflect",
        lambda a: F.pad(a[..., 1:, :-2], (2, 0, 0, 3), mode="reflect")),
    pad("pad_edge", R(2, 3, 5, 6), [0, 0, 3, 0, 0, 0, 1, 2], "edge",
        lambda a: F.pad(a, (0, 2, 3, 1), mode="replicate")),
    pad("pad_edge_single_row_crop", R(2, 3, 1, 4), [0, 0, 2, -1, 0, 0, 3, 2],
        "edge", lambda a: F.pad(a[..., 1:], (0, 2, 2, 3), mode="replicate")),
    pool("max_pool2d_ceil", "max_pool2d", img, (2, 3, 6, 6),
         "kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, "
         "padding = array<i64: 1, 1, 1, 1>, ceil_mode",
         lambda a: F.max_pool2d(a, 3, 2, 1, ceil_mode=True)),
    # ceil_mode's extra window would start in the bottom padding: dropped.
    pool("max_pool2d_ceil_dropped", "max_pool2d", R(2, 3, 5, 5), (2, 3, 2, 2),
         "kernel_size = array<i64: 3, 3>, strides = array<i64: 3, 3>, "
         "padding = array<i64: 1, 1, 1, 1>, ceil_mode",
         lambda a: F.max_pool2d(a, 3, 3, 1, ceil_mode=True)),
    pool("max_pool2d_dilation", "max_pool2d", R(2, 3, 11, 11), (2, 3, 5, 5),
         "kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, "
         "padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 2, 2>",
         lambda a: F.max_pool2d(a, 3, 2, 1, dilation=2)),
    pool("max_pool2d_dilation_ceil", "max_pool2d", img, (2, 3, 6, 6),
         "kernel_size = array<i64: 2, 3>, strides = array<i64: 2, 2>, "
         "padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 2, 1>, "
         "ceil_mode",
         lambda a: F.max_pool2d(a, (2, 3), 2, 1, dilation=(2, 1),
                                ceil_mode=True)),
    pool("avg_pool2d_ceil", "avg_pool2d", img, (2, 3, 6, 6),
         "kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, "
         "padding = array<i64: 1, 1, 1, 1>, ceil_mode",
         lambda a: F.avg_pool2d(a, 3, 2, 1, ceil_mode=True)),
    pool("avg_pool2d_ceil_exclude_pad", "avg_pool2d", img, (2, 3, 6, 6),
         "kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, "
         "padding = array<i64: 1, 1, 1, 1>, count_include_pad = false, "
         "ceil_mode",
         lambda a: F.avg_pool2d(a, 3, 2, 1, ceil_mode=True,
                                count_include_pad=False)),
    pool("avg_pool2d_ceil_no_pad", "avg_pool2d", R(2, 3, 7, 8), (2, 3, 3, 3),
         "kernel_size = array<i64: 3, 3>, ceil_mode",
         lambda a: F.avg_pool2d(a, 3, ceil_mode=True)),
    adaptive("adaptive_avg_pool2d", R(2, 3, 7, 9), (3, 4)),
    adaptive("adaptive_avg_pool2d_grow", R(2, 3, 5, 3), (7, 2)),
    adaptive("adaptive_avg_pool2d_global", R(2, 3, 7, 7), (1, 1)),
]


# One case per op and lowering path for the targets that only compile here.
COMPILE_ONLY = {"conv_transpose2d", "conv_transpose2d_output_padding_dilation",
                "conv2d_backward_input", "upsample_nearest_ragged",
                "upsample_bilinear", "pad_constant_crop", "pad_reflect",
                "pad_edge", "max_pool2d_dilation_ceil",
                "avg_pool2d_ceil", "adaptive_avg_pool2d"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_conv_op_forward_and_gradient_match_torch(case, target, tmp_path):
    run_case(case, tmp_path, target)


@pytest.mark.parametrize("gpu", ["cuda", "rocm", "level-zero"])
@pytest.mark.parametrize("case", [c for c in CASES if c.name in COMPILE_ONLY],
                         ids=lambda c: c.name)
def test_conv_op_compiles_for_targets_without_a_device_here(case, gpu,
                                                           tmp_path):
    """The train step compiles for the GPU targets that cannot run here
    (the Vulkan build of the same lowering runs above)."""
    src = model_source(case.inputs, case.op, case.out_shape)
    artifact = runtime.compile_model(src, tmp_path / f"{case.name}.hetc",
                                     f"--target={gpu}")
    assert artifact.stat().st_size > 0
