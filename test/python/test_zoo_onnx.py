"""The model zoo through ONNX: each model is exported with torch.onnx.export
(training mode, no constant folding) at opsets 13 to 17, imported, and
trained ten steps with SGD with momentum and ten with Adam from the same
weights as torch; the losses must equal torch's at every step (rtol 1e-4).
Models with BatchNorm also compare their running statistics after training
and the eval entry (the imported eval-mode twin) with torch's eval().

Dropout: hetc's mask is its own counter-based hash, not torch's RNG, so
models with dropout are exported and trained with p forced to 0 (their
Dropout nodes still import; the mask itself is checked in test_ops).

Models needing a hetc op the graph builder does not have yet are xfail,
naming the op; the mark lifts by itself when the op lands.
"""
import io
import sys
import warnings

import numpy as np
import pytest
import torch

import runtime
import zoo

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
from hetc.graph import Graph  # noqa: E402

OPSETS = [13, 14, 15, 16, 17]
STEPS = 10

# Model -> the graph-builder op its import needs beyond the common ones.
NEEDS = {"autoencoder_transposed": "conv_transpose2d",
         "autoencoder_upsample": "upsample"}


def _missing(op):
    return not hasattr(Graph("probe")._b, op)


def export(entry, opset, seed=0):
    torch.manual_seed(seed)
    model = entry.make()
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0  # see the module docstring
    model.train()
    x, _ = entry.batch(np.random.default_rng(0))
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.tensor(x), f, input_names=["x"],
                          training=torch.onnx.TrainingMode.TRAINING,
                          do_constant_folding=False, opset_version=opset)
    return model, f.getvalue()


def frozen_names(model):
    """torch buffers and parameters that are not trained."""
    names = [n for n, _ in model.named_buffers()]
    return names + [n for n, p in model.named_parameters()
                    if not p.requires_grad]


def train_both(entry, model, onnx_bytes, optimizer, target="cpu"):
    imported = hetc.import_onnx(onnx_bytes, loss=entry.loss,
                                frozen=frozen_names(model))
    hetc_opt, torch_opt = optimizer
    trainer = hetc.Trainer.from_mlir(imported.source, hetc_opt,
                                     target=target, params=imported.state)
    reference = torch_opt([p for p in model.parameters()
                           if p.requires_grad])
    rng = np.random.default_rng(1)
    for step in range(STEPS):
        x, y = entry.batch(rng)
        labels = y.astype(np.int32) if entry.loss == "cross_entropy" else y
        loss = trainer.step(x, labels)
        reference.zero_grad()
        expected = entry.torch_loss(model(torch.tensor(x)), torch.tensor(y))
        expected.backward()
        reference.step()
        assert loss == pytest.approx(expected.item(), rel=1e-4), (
            f"{entry.name}: step {step}")
    return imported, trainer, rng


OPTIMIZERS = {
    "sgd": (hetc.optim.SGD(lr=0.05, momentum=0.9),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "adam": (hetc.optim.Adam(lr=0.01),
             lambda p: torch.optim.Adam(p, lr=0.01)),
}


def _cases():
    for entry in zoo.ZOO:
        op = NEEDS.get(entry.name)
        marks = [pytest.mark.xfail(_missing(op), reason=f"needs hetc's {op}"
                                   " in the graph builder", strict=True)
                 ] if op else []
        for opset in OPSETS:
            yield pytest.param(entry.name, opset, id=f"{entry.name}-{opset}",
                               marks=marks)


@pytest.mark.parametrize("name,opset", list(_cases()))
def test_zoo_trains_like_torch(name, opset):
    entry = zoo.BY_NAME[name]
    for optimizer in OPTIMIZERS.values():
        model, onnx_bytes = export(entry, opset)
        imported, trainer, rng = train_both(entry, model, onnx_bytes,
                                            optimizer)
        if imported.eval_function is None:
            continue
        # BatchNorm: the running statistics moved as torch's, and the eval
        # entry is torch's eval().
        for name_ in imported.buffers:
            np.testing.assert_allclose(
                trainer.session.get(name_),
                dict(model.named_buffers())[name_].detach().numpy(),
                rtol=1e-4, atol=1e-5, err_msg=name_)
        x, y = entry.batch(rng)
        labels = y.astype(np.int32) if entry.loss == "cross_entropy" else y
        _, output = trainer.evaluate(x, labels)
        model.eval()
        with torch.no_grad():
            expected = model(torch.tensor(x)).numpy()
        np.testing.assert_allclose(output, expected, rtol=1e-4, atol=1e-5)
