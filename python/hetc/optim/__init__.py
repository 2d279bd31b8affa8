"""Optimizers: their hyper-parameters become hetc-train-step options. The
update is compiled into train_step (torch.optim's exact formulas); the
values are its runtime hyper-parameters' initial values, which
Trainer.param_groups changes between steps.

Parameter groups are given as torch does, with parameter names or glob
patterns instead of tensors; each parameter joins the first group that
matches it:

    hetc.optim.SGD([{"params": ["*.bias"], "weight_decay": 0.0},
                    {"params": ["*"]}], lr=0.1, weight_decay=1e-4)
"""

__all__ = ["SGD", "Adam", "AdamW", "group_option", "lr_scheduler"]


def group_option(groups):
    """The hetc-train-step `groups` option text of torch-style group dicts
    ({"params": [names or patterns], "lr": ..., "betas": (b1, b2)})."""
    specs = []
    for i, group in enumerate(groups):
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"parameter group {i} must be a dict with "
                            "'params' (names or glob patterns)")
        names = group["params"]
        if isinstance(names, str) or not names:
            raise TypeError(f"parameter group {i}: 'params' must be a "
                            "non-empty list of names or patterns")
        fields = ["|".join(str(n) for n in names)]
        for key, value in group.items():
            if key == "params":
                continue
            if key == "betas":
                fields += [f"beta1={value[0]}", f"beta2={value[1]}"]
            else:
                fields.append(f"{key.replace('_', '-')}={value}")
        specs.append(":".join(fields))
    return ",".join(specs)


class _Optimizer:
    def __init__(self, params, options):
        self.options = options
        if params is not None:
            if not isinstance(params, (list, tuple)):
                raise TypeError("the first argument is a list of parameter "
                                "groups (dicts with 'params'); give lr= by "
                                "keyword")
            self.options["groups"] = group_option(params)


class SGD(_Optimizer):
    def __init__(self, params=None, lr=0.01, momentum=0.0, nesterov=False,
                 weight_decay=0.0):
        super().__init__(params, {"optimizer": "sgd", "lr": lr,
                                  "momentum": momentum, "nesterov": nesterov,
                                  "weight_decay": weight_decay})


class Adam(_Optimizer):
    def __init__(self, params=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0.0):
        super().__init__(params, {"optimizer": "adam", "lr": lr,
                                  "beta1": betas[0], "beta2": betas[1],
                                  "eps": eps, "weight_decay": weight_decay})


class AdamW(Adam):
    def __init__(self, params=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)
        self.options["optimizer"] = "adamw"


from . import lr_scheduler  # noqa: E402
