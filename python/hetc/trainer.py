"""Trainer: builds, compiles and runs a model's training step."""
import json
import warnings

import numpy as np

from ._hetc import Device, Session
from .graph import Graph
from . import manifest as manifest_schema
from .hyper import param_groups

__all__ = ["Trainer", "build_source"]


def _is_size(d):
    return isinstance(d, int) and not isinstance(d, bool) and d > 0


def check_input_shape(input_shape):
    """Positive integers, the leading (batch) one possibly None."""
    shape = tuple(input_shape)
    if not shape or not all(_is_size(d) for d in shape[1:]) or not (
            shape[0] is None or _is_size(shape[0])):
        raise ValueError(f"input shape {shape} must be positive integers; "
                         "only the leading (batch) dimension may be None "
                         "(any batch size)")
    return shape


def build_source(model, input_shape, loss, input_dtype="f32"):
    """The hetc dialect text of `model` on inputs of `input_shape`."""
    input_shape = check_input_shape(input_shape)
    if input_shape[0] is None:
        raise ValueError(f"input shape {input_shape}: build_source needs a "
                         "batch size")
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


#: The checkpoint blob holding a Python trainer's own progress.
TRAINER_BLOB = "hetc.trainer"


def read_trainer_blob(session, path, seed_names):
    """The trainer state a loaded checkpoint carries ({"seed",
    "seed_counter", ...}), or None when it has none (saved by hetc-train or
    an older hetc); a model with dropout then warns, since its masks restart
    from the trainer's own seed."""
    blob = session.get_checkpoint_blob(TRAINER_BLOB)
    if blob is None:
        if seed_names:
            warnings.warn(f"checkpoint '{path}' holds no trainer state: the "
                          "dropout masks restart from this trainer's seed "
                          "instead of continuing the saved run's")
        return None
    try:
        state = json.loads(blob)
        int(state["seed"]), int(state["seed_counter"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"checkpoint '{path}': its {TRAINER_BLOB} state "
                         f"is malformed ({error})") from None
    return state


class Trainer:
    """Compiles `model` with `loss` and `optimizer` and trains it.

        trainer = hetc.Trainer(model, (None, 64), hetc.nn.CrossEntropyLoss(),
                               hetc.optim.SGD(lr=0.1))
        loss = trainer.step(x, labels)

    Any batch size works: each one seen (a step or an evaluation) is compiled
    once, as a variant attached to the one session, so parameters and
    optimizer state stay on the device. A leading None defers the first
    compilation to the first batch; a fixed batch compiles it now.
    """

    def __init__(self, model, input_shape, loss, optimizer, target="cpu",
                 seed=0, input_dtype="f32", clip_grad_norm=None,
                 nan_guard=False, accumulation_steps=1, reproducible=False):
        input_shape = check_input_shape(input_shape)
        # Rebuilt from the same layers for every further batch size.
        self._rebuild = lambda batch: build_source(
            model, (batch,) + input_shape[1:], loss, input_dtype)[0]
        self._pending = (optimizer, target, seed, clip_grad_norm, nan_guard,
                         accumulation_steps, reproducible)
        self.training = True
        if input_shape[0] is not None:
            self._start(input_shape[0])

    @classmethod
    def from_mlir(cls, source, optimizer, target="cpu", seed=0, params=None,
                  clip_grad_norm=None, nan_guard=False,
                  accumulation_steps=1, reproducible=False):
        """A trainer for a model written (or imported) as hetc MLIR text;
        `params` optionally gives initial parameter values by name."""
        trainer = cls.__new__(cls)
        # Other batch sizes: the same module through hetc-rebatch.
        trainer._rebuild = None
        trainer.training = True
        trainer._setup(source, optimizer, target, seed, clip_grad_norm,
                       nan_guard, accumulation_steps, reproducible)
        if params:
            trainer.load_state_dict(params)
        return trainer

    def _start(self, batch):
        """Compiles the first batch size and opens the session."""
        self._setup(self._rebuild(batch), *self._pending)

    def _setup(self, source, optimizer, target, seed, clip_grad_norm=None,
               nan_guard=False, accumulation_steps=1, reproducible=False):
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
        self._options = (target, options, reproducible)
        self.artifact = compile_source(source, target=target,
                                       optimizer=options,
                                       reproducible=reproducible)
        self.session = Session(self.artifact, Device(target), seed)
        manifest = manifest_schema.parse(self.artifact.manifest)
        # torch-style groups over the runtime hyper-parameters.
        self._param_groups = param_groups(self.session, manifest)
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
        self._seed, self._seed_counter = seed, seed * 1000003
        shape = next(a["shape"] for a in args if a["name"] == data[0])
        self._row_shape = tuple(shape[1:])
        self._batches = {shape[0]} if shape else set()
        label = next(a for a in args if a["role"] == "label")
        self._label_spec = (tuple(label["shape"][1:]), label["dtype"])
        self._main_batch = shape[0] if shape else None

    @property
    def batch_size(self):
        """The first compiled batch size (fit's default), or None before
        a (None, ...) trainer has seen a batch."""
        return getattr(self, "_main_batch", None)

    @property
    def param_groups(self):
        """torch-style groups over the runtime hyper-parameters (a
        scheduler drives them)."""
        self._session()
        return self._param_groups

    def _ensure_batch(self, x):
        """Compiles x's batch size into the session the first time."""
        shape = tuple(np.shape(x))
        if not hasattr(self, "session"):
            if not shape:
                raise ValueError("the input needs a leading batch dimension")
            self._start(shape[0])
        if not shape or shape[1:] != self._row_shape:
            raise ValueError(f"'{self.input_name}' has shape {shape}; the "
                             f"model takes (batch,) + {self._row_shape}")
        batch = shape[0]
        if batch in self._batches:
            return
        from . import compile as compile_source
        target, options, reproducible = self._options
        if self._rebuild is not None:
            artifact = compile_source(self._rebuild(batch), target=target,
                                      optimizer=options,
                                      reproducible=reproducible)
        else:
            artifact = compile_source(self.source, target=target,
                                      optimizer=options,
                                      batch_sizes=[batch],
                                      reproducible=reproducible)
        self.session.add_artifact(artifact)
        self._batches.add(batch)

    def _session(self):
        """The session, compiled for a batch of 1 when no batch was seen
        yet (state access before the first step)."""
        if not hasattr(self, "session"):
            self._start(1)
        return self.session

    def _inputs(self, x, labels):
        inputs = {self.input_name: x, self.label_name: labels}
        for name in self.seed_names:
            self._seed_counter += 1
            inputs[name] = np.array(self._seed_counter, np.int64)
        return inputs

    def step(self, x, labels):
        """One training step; returns the loss."""
        return self._fit_step(x, labels)[0]

    # ----- modes, as torch.nn.Module's
    def train(self, mode=True):
        """Train mode (the default): step() runs train_step. Returns self."""
        self.training = bool(mode)
        return self

    def eval(self):
        """Eval mode: calling the trainer runs the eval entry (no dropout,
        running statistics); step() is refused until train()."""
        return self.train(False)

    def forward(self, x):
        """The model's eval-mode output on `x`; needs eval mode, since the
        training forward is compiled only into train_step."""
        if self.training:
            raise RuntimeError(
                "forward in train mode: hetc compiles the training-mode "
                "forward only into train_step; call trainer.eval() for "
                "inference, or trainer.step(x, labels) to train")
        self._ensure_batch(x)
        rows, dtype = self._label_spec
        dummy = np.zeros((np.shape(x)[0],) + rows,
                         np.int32 if dtype == "i32" else
                         np.int64 if dtype == "i64" else np.float32)
        return self.evaluate(x, dummy)[1]

    __call__ = forward

    def fit(self, train_data, epochs=1, **options):
        """Trains for `epochs` over `train_data`; see hetc.fit.fit."""
        from .fit import fit
        return fit(self, train_data, epochs, **options)

    def _fit_step(self, x, labels):
        if not self.training:
            raise RuntimeError(
                "step() in eval mode: hetc compiles the training step in "
                "train mode (dropout, batch statistics); call "
                "trainer.train() first")
        self._ensure_batch(x)
        loss, outputs = self.session.train_step(**self._inputs(x, labels))
        if "grad_norm" in outputs:
            # The total norm before clipping, as clip_grad_norm_ returns it.
            self.grad_norm = float(outputs["grad_norm"])
        return loss, outputs.get("output0")

    def _fit_evaluate(self, x, labels):
        return self.evaluate(x, labels)

    def evaluate(self, x, labels):
        """Returns (loss, model output) in eval mode (no dropout, running
        statistics), without updating anything."""
        self._ensure_batch(x)
        inputs = {self.input_name: x, self.label_name: labels}
        loss, outputs = self.session.run("eval", **inputs)
        return loss, outputs["output0"]

    def state_dict(self):
        """Parameters and buffers (running statistics) by name, as torch's
        state_dict names them."""
        session = self._session()
        return {name: session.get(name)
                for name in self.param_names + self.buffer_names}

    def load_state_dict(self, state):
        """Loads parameters and buffers by name (a torch state_dict works:
        BatchNorm's num_batches_tracked is skipped, as hetc.nn's BatchNorm
        uses a fixed momentum and never reads the counter)."""
        session = self._session()
        names = set(self.param_names + self.buffer_names)
        counter = "num_batches_tracked"
        for name, value in state.items():
            if name not in names and name.endswith(counter) and \
                    name[:-len(counter)] + "running_mean" in names:
                continue
            session.set(name, np.asarray(value, np.float32))

    def fingerprint(self):
        """SHA-256 of the training state as 64 hex digits: the session's
        (Session.fingerprint) with the trainer's seed and the number of
        dropout seeds it has drawn as the RNG state."""
        session = self._session()
        return session.fingerprint(
            self._seed, self._seed_counter - self._seed * 1000003)

    def save(self, path):
        """Saves a checkpoint: the session's state and, inside the same
        file, the trainer's dropout-seed sequence, so that a loaded trainer
        draws the masks an uninterrupted one would."""
        session = self._session()
        session.set_checkpoint_blob(TRAINER_BLOB, json.dumps(
            {"seed": self._seed, "seed_counter": self._seed_counter}).encode())
        session.save_checkpoint(str(path))

    def load(self, path):
        session = self._session()
        session.load_checkpoint(str(path))
        state = read_trainer_blob(session, path, self.seed_names)
        if state:
            self._seed = state["seed"]
            self._seed_counter = state["seed_counter"]
