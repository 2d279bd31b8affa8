"""The artifact manifest's schema and a checker for manifests.

The schema is read from manifest_schema.h, the list through which the
compiler writes and the C runtime reads every manifest key, so Python holds
no second copy of it."""
import pathlib
import re

_HEADER = "manifest_schema.h"
_LINE = re.compile(r"^\s*X\((\w+), (\w+), (\w+), (REQUIRED|OPTIONAL)\)",
                   re.MULTILINE)


def _header_text():
    here = pathlib.Path(__file__).resolve()
    # Beside the package in a build tree; in the sources, under runtime/.
    for path in (here.with_name(_HEADER),
                 here.parents[2] / "runtime" / "include" / "hetc" / "runtime"
                 / _HEADER):
        if path.exists():
            return path.read_text()
    raise FileNotFoundError(f"{_HEADER} is neither beside {here} nor in the "
                            "source tree")


def _parse(text):
    schema = {}
    for obj, key, kind, presence in _LINE.findall(text):
        schema.setdefault(obj, {})[key] = (kind, presence == "REQUIRED")
    return schema


#: {object kind: {key: (value kind, required)}}, e.g.
#: SCHEMA["ENTRY"]["name"] == ("STRING", True).
SCHEMA = _parse(_header_text())

#: Objects that also hold keys of their own choosing (the optimizer's
#: hyper-parameters).
OPEN_OBJECTS = frozenset({"OPTIMIZER"})

# Where nested objects sit: (object, key) -> the kind of its value's
# objects (of each item, for lists; of each value, for "programs").
_CHILDREN = {
    ("ROOT", "optimizer"): "OPTIMIZER",
    ("ROOT", "entries"): "ENTRY",
    ("ROOT", "device"): "DEVICE",
    ("ENTRY", "args"): "TENSOR",
    ("ENTRY", "results"): "TENSOR",
    ("TENSOR", "init"): "INIT",
    ("DEVICE", "kernels"): "KERNEL",
    ("DEVICE", "constants"): "CONSTANT",
    ("DEVICE", "programs"): "PROGRAM",
    ("PROGRAM", "commands"): "COMMAND",
    ("COMMAND", "copy"): "COPY",
}


def _has_kind(value, kind):
    if kind == "INTEGER":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "NUMBER":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, {"STRING": str, "BOOLEAN": bool, "ARRAY": list,
                              "OBJECT": dict}[kind])


def check(manifest, obj="ROOT", where="manifest"):
    """Every way `manifest` (a parsed manifest, or one of its objects of
    kind `obj`) departs from the schema, as messages naming the place."""
    if not isinstance(manifest, dict):
        return [f"{where} is not an object"]
    keys = SCHEMA[obj]
    problems = [f"{where} lacks the required key '{key}'"
                for key, (_, required) in keys.items()
                if required and key not in manifest]
    for key, value in manifest.items():
        if key not in keys:
            if obj not in OPEN_OBJECTS:
                problems.append(f"{where} has the key '{key}', which the "
                                f"schema does not list for {obj}")
            continue
        kind = keys[key][0]
        if not _has_kind(value, kind):
            problems.append(f"{where}.{key} is not a {kind}")
            continue
        child = _CHILDREN.get((obj, key))
        if child is None:
            continue
        if kind == "ARRAY":
            items = [(f"{where}.{key}[{i}]", v) for i, v in enumerate(value)]
        elif key == "programs":
            items = [(f"{where}.{key}.{k}", v) for k, v in value.items()]
        else:
            items = [(f"{where}.{key}", value)]
        for place, item in items:
            problems += check(item, child, place)
    return problems


def parse(text):
    """The manifest `text` parsed, after checking it against the schema, so
    that a reader never looks up a key the writer does not write; raises
    ValueError naming every departure."""
    import json
    manifest = json.loads(text)
    problems = check(manifest)
    if problems:
        raise ValueError("the manifest does not follow manifest_schema.h: "
                         + "; ".join(problems))
    return manifest
