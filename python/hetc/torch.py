"""hetc.torch: train an unchanged torch.nn.Module on hetc.

    import hetc.torch
    trainer = hetc.torch.compile(model, F.cross_entropy, optimizer,
                                 example_inputs=x, example_labels=y)
    for x, y in loader:
        loss = trainer.step(x, y)            # torch tensors or numpy arrays
    logits = trainer.eval_forward(x)         # torch's eval() semantics

Capture: torch.fx's make_fx traces a function of (parameters, buffers,
inputs, labels) that calls the module through functional_call and the loss,
once with the module in training mode (the train step) and once in eval mode
(the eval entry). The ATen graphs are mapped op by op (hetc.torch_ops) onto
hetc.graph.Graph; every op is located at its module's forward with the module
path as scope. Parameters with requires_grad are trained; frozen parameters
and buffers are state that is never trained; in-place buffer updates in
forward (BatchNorm's running statistics) are written back after each step;
integer step counters (num_batches_tracked) are counted on the host.

State names are the module's state_dict keys, so trainer.state_dict() loads
into the module, and the module is kept in sync both ways: after each step
the new values are copied into its tensors, and tensors the user changed
(tensor._version) are pushed before the next step.
"""
import contextlib
import inspect
import json as _json
import operator
import pathlib
from collections import OrderedDict

import numpy as np
import torch  # the real torch: this module is hetc.torch, imports are absolute
import torch.fx
from torch.fx.experimental.proxy_tensor import make_fx

from . import _hetc
from .graph import Graph, Value
from . import manifest as manifest_schema
from .trainer import TRAINER_BLOB as _TRAINER_BLOB
from .trainer import read_trainer_blob as _read_trainer_blob
from .hyper import param_groups as _param_groups
from .optim import group_option as _group_option
from .torch_ops import TABLE, HINTS, DropoutMask, Unsupported

__all__ = ["compile", "TorchTrainer", "UnsupportedError", "SUPPORTED_OPS"]

SUPPORTED_OPS = sorted(TABLE)

_TORCH_DTYPES = {torch.float32: "f32", torch.float16: "f16",
                 torch.bfloat16: "bf16", torch.int64: "i64",
                 torch.int32: "i32", torch.bool: "i1"}
_NUMPY = {"f32": np.float32, "f16": np.float16, "i64": np.int64,
          "i32": np.int32, "i1": np.bool_}

# Ops that return a view of their first operand (aliasing analysis).
_VIEWS = {"view", "_unsafe_view", "_reshape_alias", "reshape", "t",
          "transpose", "permute", "expand", "slice", "select", "unsqueeze",
          "squeeze", "flatten", "as_strided", "unflatten", "view_as",
          "diagonal", "narrow", "unfold", "expand_as", "numpy_T"}
_IDENTITIES = {"detach", "alias", "lift_fresh"}
_PARTS = {"split", "unsafe_split", "split_with_sizes",
          "unsafe_split_with_sizes", "unbind", "chunk"}
# In-place ops that only change a tensor's view of its storage.
_METADATA_INPLACE = {"transpose_", "t_", "squeeze_", "unsqueeze_",
                     "as_strided_", "resize_"}
_RANDOM = ("rand", "randn", "randint", "bernoulli", "normal", "uniform",
           "multinomial", "exponential", "randperm", "dropout", "empty")


class UnsupportedError(_hetc.Error, NotImplementedError):
    """The model uses an op, module or option hetc.torch cannot express
    exactly; the message names it, the module path and an alternative."""


def _functional_call():
    func = getattr(torch, "func", None)
    if func is not None and hasattr(func, "functional_call"):
        return func.functional_call
    from torch.nn.utils import stateless
    return stateless.functional_call


def _hetc_dtype(dtype, what):
    if dtype not in _TORCH_DTYPES:
        hint = " (call .float() on it)" if dtype == torch.float64 else ""
        raise UnsupportedError(f"{what} has dtype {dtype}, which hetc does "
                               f"not support{hint}")
    return _TORCH_DTYPES[dtype]


def _as_tuple(x):
    if x is None:
        return ()
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _to_torch(x):
    if isinstance(x, torch.Tensor):
        return x.detach()
    return torch.from_numpy(np.asarray(x, order="C"))


def _to_numpy(x, dtype):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, order="C")  # (ascontiguousarray makes 0-d arrays 1-d)
    if x.dtype != np.dtype(dtype):
        if np.issubdtype(x.dtype, np.integer) and np.issubdtype(
                np.dtype(dtype), np.integer):
            if x.size and (x.min() < np.iinfo(dtype).min or
                           x.max() > np.iinfo(dtype).max):
                raise ValueError(f"integer values do not fit {dtype}")
        elif not (x.dtype == np.float64 and dtype == np.float32):
            raise TypeError(f"expected a {np.dtype(dtype)} array, got "
                            f"{x.dtype}")
        x = x.astype(dtype)
    return x


# --- optimizer -------------------------------------------------------------------

