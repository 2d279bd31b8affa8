"""Optimizers: their hyper-parameters become hetc-train-step options, so the
update is compiled into train_step (torch.optim's exact formulas)."""

__all__ = ["SGD", "Adam", "AdamW", "lr_scheduler"]


class SGD:
    def __init__(self, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        self.options = {"optimizer": "sgd", "lr": lr, "momentum": momentum,
                        "nesterov": nesterov, "weight_decay": weight_decay}


class Adam:
    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0.0):
        self.options = {"optimizer": "adam", "lr": lr, "beta1": betas[0],
                        "beta2": betas[1], "eps": eps,
                        "weight_decay": weight_decay}


class AdamW(Adam):
    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=1e-2):
        super().__init__(lr, betas, eps, weight_decay)
        self.options["optimizer"] = "adamw"


from . import lr_scheduler  # noqa: E402
