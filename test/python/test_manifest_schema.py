"""The manifest schema (runtime/include/hetc/runtime/manifest_schema.h)
against what the compiler writes: every manifest it emits, for the CPU and
for a GPU target, with every optimizer-state and hyper-parameter kind and
batch variants, uses only listed keys of the listed kinds and writes every
required one. The C readers can name no other key (HETC_MANIFEST_KEY does
not compile for one), so the writer and the readers agree."""
import json
import pathlib
import re
import sys

import pytest

from conftest import MLP_MODEL, REPO

HEADER = REPO / "runtime" / "include" / "hetc" / "runtime" / \
    "manifest_schema.h"


@pytest.fixture(scope="module")
def hetc(build_dir):
    sys.path.insert(0, str(build_dir / "python_packages"))
    import hetc
    return hetc


@pytest.fixture(scope="module")
def manifests(hetc):
    """Manifests the compiler writes, by name."""
    adam = {"optimizer": "adamw", "lr": 1e-3, "weight_decay": 0.01}
    built = {
        "cpu-sgd": hetc.compile_file(MLP_MODEL, optimizer={
            "optimizer": "sgd", "lr": 0.1, "momentum": 0.9}),
        "cpu-adamw-variants": hetc.compile_file(MLP_MODEL, optimizer=adam,
                                                batch_sizes=[32, 7]),
        "cpu-eval-only": hetc.compile_file(MLP_MODEL, eval_only=True),
        "cpu-debug": hetc.compile_file(MLP_MODEL, debug_intermediates=True),
        "vulkan-adamw": hetc.compile_file(MLP_MODEL, target="vulkan",
                                          optimizer=adam),
    }
    return {name: json.loads(a.manifest) for name, a in built.items()}


def test_the_python_table_is_the_header(hetc):
    from hetc import manifest
    listed = re.findall(r"^\s*X\(\w+, \w+, \w+, \w+\)",
                        HEADER.read_text(), re.MULTILINE)
    assert sum(len(keys) for keys in manifest.SCHEMA.values()) == \
        len(listed) > 40
    assert manifest.SCHEMA["ENTRY"]["name"] == ("STRING", True)
    assert manifest.SCHEMA["ENTRY"]["variant_of"] == ("STRING", False)
    assert manifest.SCHEMA["COPY"]["src_offset"] == ("INTEGER", True)


@pytest.mark.parametrize("name", ["cpu-sgd", "cpu-adamw-variants",
                                  "cpu-eval-only", "cpu-debug",
                                  "vulkan-adamw"])
def test_written_manifests_follow_the_schema(hetc, manifests, name):
    from hetc import manifest
    assert manifest.check(manifests[name]) == []


def test_the_written_manifests_use_the_optional_keys(manifests):
    """The cases above reach the optional parts of the schema, so the check
    is not vacuous for them."""
    text = json.dumps(manifests)
    for key in ["variant_of", "device", "kernels", "programs", "commands",
                "dispatch", "init", "state", "of", "classes", "source",
                "debug_of", "op", "op_result", "location", "scope"]:
        assert f'"{key}"' in text, key
    assert "device" not in manifests["cpu-sgd"]
    assert "device" in manifests["vulkan-adamw"]


def test_the_check_names_each_departure(hetc, manifests):
    from hetc import manifest
    bad = json.loads(json.dumps(manifests["vulkan-adamw"]))
    del bad["entries"][0]["symbol"]
    bad["entries"][0]["args"][0]["shape"] = "4x4"
    bad["entries"][0]["args"][0]["colour"] = "red"
    bad["device"]["kernels"][0]["bindings"] = 2.5
    bad["optimizer"]["my_hyper"] = 3  # optimizers hold their own keys
    bad["device"]["programs"]["eval"]["commands"].append(
        {"copy": {"src": "a0", "dst": "t0", "bytes": 4}})
    commands = bad["device"]["programs"]["eval"]["commands"]
    copy = f"manifest.device.programs.eval.commands[{len(commands) - 1}].copy"
    assert sorted(manifest.check(bad)) == sorted([
        "manifest.entries[0] lacks the required key 'symbol'",
        "manifest.entries[0].args[0].shape is not a ARRAY",
        "manifest.entries[0].args[0] has the key 'colour', which the schema "
        "does not list for TENSOR",
        "manifest.device.kernels[0].bindings is not a INTEGER",
        f"{copy} lacks the required key 'src_offset'",
        f"{copy} lacks the required key 'dst_offset'",
    ])


def test_the_c_sources_name_keys_only_through_the_schema():
    """No manifest key is spelled as a string literal in the readers or
    the writer: each goes through HETC_MANIFEST_KEY."""
    sources = [REPO / "runtime" / "src" / name
               for name in ("artifact.c", "program.c", "inputs.c",
                            "signature.c")]
    sources += [REPO / "lib" / "Pipeline" / "Compiler.cpp",
                REPO / "lib" / "Target" / "GPU" / "GPUCommon.cpp",
                REPO / "lib" / "Target" / "CPU" / "CPUBackend.cpp"]
    literal = re.compile(
        r'(json_get\([^,()]+,\s*"|required_string\([^,()]+,\s*"'
        r'|json::Object\{\{"|[\w)]\["[a-z_]+"\]\s*=)')
    for path in sources:
        assert path.exists(), f"{path} moved: update this list"
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not literal.search(line), f"{path.name}:{number}: {line}"


def test_the_python_readers_look_up_only_schema_keys(hetc):
    """trainer.py and hyper.py read the manifest through hetc.manifest.parse
    and subscript it only with keys the schema lists, so renaming a key in
    manifest_schema.h fails here, not silently in a user's training."""
    from hetc import manifest
    known = {key for keys in manifest.SCHEMA.values() for key in keys}
    # The names those files give to the manifest and its objects.
    readers = r"\b(manifest|e|entry|eval_entry|train_entry|a|arg|label)"
    subscript = re.compile(readers + r'\["([a-z_]+)"\]')
    looked_up = set()
    for name in ("trainer.py", "hyper.py"):
        text = (REPO / "python" / "hetc" / name).read_text()
        looked_up |= {key for _, key in subscript.findall(text)}
    assert {"entries", "args", "name", "role", "shape", "dtype", "group",
            "hyper"} <= looked_up
    assert looked_up <= known, f"not in the schema: {looked_up - known}"


def test_parse_refuses_a_manifest_off_the_schema(hetc):
    from hetc import manifest
    good = {"format_version": 1, "cpu_features": [], "compiler_version": "x",
            "target": "cpu", "chip": "x86-64", "model": "m", "optimizer": {},
            "entries": []}
    assert manifest.parse(json.dumps(good)) == good
    with pytest.raises(ValueError, match="manifest lacks the required key "
                                         "'entries'"):
        manifest.parse(json.dumps({k: v for k, v in good.items()
                                   if k != "entries"}))