def _optimizer_options(optimizer, trainable, frozen):
    """torch.optim settings -> hetc-train-step options; refuses what hetc
    cannot honour."""
    kind = type(optimizer).__name__
    groups = optimizer.param_groups
    if not groups:
        raise UnsupportedError("the optimizer has no parameter groups")
    base = {k: v for k, v in groups[0].items() if k != "params"}
    # Groups differ in runtime hyper-parameters only; the rest is compiled.
    # Keys that are not the optimizer's (a scheduler's initial_lr) do not
    # matter.
    for i, group in enumerate(groups[1:], 1):
        for key, value in group.items():
            if (key in optimizer.defaults and key not in _RUNTIME_KEYS and
                    base.get(key) != value):
                raise UnsupportedError(
                    f"optimizer param_groups[{i}] sets {key}={value!r} but "
                    f"param_groups[0] has {base.get(key)!r}: hetc compiles "
                    f"{key} once for every group")
    covered = {id(p) for g in groups for p in g["params"]}
    by_id = {id(t): name for name, t in trainable}
    for name, t in trainable:
        if id(t) not in covered:
            raise UnsupportedError(
                f"parameter '{name}' requires grad but is not in the "
                "optimizer: hetc would train it (set requires_grad=False to "
                "freeze it)")
    frozen = {id(p) for p in frozen}
    for i in covered:
        if i not in by_id and i not in frozen:
            raise UnsupportedError("the optimizer holds a tensor that is not "
                                   "a parameter of the model")
    if any(len(s) for s in optimizer.state.values()):
        raise UnsupportedError(
            "the optimizer already has state (it has stepped): hetc starts "
            "momentum and moments from zero; pass a fresh optimizer")

    def refuse(key, bad, why):
        if key in base and bad(base[key]):
            raise UnsupportedError(f"{kind}({key}={base[key]!r}) is not "
                                   f"supported: {why}")

    refuse("maximize", bool, "hetc minimizes the loss")
    refuse("differentiable", bool, "no gradient through the update")
    lr = float(base["lr"])
    if isinstance(optimizer, torch.optim.SGD):
        # Momentum state exists when some group starts with momentum.
        momentum = max(float(g.get("momentum", 0.0)) for g in groups)
        if momentum > 0 and float(base.get("momentum", 0.0)) == 0:
            base["momentum"] = momentum
        refuse("dampening", lambda v: v != 0, "use dampening=0")
        return {"optimizer": "sgd", "lr": lr,
                "momentum": float(base.get("momentum", 0.0)),
                "nesterov": bool(base.get("nesterov", False)),
                "weight_decay": float(base.get("weight_decay", 0.0))}
    name = ("adamw" if isinstance(optimizer, torch.optim.AdamW) else
            "adam" if isinstance(optimizer, torch.optim.Adam) else None)
    if name is None:
        raise UnsupportedError(f"optimizer {kind} is not supported: use "
                               "torch.optim.SGD, Adam or AdamW")
    refuse("amsgrad", bool, "use amsgrad=False")
    refuse("capturable", bool, "use capturable=False")
    beta1, beta2 = base.get("betas", (0.9, 0.999))
    return {"optimizer": name, "lr": lr, "beta1": float(beta1),
            "beta2": float(beta2), "eps": float(base.get("eps", 1e-8)),
            "weight_decay": float(base.get("weight_decay", 0.0))}


# Keys of a torch param group that are hetc runtime hyper-parameters.
_RUNTIME_KEYS = ("lr", "weight_decay", "momentum", "betas", "eps")


def _glob_escape(name):
    return "".join("\\" + c if c in "\\[]*?{}" else c for c in name)


def _group_specs(optimizer, names):
    """hetc.optim-style groups of the torch optimizer's param_groups, over
    the parameters hetc trains (`names`: id(tensor) -> name), and for each
    torch group its hetc group index (None when it trains nothing here)."""
    sgd = isinstance(optimizer, torch.optim.SGD)
    keys = ("lr", "weight_decay") + (("momentum",) if sgd else
                                     ("betas", "eps"))
    specs, index = [], []
    for group in optimizer.param_groups:
        params = [names[id(p)] for p in group["params"] if id(p) in names]
        if not params:
            index.append(None)
            continue
        index.append(len(specs))
        spec = {"params": [_glob_escape(n) for n in params]}
        spec.update({k: group[k] for k in keys if k in group})
        specs.append(spec)
    return specs, index


# --- capture -----------------------------------------------------------------------

class _Scopes:
    """Records each traced op's module (path, forward's file and line) in
    the node's stack_trace, through module hooks and torch.fx.traceback."""

    def __init__(self, model):
        self.names = {id(m): name for name, m in model.named_modules()}
        # Entries are made now: functional_call swaps the classes later.
        self.entries = {id(m): self.entry(m, name)
                        for name, m in model.named_modules()}
        self.stack = []
        self.handles = []
        tb = torch.fx.traceback
        self.enabled = all(hasattr(tb, n) for n in
                           ("override_stack_trace", "set_stack_trace"))

    @staticmethod
    def entry(module, path):
        try:
            fn = type(module).forward
            file = inspect.getsourcefile(fn) or "<torch>"
            line = inspect.getsourcelines(fn)[1]
        except (OSError, TypeError):
            file, line = "<torch>", 0
        # The root module's own ops are scoped by its class name.
        return f"hetc-scope\t{file}\t{line}\t{path or type(module).__name__}"

    def _set(self):
        top = self.stack[-1] if self.stack else "hetc-scope\t\t0\t"
        torch.fx.traceback.set_stack_trace([top])

    def _pre(self, module, inputs):
        path = self.names.get(id(module))
        if path is not None:
            self.stack.append(self.entries[id(module)])
            self._set()

    def _post(self, module, inputs, output):
        if self.names.get(id(module)) is not None and self.stack:
            self.stack.pop()
            self._set()

    @contextlib.contextmanager
    def __call__(self):
        if not self.enabled:
            yield
            return
        hooks = torch.nn.modules.module
        self.handles = [hooks.register_module_forward_pre_hook(self._pre),
                        hooks.register_module_forward_hook(self._post)]
        try:
            with torch.fx.traceback.override_stack_trace():
                self._set()
                yield
        finally:
            for h in self.handles:
                h.remove()
            self.stack = []


def _capture(model, loss_fn, state, inputs, labels, train):
    """make_fx of (state..., inputs..., labels...) -> (loss, outputs...)."""
    names = [n for n, _ in state]
    call = _functional_call()
    n_state, n_in = len(state), len(inputs)

    def step(*flat):
        values = dict(zip(names, flat[:n_state]))
        out = call(model, values, tuple(flat[n_state:n_state + n_in]))
        loss = loss_fn(out, *flat[n_state + n_in:])
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        if not all(isinstance(o, torch.Tensor) for o in outs):
            raise UnsupportedError(
                "the model must return a tensor or a tuple of tensors, not "
                f"{type(out).__name__} of {[type(o).__name__ for o in outs]}")
        if not isinstance(loss, torch.Tensor):
            raise UnsupportedError("loss_fn must return a 0-d tensor")
        return [loss] + outs

    # Tracing runs the model for real: on copies, with torch's RNG restored.
    args = [t.detach().clone().requires_grad_(t.requires_grad)
            for _, t in state] + [t.clone() for t in inputs + labels]
    was_training = model.training
    model.train(train)
    scopes = _Scopes(model)
    try:
        with torch.random.fork_rng(devices=[]), scopes():
            gm = make_fx(step)(*args)
    finally:
        model.train(was_training)
    return gm


# --- lowering ----------------------------------------------------------------------

class _Counter:
    def __init__(self, name):
        self.name = name


