"""hetc: compile a model's training step and run it on any device.

    import hetc, numpy as np
    artifact = hetc.compile_file("examples/mlp_digits.mlir",
                                 optimizer={"optimizer": "sgd", "lr": 0.1})
    session = hetc.Session(artifact, hetc.Device("cpu"), seed=0)
    loss, outputs = session.train_step(x=x_batch, labels=y_batch)
"""
import pathlib

from ._hetc import (Artifact, BuildError, Device, Error, Session,
                    compile as _compile)

__all__ = ["Artifact", "BuildError", "Device", "Error", "Session", "Trainer", "compile",
           "compile_file", "import_onnx", "nn", "optim", "OnnxImportError",
           "verify", "VerifyError"]


def _batch_sizes(sizes):
    sizes = list(sizes or [])
    if any(not isinstance(n, int) or isinstance(n, bool) or n <= 0
           for n in sizes):
        raise ValueError(f"batch_sizes {sizes} must be positive integers")
    return sizes


def compile(source, target="cpu", chip="", entry="", eval_only=False,
            optimizer=None, batch_sizes=None, reproducible=False,
            debug_intermediates=False, test_perturb_op=""):
    """Compiles MLIR text in the hetc dialect; returns an Artifact.
    `batch_sizes` (e.g. [64, 29]): the first is the main entries', each
    further one a variant the session picks by the inputs' shapes.
    `reproducible=True` compiles the bit-reproducible mode: the same
    results, bit for bit, on every target (docs/reproducibility.md).
    `debug_intermediates` adds train_step_debug for hetc.verify;
    `test_perturb_op` (TEST ONLY) plants a one-ULP divergence in the op it
    names (hetc-compile --test-perturb-op)."""
    return Artifact(_compile(source, target, chip, entry, eval_only,
                             dict(optimizer or {}), "<string>",
                             _batch_sizes(batch_sizes), bool(reproducible),
                             debug_intermediates, test_perturb_op))


def compile_file(path, target="cpu", chip="", entry="", eval_only=False,
                 optimizer=None, batch_sizes=None, reproducible=False,
                 debug_intermediates=False, test_perturb_op=""):
    """Compiles a .mlir file; diagnostics name the file."""
    path = pathlib.Path(path)
    return Artifact(_compile(path.read_text(), target, chip, entry, eval_only,
                             dict(optimizer or {}), str(path),
                             _batch_sizes(batch_sizes), bool(reproducible),
                             debug_intermediates, test_perturb_op))


from . import nn, optim  # noqa: E402
from .onnx_import import ImportError_ as OnnxImportError  # noqa: E402
from .onnx_import import import_onnx  # noqa: E402
from .trainer import Trainer  # noqa: E402
from .verifier import VerifyError, verify  # noqa: E402
