"""Command-line behaviour of hetc-opt and hetc-compile: located errors and
nonzero exits on bad input, never a crash."""
import pathlib
import subprocess

import pytest

from conftest import REPO

EXAMPLES = sorted((REPO / "examples").glob("*.mlir"))
CRASH_MARKERS = ("Stack dump", "PLEASE submit a bug report", "Segmentation")


def run(*args, stdin=None):
    return subprocess.run(list(args), input=stdin, capture_output=True,
                          text=True, timeout=120)


def assert_clean_failure(result, located_in):
    assert result.returncode > 0, result
    for marker in CRASH_MARKERS:
        assert marker not in result.stderr
    assert f"{located_in}:" in result.stderr
    assert "error:" in result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_follow_the_model_contract(tool, example):
    result = run(tool("hetc-opt"), "--hetc-verify-model", str(example))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_print_stably(tool, example, tmp_path):
    first = run(tool("hetc-opt"), str(example))
    assert first.returncode == 0, first.stderr
    printed = tmp_path / "printed.mlir"
    printed.write_text(first.stdout)
    second = run(tool("hetc-opt"), str(printed))
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout


def test_syntax_error_is_located(tool, tmp_path):
    bad = tmp_path / "syntax.mlir"
    bad.write_text("func.func @f(%x: tensor<4xf32>) {\n  %0 = hetc.relu %x :\n}\n")
    assert_clean_failure(run(tool("hetc-opt"), str(bad)), "syntax.mlir:2:22")


def test_shape_mismatch_is_located(tool, tmp_path):
    bad = tmp_path / "shapes.mlir"
    bad.write_text(
        "func.func @f(%a: tensor<4x8xf32>, %b: tensor<3xf32>) {\n"
        "  %0 = hetc.add %a, %b : (tensor<4x8xf32>, tensor<3xf32>)"
        " -> tensor<4x8xf32>\n  return\n}\n")
    result = run(tool("hetc-opt"), str(bad))
    assert_clean_failure(result, "shapes.mlir:2:8")
    assert "operand shapes [4, 8] and [3] are not broadcast-compatible" in \
        result.stderr


def test_contract_violation_is_located(tool, tmp_path):
    bad = tmp_path / "contract.mlir"
    bad.write_text(
        "func.func @m(%x: tensor<4xf32>,\n"
        "             %w: tensor<4xf32> {hetc.param = #hetc.init<zeros>})"
        " -> tensor<f32> {\n"
        "  %l = hetc.mse %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>\n"
        "  return %l : tensor<f32>\n}\n")
    result = run(tool("hetc-opt"), "--hetc-verify-model", str(bad))
    assert_clean_failure(result, "contract.mlir:1")
    assert "argument #0 of model 'm' has no role" in result.stderr


def test_compile_rejects_bad_model_and_writes_nothing(tool, tmp_path):
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @m(%w: tensor<4xf32> {hetc.param = "
                   "#hetc.init<zeros>}) -> tensor<4xf32> {\n"
                   "  return %w : tensor<4xf32>\n}\n")
    out = tmp_path / "bad.hetc"
    result = run(tool("hetc-compile"), str(bad), "-o", str(out))
    assert_clean_failure(result, "bad.mlir:1")
    assert not out.exists()


def test_help_lists_hetc_passes(tool):
    result = run(tool("hetc-opt"), "--help")
    assert result.returncode == 0
    for flag in ("--hetc-verify-model", "--convert-hetc-to-linalg",
                 "--hetc-tie-updated-results", "--hetc-cpu-matmul-to-ukernel"):
        assert flag in result.stdout


def test_compile_lists_targets(tool):
    result = run(tool("hetc-compile"), "--list-targets")
    assert result.returncode == 0
    assert result.stdout.startswith("cpu: ")


def test_dialect_reference_is_generated(build_dir):
    doc = build_dir / "docs" / "Dialects" / "HetcDialect.md"
    assert doc.exists(), "the build generates the dialect reference"
    text = doc.read_text()
    for op in ("hetc.matmul", "hetc.conv2d", "hetc.cross_entropy"):
        assert op in text


def test_pass_reference_is_generated(build_dir):
    doc = build_dir / "docs" / "HetcPasses.md"
    assert doc.exists(), "the build generates the pass reference"
    assert "-hetc-verify-model" in doc.read_text()