class _Lowering:
    """Maps one fx graph onto the Graph `g` (one function)."""

    def __init__(self, g, gm, placeholders, state_tensors, loss_location):
        self.g, self.gm = g, gm
        self.state_tensors = state_tensors  # [(module tensor, binding)]
        self.placeholders = placeholders  # [(kind, name, Value|_Counter)]
        self.env = {}
        self.node = None
        self.transposed = {}
        self.masks = set()
        self.log_softmax_of = {}
        self.ignore_index = {}
        self.counter_steps = {}
        self.mutated = {}       # placeholder node -> kind, name
        self.view_parent, self.part = {}, {}
        self.ident = {}         # node -> representative; rep -> members
        self.members = {}
        self.family = {}        # view root -> nodes
        self.order = {}
        self.last_use = {}
        self.loss_location = loss_location

    # ----- helpers used by the op table
    def node_target_name(self):
        return _op_name(self.node)

    def out_shape(self):
        meta = self.node.meta
        if "tensor_meta" in meta and hasattr(meta["tensor_meta"], "shape"):
            return tuple(meta["tensor_meta"].shape)
        if "val" in meta and hasattr(meta["val"], "shape"):
            return tuple(meta["val"].shape)
        raise self.unsupported("an op whose result shape torch did not "
                               "record")

    def dtype_name(self, dtype):
        return _hetc_dtype(dtype, f"{_op_name(self.node)}'s result")

    def scalar(self, v, like):
        dtype = like.dtype if like.dtype in ("f32", "f16", "bf16") else "f32"
        return self.g.scalar(float(v), dtype)

    def constant_array(self, t):
        if isinstance(t, Value):
            raise self.unsupported("a value that depends on the inputs where "
                                   "a constant is needed")
        return t.detach().cpu().numpy()

    def value(self, x, like=None):
        if isinstance(x, Value):
            return x
        if isinstance(x, torch.Tensor):
            if x.dtype == torch.bool:
                x = x.to(torch.float32)
                v = self.g.constant(x.numpy())
                self.masks.add(v.id)
                return v
            array = x.detach().cpu().numpy()
            if array.dtype == np.float64:
                array = array.astype(np.float32)
            if like is not None and like.dtype == "f16" and \
                    array.dtype == np.float32:
                array = array.astype(np.float16)
            if array.ndim == 0 and np.issubdtype(array.dtype, np.floating):
                return self.scalar(float(array), like if like is not None
                                   else self.g.scalar(0.0))
            return self.g.constant(array)
        if isinstance(x, (bool, int, float)):
            return self.scalar(x, like if like is not None else
                               self.g.scalar(0.0))
        if isinstance(x, DropoutMask):
            raise self.unsupported("a dropout mask used other than "
                                   "multiplying its input", "nn.Dropout")
        if isinstance(x, _Counter):
            raise self.unsupported(
                f"reading the integer buffer '{x.name}' that forward also "
                "increments", "keep step counters out of the computation")
        raise self.unsupported(f"an operand of type {type(x).__name__}")

    def operands(self, a, b):
        like = a if isinstance(a, Value) else b if isinstance(b, Value) \
            else None
        return self.value(a, like), self.value(b, like)

    def mask(self, m):
        v = self.value(m)
        if v.id not in self.masks:
            raise self.unsupported("a condition that is not a comparison",
                                   "use a comparison (x > 0) as the mask")
        return v

    def dropout(self, x, mask):
        if mask.keep is None or not mask.scaled:
            raise self.unsupported("an unscaled bernoulli mask", "nn.Dropout")
        if tuple(mask.like.shape) != tuple(x.shape):
            raise self.unsupported("a dropout mask of another shape")
        p = 1.0 - mask.keep
        if p <= 0.0:
            return x
        return self.g.dropout(x, self.g.seed(), p)

    def unsupported(self, what, hint=""):
        name = _op_name(self.node) if self.node is not None else "?"
        file, line, path = self.location_of(self.node)
        hint = hint or HINTS.get(name, "")
        where = f"in module '{path}'" if path else "outside any module"
        msg = (f"{file}:{line}: aten.{name} {where}: {what}")
        if hint:
            msg += f"; nearest supported alternative: {hint}"
        return UnsupportedError(msg)

    # ----- locations
    def location_of(self, node):
        if node is None:
            return "<torch>", 0, ""
        trace = getattr(node, "stack_trace", None) or \
            node.meta.get("stack_trace")
        if trace and trace.startswith("hetc-scope\t"):
            _, file, line, path = trace.split("\n")[0].split("\t", 3)
            if file:
                return file, int(line), path
        stack = node.meta.get("nn_module_stack")
        if stack:
            path = list(stack.keys())[-1]
            return "<torch>", 0, str(path)
        return self.loss_location[0], self.loss_location[1], ""

    # ----- aliasing
    def _rep(self, node):
        return self.ident.get(node, node)

    def _join(self, node, with_node):
        rep = self._rep(with_node)
        self.ident[node] = rep
        self.members.setdefault(rep, [rep]).append(node)
        self.view_parent[node] = self.view_parent.get(with_node)
        if with_node in self.part:
            self.part[node] = self.part[with_node]
        self._add_to_family(node)

    def _root(self, node):
        while node in self.view_parent and self.view_parent[node] is not None:
            node = self.view_parent[node]
        return node

    def _chain(self, node):
        chain = [node]
        while self.view_parent.get(chain[-1]) is not None:
            chain.append(self.view_parent[chain[-1]])
        return chain[::-1]

    def _add_to_family(self, node):
        self.family.setdefault(self._root(node), []).append(node)

    def _aliased(self, a, b):
        ca, cb = self._chain(a), self._chain(b)
        if ca[0] is not cb[0]:
            return False
        i = 0
        while i < len(ca) and i < len(cb) and ca[i] is cb[i]:
            i += 1
        if i == len(ca) or i == len(cb):
            return True
        pa, pb = self.part.get(ca[i]), self.part.get(cb[i])
        return not (pa and pb and pa[0] is pb[0] and pa[1] != pb[1])

    def mutate(self, target, value, metadata_only=False):
        """`target` (an fx node) now holds `value`."""
        if not isinstance(target, torch.fx.Node):
            raise self.unsupported("an in-place update of a non-tensor")
        rep = self._rep(target)
        group = self.members.get(rep, [rep])
        now = self.order[self.node]
        if not metadata_only:
            for n in self.family.get(self._root(target), []):
                if n in group or self._rep(n) is rep:
                    continue
                if self.last_use.get(n, -1) > now and self._aliased(n, target):
                    raise self.unsupported(
                        f"an in-place update of '{target.name}' while "
                        f"'{n.name}', a view sharing its memory, is read "
                        "later", "write the update out of place (x = x + y)")
            root = self._root(target)
            if root.op == "placeholder" and self._rep(root) is not rep:
                raise self.unsupported(
                    "an in-place update of a view of model state or input "
                    f"'{root.name}'", "update the whole buffer")
        for n in group:
            if n.op == "placeholder":
                kind, name = self.kinds[n]
                if kind in ("param",):
                    raise self.unsupported(
                        f"forward updates the trained parameter '{name}' in "
                        "place", "register it as a buffer")
                if kind == "int_buffer":
                    raise self.unsupported(
                        f"forward updates the integer buffer '{name}' other "
                        "than by adding a constant",
                        "keep integer buffers read-only")
                if kind in ("input", "label"):
                    raise self.unsupported(
                        f"forward updates its {kind} '{name}' in place",
                        "write x = x + y instead")
                self.mutated[n] = name
            self.env[n] = value

    def _constant(self, t):
        """A tensor make_fx saw as a constant. Modules that cache their
        parameters (RNNs' _flat_weights) bypass functional_call, so the
        module's own state appears as a constant: bind it to the state."""
        if not isinstance(t, torch.Tensor):
            return t
        for state, value in self.state_tensors:
            if _same_tensor(t, state):
                return value
            if _overlaps(t, state):
                raise self.unsupported(
                    "a constant that is part of the model's state (a view "
                    "of a parameter or buffer taken outside forward)")
        return t

    # ----- the walk
    def run(self):
        nodes = list(self.gm.graph.nodes)
        for i, n in enumerate(nodes):
            self.order[n] = i
        for n in nodes:
            for user in n.users:
                self.last_use[n] = max(self.last_use.get(n, -1),
                                       self.order[user])
        self.kinds = {}
        ph = [n for n in nodes if n.op == "placeholder"]
        for n, (kind, name, v) in zip(ph, self.placeholders):
            self.kinds[n] = (kind, name)
            self.env[n] = v
            self._add_to_family(n)
        self._gradient_paths(nodes)
        results = None
        for n in nodes:
            self.node = n
            if n.op == "placeholder":
                continue
            if n.op == "get_attr":
                self.env[n] = self._constant(getattr(self.gm, n.target))
                continue
            if n.op == "output":
                results = [self.env[a] if isinstance(a, torch.fx.Node) else a
                           for a in torch.fx.node.map_arg(
                               n.args[0], lambda x: x)]
                continue
            if n.op != "call_function":
                raise self.unsupported(f"an fx '{n.op}' node")
            file, line, path = self.location_of(n)
            scope = path or (f"aten.{_op_name(n)}"
                             if n.target is not operator.getitem else "")
            with self.g.location(file, line, scope=scope):
                self._call(n)
        return results

    def _gradient_paths(self, nodes):
        """Which nodes depend on a trained parameter, and which the loss
        depends on: a detach() between the two would stop torch's gradient,
        and hetc has no gradient stop."""
        self.trained = set()
        for n in nodes:
            if n.op == "placeholder" and self.kinds[n][0] == "param":
                self.trained.add(n)
            elif any(a in self.trained for a in n.all_input_nodes):
                self.trained.add(n)
        self.to_loss = set()
        out = nodes[-1]
        if out.op == "output":
            flat = torch.fx.node.map_arg(out.args[0], lambda x: x)
            first = flat[0] if isinstance(flat, (list, tuple)) else flat
            stack = [first] if isinstance(first, torch.fx.Node) else []
            while stack:
                n = stack.pop()
                if n not in self.to_loss:
                    self.to_loss.add(n)
                    stack.extend(n.all_input_nodes)

    def _call(self, n):
        name = _op_name(n)
        if name == "detach" and n.users and n in self.to_loss and \
                n.args[0] in self.trained:
            raise self.unsupported(
                "detach() of a value computed from trained parameters feeds "
                "the loss; hetc has no gradient stop and would differentiate "
                "through it", "compute the detached value outside the model")
        inplace = name.endswith("_") and not name.endswith("__") and \
            n.target is not operator.getitem
        if not n.users and not inplace and name not in (
                "native_batch_norm", "_native_batch_norm_legit"):
            return  # dead: saved-for-backward values, BN's empty workspace
        if n.target is operator.getitem:
            seq = self.env[n.args[0]]
            v = seq[n.args[1]]
            if isinstance(v, Unsupported):
                self.node = next(iter(n.users))
                raise self.unsupported(f"{v.what} is not supported", v.hint)
            self.env[n] = v
            src = n.args[0]
            if _op_name(src) in _PARTS:
                self.view_parent[n] = src.args[0]
                self.part[n] = (src, n.args[1])
                self._add_to_family(n)
            return
        args = torch.fx.node.map_arg(n.args, lambda a: self.env[a])
        kwargs = torch.fx.node.map_arg(n.kwargs, lambda a: self.env[a])
        flat = _flatten((args, kwargs))
        for a in flat:
            if isinstance(a, Unsupported):
                raise self.unsupported(f"{a.what} is not supported", a.hint)
        counters = [a for a in flat if isinstance(a, _Counter)]
        if counters:
            if name == "add_" and len(args) == 2 and isinstance(args[1], int) \
                    and not n.users and isinstance(args[0], _Counter):
                c = args[0].name
                self.counter_steps[c] = self.counter_steps.get(c, 0) + args[1]
                return
            self.value(counters[0])  # raises
        base = name[:-1] if inplace else name
        dynamic = any(isinstance(a, (Value, DropoutMask)) for a in flat)
        if not dynamic and not any(r in base for r in _RANDOM):
            # Folding: every operand is a constant, so torch computes it.
            self.env[n] = n.target(*args, **kwargs)
            return
        fn = TABLE.get(base)
        if fn is None:
            raise self.unsupported(
                "this op is not supported by hetc.torch",
                HINTS.get(base, "see hetc.torch.SUPPORTED_OPS"))
        if not dynamic:
            raise self.unsupported("random sampling outside nn.Dropout",
                                   "nn.Dropout")
        value = fn(self, *args, **kwargs)
        if inplace:
            self.mutate(n.args[0], value, metadata_only=name in
                        _METADATA_INPLACE)
            self._join(n, n.args[0])
            self.env[n] = value
            return
        self.env[n] = value
        if base in _IDENTITIES and isinstance(n.args[0], torch.fx.Node):
            self._join(n, n.args[0])
        elif base in _VIEWS and isinstance(n.args[0], torch.fx.Node):
            self.view_parent[n] = n.args[0]
            self._add_to_family(n)


