"""Trainer: builds, compiles and runs a model's training step."""
import json

import numpy as np

from ._hetc import Device, Session
from .graph import Graph
from .hyper import param_groups

__all__ = ["Trainer", "build_source"]


def build_source(model, input_shape, loss, input_dtype="f32"):
    """The hetc dialect text of `model` on inputs of `input_shape`."""
    if any(not isinstance(d, int) or isinstance(d, bool) or d <= 0
           for d in input_shape):
        raise ValueError(f"input shape {tuple(input_shape)} must be positive "
                         "integers")
    g = Graph("model")

    def emit(training):
        # The same layers twice: train mode for train_step (batch
        # statistics, dropout) and eval mode for the eval entry.
        g.training = training
        x = g.input("x", list(input_shape), input_dtype)
        output = model(g, x, "")
        labels = loss.label(g, output)
        g.end_function([loss.emit(g, output, labels), output])

    emit(True)
    g.begin_function("model_eval", eval_of="model")
    emit(False)
    return g.mlir(), g.seeds


class Trainer:
    """Compiles `model` with `loss` and `optimizer` for one batch shape.

        trainer = hetc.Trainer(model, (32, 64), hetc.nn.CrossEntropyLoss(),
                               hetc.optim.SGD(lr=0.1))
        loss = trainer.step(x, labels)
    """

    def __init__(self, model, input_shape, loss, optimizer, target="cpu",
                 seed=0, input_dtype="f32", clip_grad_norm=None,
                 nan_guard=False, accumulation_steps=1):
        source, _ = build_source(model, tuple(input_shape), loss, input_dtype)
        self._setup(source, optimizer, target, seed, clip_grad_norm,
                    nan_guard, accumulation_steps)

    @classmethod
    def from_mlir(cls, source, optimizer, target="cpu", seed=0, params=None,
                  clip_grad_norm=None, nan_guard=False,
                  accumulation_steps=1):
        """A trainer for a model written (or imported) as hetc MLIR text;
        `params` optionally gives initial parameter values by name."""
        trainer = cls.__new__(cls)
        trainer._setup(source, optimizer, target, seed, clip_grad_norm,
                       nan_guard, accumulation_steps)
        if params:
            trainer.load_state_dict(params)
        return trainer

    def _setup(self, source, optimizer, target, seed, clip_grad_norm=None,
               nan_guard=False, accumulation_steps=1):
        from . import compile as compile_source
        self.source = source
        options = dict(optimizer.options)
        if clip_grad_norm is not None:
            # torch.nn.utils.clip_grad_norm_(params, max_norm), compiled in.
            options["max_grad_norm"] = clip_grad_norm
        if nan_guard:
            # A step whose loss or gradients are not finite changes nothing
            # and raises, naming the tensor.
            options["nan_guard"] = True
        if accumulation_steps != 1:
            # Each step is a micro-batch; every k-th one updates.
            options["accumulate"] = accumulation_steps
        self.artifact = compile_source(source, target=target,
                                       optimizer=options)
        self.session = Session(self.artifact, Device(target), seed)
        manifest = json.loads(self.artifact.manifest)
        # torch-style groups over the runtime hyper-parameters.
        self.param_groups = param_groups(self.session, manifest)
        self.grad_norm = None
        eval_entry = next(e for e in manifest["entries"]
                          if e["name"] == "eval")
        args = eval_entry["args"]
        self.param_names = [a["name"] for a in args if a["role"] == "param"]
        self.buffer_names = [a["name"] for a in args
                             if a["role"] == "buffer"]
        train_entry = next((e for e in manifest["entries"]
                            if e["name"] == "train_step"), eval_entry)
        args = train_entry["args"]
        self.seed_names = [a["name"] for a in args if a["role"] == "input"
                           and a["name"].startswith("dropout_seed")]
        data = [a["name"] for a in args if a["role"] == "input"
                and a["name"] not in self.seed_names]
        labels = [a["name"] for a in args if a["role"] == "label"]
        if len(data) != 1 or len(labels) != 1:
            raise ValueError("Trainer feeds models with one input and one "
                             f"label; this one has {data} and {labels}")
        self.input_name, self.label_name = data[0], labels[0]
        self._seed_counter = seed * 1000003

    def _inputs(self, x, labels):
        inputs = {self.input_name: x, self.label_name: labels}
        for name in self.seed_names:
            self._seed_counter += 1
            inputs[name] = np.array(self._seed_counter, np.int64)
        return inputs

    def step(self, x, labels):
        """One training step; returns the loss."""
        loss, outputs = self.session.train_step(**self._inputs(x, labels))
        if "grad_norm" in outputs:
            # The total norm before clipping, as clip_grad_norm_ returns it.
            self.grad_norm = float(outputs["grad_norm"])
        return loss

    def evaluate(self, x, labels):
        """Returns (loss, model output) in eval mode (no dropout, running
        statistics), without updating anything."""
        inputs = {self.input_name: x, self.label_name: labels}
        loss, outputs = self.session.run("eval", **inputs)
        return loss, outputs["output0"]

    def state_dict(self):
        """Parameters and buffers (running statistics) by name, as torch's
        state_dict names them."""
        return {name: self.session.get(name)
                for name in self.param_names + self.buffer_names}

    def load_state_dict(self, state):
        for name, value in state.items():
            self.session.set(name, np.asarray(value, np.float32))

    def save(self, path):
        self.session.save_checkpoint(str(path))

    def load(self, path):
        self.session.load_checkpoint(str(path))
