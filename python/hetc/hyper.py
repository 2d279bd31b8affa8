"""Runtime hyper-parameters as torch-style param_groups.

    trainer.param_groups[0]["lr"] = 0.05        # takes effect next step
    trainer.param_groups[1]["betas"] = (0.85, 0.99)

Each group is a mutable mapping over the session's hyper-parameters of that
group (the manifest lists them); reads and writes go to the session, which
checks names and values.
"""
from collections.abc import MutableMapping

__all__ = ["ParamGroup", "param_groups"]


class ParamGroup(MutableMapping):
    """Parameter group `index` of `session`; keys are the hyper-parameters
    the artifact has for it ("betas" stands for beta1 and beta2)."""

    def __init__(self, session, index, names):
        self._session, self._index = session, index
        self._names = list(names)

    def _keys(self):
        keys = [n for n in self._names if n not in ("beta1", "beta2")]
        if "beta1" in self._names:
            keys.insert(keys.index("eps") if "eps" in keys else len(keys),
                        "betas")
        return keys

    def __getitem__(self, key):
        if key == "betas" and "beta1" in self._names:
            return (self._get("beta1"), self._get("beta2"))
        return self._get(key)

    def __setitem__(self, key, value):
        if key == "betas":
            # Both or neither: beta1 goes back when beta2 is refused. The
            # runtime refuses betas for an optimizer without them.
            beta1, beta2 = value
            old = self._get("beta1")
            self._session.set_hyperparameter("beta1", float(beta1),
                                             self._index)
            try:
                self._session.set_hyperparameter("beta2", float(beta2),
                                                 self._index)
            except Exception:
                self._session.set_hyperparameter("beta1", old, self._index)
                raise
            return
        self._session.set_hyperparameter(key, float(value), self._index)

    def _get(self, key):
        return self._session.get_hyperparameter(key, self._index)

    def __delitem__(self, key):
        raise TypeError("hyper-parameters cannot be removed from a group")

    def __iter__(self):
        return iter(self._keys())

    def __len__(self):
        return len(self._keys())

    def __repr__(self):
        return f"ParamGroup({dict(self)!r})"


def param_groups(session, manifest):
    """One ParamGroup per parameter group of train_step in `manifest` (a
    parsed manifest)."""
    entry = next((e for e in manifest["entries"]
                  if e["name"] == "train_step"), None)
    if entry is None:
        return []
    names = {}
    for arg in entry["args"]:
        if arg["role"] == "hyper" and arg["hyper"] != "max_grad_norm":
            names.setdefault(arg["group"], []).append(arg["hyper"])
    return [ParamGroup(session, g, names[g]) for g in sorted(names)]