def _same_tensor(a, b):
    return isinstance(a, torch.Tensor) and a.data_ptr() == b.data_ptr() and \
        a.shape == b.shape and a.stride() == b.stride()


def _overlaps(a, b):
    if a.numel() == 0 or b.numel() == 0 or a.device != b.device:
        return False
    # Conservative extents: first element to first + numel elements.
    a0 = a.data_ptr()
    a1 = a0 + a.element_size() * a.numel()
    b0 = b.data_ptr()
    b1 = b0 + b.element_size() * b.numel()
    return a0 < b1 and b0 < a1


def _op_name(node):
    target = node.target
    if target is operator.getitem:
        return "getitem"
    schema = getattr(target, "_schema", None)
    if schema is not None:
        return schema.name.split("::")[-1]
    return getattr(target, "__name__", str(target))


def _flatten(x):
    out = []
    if isinstance(x, (list, tuple)):
        for y in x:
            out += _flatten(y)
    elif isinstance(x, dict):
        for y in x.values():
            out += _flatten(y)
    else:
        out.append(x)
    return out


# --- the trainer ---------------------------------------------------------------------

class TorchTrainer:
    """A torch module compiled for hetc; see hetc.torch.compile."""

    def __init__(self, model, loss_fn, optimizer, example_inputs,
                 example_labels, target="cpu", seed=0, clip_grad_norm=None,
                 nan_guard=False, accumulation_steps=1, reproducible=False):
        self.model, self.loss_fn = model, loss_fn
        self.target = target
        self.reproducible = bool(reproducible)
        self.optimizer = optimizer
        inputs = [_to_torch(x) for x in _as_tuple(example_inputs)]
        labels = [_to_torch(y) for y in _as_tuple(example_labels)]
        if not inputs:
            raise ValueError("example_inputs is empty")
        self._collect_state()
        self.options = _optimizer_options(
            optimizer, self._trainable, [p for _, p in self._frozen])
        if clip_grad_norm is not None:
            # torch.nn.utils.clip_grad_norm_(params, max_norm), compiled in.
            self.options["max_grad_norm"] = clip_grad_norm
        if nan_guard:
            self.options["nan_guard"] = True
        if accumulation_steps != 1:
            self.options["accumulate"] = accumulation_steps
        self._check_modules()

        state = [(n, t) for n, t in self._state]
        train_gm = _capture(model, loss_fn, state, inputs, labels, True)
        eval_gm = _capture(model, loss_fn, state, inputs, labels, False)
        self.train_graph, self.eval_graph = train_gm, eval_gm
        self._counters = self._find_counters([train_gm, eval_gm])
        # A parameter the training forward never reads gets no gradient in
        # torch (grad None), so torch.optim leaves it alone, weight decay
        # included: hetc holds it as state that is not trained.
        placeholders = [n for n in train_gm.graph.nodes
                        if n.op == "placeholder"]
        constants = [getattr(train_gm, n.target) for n in
                     train_gm.graph.nodes if n.op == "get_attr"]
        self._untrained = {
            name for (name, t), n in zip(self._state, placeholders)
            if name in dict(self._trainable) and not n.users and
            not any(_same_tensor(c, t) for c in constants)}
        self._host_inputs = [n for n, t in self._state
                             if not t.dtype.is_floating_point and
                             n not in self._counters]

        sig = self._input_names(len(inputs))
        self.input_names = sig
        self.label_names = ([f"label{i}" for i in range(len(labels))]
                            if len(labels) != 1 else ["labels"])
        self.input_specs = [(n, _hetc_dtype(t.dtype, f"input '{n}'"),
                             tuple(t.shape)) for n, t in zip(sig, inputs)]
        self.label_specs = [(n, _hetc_dtype(t.dtype, f"label '{n}'"),
                             tuple(t.shape))
                            for n, t in zip(self.label_names, labels)]
        loss_location = self._loss_location()
        self._set_groups()
        self._build(train_gm, eval_gm, loss_location)
        self._compile(seed)
        self._push_all()
        # Batch shapes compiled into the session: the example's, and each
        # variant traced for another batch size (see _ensure_batch).
        self._batch_specs = {self._shape_key(self.input_specs,
                                             self.label_specs):
                             (self.input_specs, self.label_specs)}
        self.param_groups = _param_groups(
            self.session, manifest_schema.parse(self.artifact.manifest))
        self.grad_norm = None

    # ----- state
    def _collect_state(self):
        model = self.model
        params = list(model.named_parameters())
        buffers = [(n, b) for n, b in model.named_buffers() if b is not None]
        self._trainable = [(n, p) for n, p in params if p.requires_grad]
        self._frozen = [(n, p) for n, p in params if not p.requires_grad]
        self._buffers = buffers
        self._state = self._trainable + self._frozen + buffers
        self._tensors = OrderedDict(self._state)
        for n, t in self._state:
            _hetc_dtype(t.dtype, f"state '{n}'")
        # state_dict keys that alias one tensor (tied weights) map to one
        # hetc name.
        by_id = {id(t): n for n, t in self._state}
        self._aliases = OrderedDict()
        for key, t in model.state_dict(keep_vars=True).items():
            if id(t) in by_id:
                self._aliases[key] = by_id[id(t)]

    def _check_modules(self):
        for path, m in self.model.named_modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and \
                    m.track_running_stats and m.momentum is None:
                raise UnsupportedError(
                    f"module '{path}' ({type(m).__name__}) uses "
                    "momentum=None (a cumulative average driven by "
                    "num_batches_tracked); nearest supported alternative: a "
                    "fixed momentum such as 0.1")
            if isinstance(m, (torch.nn.LSTM, torch.nn.GRU, torch.nn.RNN)):
                if m.bidirectional:
                    raise UnsupportedError(
                        f"module '{path}' ({type(m).__name__}) is "
                        "bidirectional; nearest supported alternative: "
                        "bidirectional=False")
                if getattr(m, "proj_size", 0):
                    raise UnsupportedError(
                        f"module '{path}' (LSTM) uses proj_size; nearest "
                        "supported alternative: proj_size=0")
                if m.dropout and m.num_layers > 1:
                    raise UnsupportedError(
                        f"module '{path}' ({type(m).__name__}) has dropout "
                        "between layers; nearest supported alternative: "
                        "dropout=0")

    def _find_counters(self, graphs):
        """Integer buffers that forward only increments by constants."""
        counters = set()
        for i, (name, t) in enumerate(self._state):
            if t.dtype.is_floating_point:
                continue
            only_counted = True
            for gm in graphs:
                ph = [n for n in gm.graph.nodes if n.op == "placeholder"]
                for user in ph[i].users:
                    if not (_op_name(user) == "add_" and not user.users and
                            isinstance(user.args[1], int)):
                        only_counted = False
            if only_counted:
                counters.add(name)
        return counters

    def _input_names(self, count):
        try:
            params = [p for p in inspect.signature(
                self.model.forward).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            names = [p.name for p in params[:count]]
        except (TypeError, ValueError):
            names = []
        taken = set(self._tensors) | {"labels"}
        if len(names) != count or len(set(names)) != count or \
                any(n in taken or n.startswith("dropout_seed") or
                    n.startswith("label") for n in names):
            names = [f"input{i}" for i in range(count)]
        return names

    def _loss_location(self):
        fn = self.loss_fn
        try:
            target = fn.forward if isinstance(fn, torch.nn.Module) else fn
            return (inspect.getsourcefile(target) or "<loss>",
                    inspect.getsourcelines(target)[1])
        except (OSError, TypeError):
            return "<loss>", 0

    # ----- building
    def _declare(self, g):
        """Declares every argument in one order; returns the placeholders'
        bindings for the lowering."""
        bindings = []
        self._label_values = {}
        for name, t in self._state:
            dtype = _TORCH_DTYPES[t.dtype]
            shape = list(t.shape)
            if name in self._counters:
                bindings.append(("counter", name, _Counter(name)))
            elif name in dict(self._trainable) and \
                    name not in self._untrained:
                bindings.append(("param", name,
                                 g.param(name, shape, dtype, init="zeros")))
            elif not t.dtype.is_floating_point:
                # hetc buffers are floats: integer buffers (index tables)
                # are fed from the host like inputs.
                bindings.append(("int_buffer", name,
                                 g.input(name, shape, dtype)))
            else:
                bindings.append(("buffer", name,
                                 g.buffer(name, shape, dtype, init="zeros")))
        for name, dtype, shape in self.input_specs:
            bindings.append(("input", name, g.input(name, list(shape), dtype)))
        for name, dtype, shape in self.label_specs:
            v = g.label(name, list(shape), dtype)
            self._label_values[v.id] = name
            bindings.append(("label", name, v))
        return bindings

    def _lower(self, g, gm, loss_location, train):
        bindings = self._declare(g)
        state_tensors = [(t, b[2]) for (_, t), b in zip(self._state,
                                                         bindings)]
        lowering = _Lowering(g, gm, bindings, state_tensors, loss_location)
        results = lowering.run()
        loss, outputs = results[0], results[1:]
        if not isinstance(loss, Value) or loss.shape != ():
            raise UnsupportedError("the loss must be a 0-d tensor computed "
                                   "from the model's outputs")
        outputs = [lowering.value(o) for o in outputs]
        updates = []
        for node, name in lowering.mutated.items():
            if not train:
                raise UnsupportedError(
                    f"eval-mode forward updates buffer '{name}'")
            value = lowering.value(lowering.env[node])
            buffer = dict((b[1], b[2]) for b in bindings)[name]
            updates.append((name, buffer, value))
        checks = {}
        for vid, ignore in lowering.ignore_index.items():
            if vid in self._label_values:
                checks[self._label_values[vid]] = ignore
        return loss, outputs, updates, lowering, checks

    def _build(self, train_gm, eval_gm, loss_location):
        g = Graph("model")
        loss, outs, updates, low, checks = self._lower(g, train_gm,
                                                       loss_location, True)
        for _, buffer, value in updates:
            g.update_buffer(buffer, value)
        g.end_function([loss] + outs)
        g.begin_function("model_eval", eval_of="model")
        e_loss, e_outs, _, _, _ = self._lower(g, eval_gm, loss_location,
                                              False)
        g.end_function([e_loss] + e_outs)
        self.source = g.mlir()
        self.n_outputs = len(outs)
        self.seed_count = g.seeds
        self.counter_steps = low.counter_steps
        self.label_checks = checks

    def _compile(self, seed):
        from . import compile as compile_source
        self.artifact = compile_source(self.source, target=self.target,
                                       optimizer=self.options,
                                       reproducible=self.reproducible)
        self.session = _hetc.Session(self.artifact,
                                     _hetc.Device(self.target), seed)
        self.hetc_state = set(self.session.state_names)
        self.host = {}       # integer counters (num_batches_tracked)
        self.versions = {}
        self.seeds = {}
        self._seed, self._seed_counter = seed, seed * 1000003

    # ----- hyper-parameters
    def _set_groups(self):
        """Maps the torch param_groups onto hetc's groups."""
        names = {id(t): n for n, t in self._trainable
                 if n not in self._untrained}
        specs, self._group_index = _group_specs(self.optimizer, names)
        if len(specs) > 1:
            self.options["groups"] = _group_option(specs)
        self._seen = [self._group_values(g)
                      for g in self.optimizer.param_groups]

    def _group_values(self, group):
        # The optimizer's own settings; a scheduler's keys (initial_lr,
        # max_momentum...) are not.
        return {k: v for k, v in group.items()
                if k in self.optimizer.defaults}

    def _push_hyper(self):
        """Pushes the torch optimizer's changed param_groups values (an
        lr_scheduler stepping it) into the session before a step."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self._seen):
            raise UnsupportedError(
                f"the optimizer now has {len(groups)} param_groups, not "
                f"{len(self._seen)}: hetc compiled its groups; recompile")
        for i, group in enumerate(groups):
            values, seen = self._group_values(group), self._seen[i]
            for key, value in values.items():
                if value == seen.get(key):
                    continue
                if key not in _RUNTIME_KEYS:
                    raise UnsupportedError(
                        f"optimizer param_groups[{i}] changed {key} from "
                        f"{seen.get(key)!r} to {value!r}: hetc compiled it "
                        "into the step; recompile")
                g = self._group_index[i]
                if g is None:
                    continue
                if key == "betas":
                    self.session.set_hyperparameter("beta1", float(value[0]),
                                                    g)
                    self.session.set_hyperparameter("beta2", float(value[1]),
                                                    g)
                else:
                    self.session.set_hyperparameter(key, float(value), g)
                seen[key] = value

    # ----- sync
    def _store(self, name, array):
        if name in self.hetc_state:
            self.session.set(name, array)
        else:
            self.host[name] = array

    def _fetch(self, name):
        if name in self.hetc_state:
            return self.session.get(name)
        return self.host[name]

    def _push_all(self):
        for name, t in self._tensors.items():
            self._push(name, t)

    def _push(self, name, t):
        self._store(name, _to_numpy(t, _NUMPY[_TORCH_DTYPES[t.dtype]]))
        self.versions[name] = t._version

    def _push_changed(self):
        for name, t in self._tensors.items():
            if t._version != self.versions.get(name):
                self._push(name, t)

    def _pull(self, names):
        with torch.no_grad():
            for name in names:
                t = self._tensors[name]
                t.copy_(torch.from_numpy(np.asarray(self._fetch(name))))
                self.versions[name] = t._version

    # ----- batch sizes
    @staticmethod
    def _shape_key(input_specs, label_specs):
        return tuple(shape for _, _, shape in input_specs + label_specs)

    def _batch_of(self, args):
        """The specs for `args`' shapes: the example's, or those of a
        variant for another batch size, traced and compiled on first use
        into the same session (the state stays on the device)."""
        n_in = len(self.input_specs)
        if len(args) != n_in + len(self.label_specs):
            raise TypeError(f"expected {n_in} input(s) and "
                            f"{len(self.label_specs)} label(s), got "
                            f"{len(args)} arguments")
        specs = self.input_specs + self.label_specs
        shapes = tuple(tuple(np.shape(a)) for a in args)
        if shapes in self._batch_specs:
            return self._batch_specs[shapes]
        for (name, _, spec), shape in zip(specs, shapes):
            if len(shape) != len(spec) or not shape or \
                    shape[1:] != spec[1:] or shape[0] <= 0:
                raise ValueError(
                    f"'{name}' has shape {shape}; the trainer was compiled "
                    f"for {spec} (only the leading, batch dimension may "
                    "differ)")
        return self._add_batch_variant(args, shapes)

    def _label_specs_for(self, inputs):
        """Label specs for `inputs`' batch: a compiled variant's, else the
        example's with their leading dimensions scaled like the inputs'
        (labels of [batch * time] rows stay proportional)."""
        shapes = tuple(tuple(np.shape(x)) for x in inputs)
        for specs, (input_specs, label_specs) in self._batch_specs.items():
            if specs[:len(inputs)] == shapes:
                return label_specs
        main, given = self.input_specs[0][2], shapes[0] if shapes else ()
        if not main or not given or given[0] == main[0]:
            return self.label_specs
        scaled = []
        for name, dtype, shape in self.label_specs:
            rows = shape[0] * given[0] // main[0] if shape else 0
            if not shape or rows * main[0] != shape[0] * given[0]:
                raise ValueError(
                    f"cannot infer the shape of label '{name}' for inputs of "
                    f"{given[0]} rows; call evaluate() with labels")
            scaled.append((name, dtype, (rows,) + tuple(shape[1:])))
        return scaled

    def _add_batch_variant(self, args, shapes):
        n_in = len(self.input_specs)
        inputs = [_to_torch(a) for a in args[:n_in]]
        labels = [_to_torch(a) for a in args[n_in:]]
        input_specs = [(n, d, s) for (n, d, _), s in
                       zip(self.input_specs, shapes[:n_in])]
        label_specs = [(n, d, s) for (n, d, _), s in
                       zip(self.label_specs, shapes[n_in:])]
        main = (self.input_specs, self.label_specs, self.source,
                self.n_outputs, self.seed_count, self.counter_steps,
                self.label_checks)
        try:
            self.input_specs, self.label_specs = input_specs, label_specs
            state = [(n, t) for n, t in self._state]
            train_gm = _capture(self.model, self.loss_fn, state, inputs,
                                labels, True)
            eval_gm = _capture(self.model, self.loss_fn, state, inputs,
                               labels, False)
            self._build(train_gm, eval_gm, self._loss_location())
            from . import compile as compile_source
            artifact = compile_source(self.source, target=self.target,
                                      optimizer=self.options,
                                      reproducible=self.reproducible)
            self.session.add_artifact(artifact)
        finally:
            (self.input_specs, self.label_specs, self.source,
             self.n_outputs, self.seed_count, self.counter_steps,
             self.label_checks) = main
        self._batch_specs[shapes] = (input_specs, label_specs)
        return input_specs, label_specs

    def _feed(self, args, train):
        input_specs, label_specs = self._batch_of(args)
        feed = {}
        for (name, dtype, shape), a in zip(input_specs + label_specs, args):
            array = _to_numpy(a, _NUMPY[dtype])
            if tuple(array.shape) != shape:
                raise ValueError(f"'{name}' has shape {array.shape}; the "
                                 f"trainer was compiled for {shape}")
            feed[name] = array
        for name in self._host_inputs:
            feed[name] = self.host[name]
        for name, ignore in self.label_checks.items():
            if np.any(feed[name] == ignore):
                raise ValueError(
                    f"'{name}' contains ignore_index {ignore}: hetc's "
                    "cross-entropy averages over every label")
        if train:
            for i in range(self.seed_count):
                self._seed_counter += 1
                feed[f"dropout_seed{i}"] = np.array(self._seed_counter,
                                                    np.int64)
                self.seeds[f"dropout_seed{i}"] = self._seed_counter
        return feed

    # ----- the API
    def step(self, *args):
        """One training step on (inputs..., labels...); returns the loss."""
        return self._train_step(args)[0]

    def _train_step(self, args):
        if not self.training:
            raise RuntimeError(
                "step() in eval mode: hetc compiles the training step in "
                "train mode (dropout, batch statistics); call "
                "trainer.train() (or model.train()) first")
        self._push_changed()
        self._push_hyper()
        feed = self._feed(args, True)
        loss, outputs = self.session.train_step(**feed)
        if "grad_norm" in outputs:
            # The total norm before clipping, as clip_grad_norm_ returns it.
            self.grad_norm = float(outputs["grad_norm"])
        for name, inc in self.counter_steps.items():
            self.host[name] = self.host[name] + inc
        # The update ran in hetc, not in optimizer.step(): count it where
        # torch's lr_scheduler looks, so stepping a scheduler after
        # trainer.step() does not warn that optimizer.step() never ran.
        if isinstance(getattr(self.optimizer, "_step_count", None), int):
            self.optimizer._step_count += 1
        self._pull(self._tensors.keys())
        outs = [v for k, v in outputs.items() if k != "grad_norm"]
        return float(loss), outs[:self.n_outputs]

    def _run_eval(self, args):
        self._push_changed()
        feed = self._feed(args, False)
        loss, outputs = self.session.run("eval", **feed)
        outs = [torch.from_numpy(v) for v in
                list(outputs.values())[:self.n_outputs]]
        return float(loss), outs[0] if len(outs) == 1 else tuple(outs)

    def evaluate(self, *args):
        """(loss, outputs) in eval mode on (inputs..., labels...)."""
        return self._run_eval(args)

    def eval_forward(self, *inputs):
        """The model's eval-mode outputs on `inputs` (no labels needed)."""
        dummies = [np.zeros(shape, _NUMPY[dtype]) for _, dtype, shape in
                   self._label_specs_for(inputs)]
        return self._run_eval(tuple(inputs) + tuple(dummies))[1]

    def state_dict(self):
        """The module's state_dict (every key, aliases included)."""
        self._push_changed()
        out = OrderedDict()
        for key, name in self._aliases.items():
            out[key] = torch.from_numpy(np.array(self._fetch(name)))
        return out

    def load_state_dict(self, state_dict, strict=True):
        """Loads a torch state_dict into the module and the trainer."""
        result = self.model.load_state_dict(state_dict, strict=strict)
        self._push_changed()
        return result

    @property
    def state_names(self):
        return list(self._tensors)

    # ----- modes: the torch module's own flag
    @property
    def training(self):
        """The module's `training` flag: train() and eval() set both."""
        return self.model.training

    def train(self, mode=True):
        """Train mode: step() runs train_step. Returns self."""
        self.model.train(mode)
        return self

    def eval(self):
        """Eval mode: calling the trainer runs the eval entry; step() is
        refused until train()."""
        return self.train(False)

    def forward(self, *inputs):
        """The eval-mode outputs on `inputs`; needs eval mode, as the
        training forward is compiled only into train_step."""
        if self.training:
            raise RuntimeError(
                "forward in train mode: hetc compiles the training-mode "
                "forward only into train_step; call trainer.eval() for "
                "inference, or trainer.step(...) to train")
        return self.eval_forward(*inputs)

    __call__ = forward

    @property
    def batch_size(self):
        shape = self.input_specs[0][2]
        return shape[0] if shape else None

    def fit(self, train_data, epochs=1, **options):
        """Trains for `epochs` over `train_data`; see hetc.fit.fit."""
        from .fit import fit
        return fit(self, train_data, epochs, **options)

    def _split(self, x, y):
        x = tuple(x) if isinstance(x, (tuple, list)) else (x,)
        y = tuple(y) if isinstance(y, (tuple, list)) else (y,)
        return x + y

    def _fit_step(self, x, y):
        loss, outs = self._train_step(self._split(x, y))
        return loss, outs[0] if outs else None

    def _fit_evaluate(self, x, y):
        loss, out = self._run_eval(self._split(x, y))
        out = out[0] if isinstance(out, tuple) else out
        return loss, out.numpy()

    def fingerprint(self):
        """SHA-256 of the state the next step starts from, as 64 hex
        digits: Session.fingerprint after pushing the module's edited
        tensors and the optimizer's param_groups, with the trainer's seed
        and the number of dropout seeds drawn as the RNG state. Host-side
        integer counters (num_batches_tracked) are not part of it."""
        self._push_changed()
        self._push_hyper()
        return self.session.fingerprint(
            self._seed, self._seed_counter - self._seed * 1000003)

    # ----- checkpoints
    def save(self, path):
        """A session checkpoint (parameters, buffers, optimizer state,
        step) holding, in the same file, the host-side integer counters
        (BatchNorm's num_batches_tracked) and the dropout-seed sequence."""
        self._push_changed()
        self.session.set_checkpoint_blob(_TRAINER_BLOB, _json.dumps({
            "seed": self._seed, "seed_counter": self._seed_counter,
            "counters": {name: int(np.asarray(self.host[name]))
                         for name in self._counters}}).encode())
        self.session.save_checkpoint(str(path))

    def load(self, path):
        """Restores a checkpoint written by save() into the session and the
        module."""
        self.session.load_checkpoint(str(path))
        state = _read_trainer_blob(self.session, path,
                                   range(self.seed_count))
        if state:
            self._seed = state["seed"]
            self._seed_counter = state["seed_counter"]
            counters = state.get("counters", {})
        else:
            counters = self._legacy_counters(path)
        for name in self._counters:
            if name not in counters:
                raise ValueError(f"checkpoint '{path}' holds no value for "
                                 f"the counter '{name}'")
            self.host[name] = np.asarray(counters[name],
                                         np.asarray(self.host[name]).dtype)
        self._pull(self._tensors.keys())

    def _legacy_counters(self, path):
        """The counters an older hetc saved beside the checkpoint."""
        sidecar = pathlib.Path(str(path) + ".counters.npz")
        if not self._counters or not sidecar.exists():
            return {}
        with np.load(sidecar) as counters:
            return {name: counters[name] for name in counters.files}


def compile(model, loss_fn, optimizer, example_inputs, example_labels=(),
            target="cpu", seed=0, clip_grad_norm=None, nan_guard=False,
            accumulation_steps=1, reproducible=False):
    """Compiles `model` trained on `loss_fn(outputs, *labels)` with the torch
    `optimizer`'s settings for the example inputs' shapes and dtypes;
    returns a TorchTrainer. The optimizer's param_groups are read before
    each step, so a torch lr_scheduler stepping it drives hetc.
    `clip_grad_norm=max_norm` clips the gradients' global norm first, as
    torch.nn.utils.clip_grad_norm_ does. With `nan_guard=True` a step whose
    loss or gradients are not finite updates nothing and raises hetc.Error
    naming the tensor. With `accumulation_steps=k` each step is a
    micro-batch: its gradients, divided by k, are summed, and every k-th
    step updates (torch's `(loss / k).backward()` with `optimizer.step()`
    every k batches). `reproducible=True` compiles the bit-reproducible
    mode: the same results, bit for bit, on every target."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError("hetc.torch.compile takes a torch.nn.Module")
    return TorchTrainer(model, loss_fn, optimizer, example_inputs,
                        example_labels, target=target, seed=seed,
                        clip_grad_norm=clip_grad_norm, nan_guard=nan_guard,
                        accumulation_steps=accumulation_steps,
                        reproducible=reproducible)
