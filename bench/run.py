#!/usr/bin/env python3
"""hetc against PyTorch, measured in the same run on the same 2 threads.

Prints one `NAME: VALUE` line per figure:
  mlp_compile_s   hetc-compile wall time for the MLP train step
  mlp_step_ms / torch_mlp_step_ms / mlp_step_ratio
                  train step of a 784-1024-1024-10 ReLU MLP, B = 256,
                  cross-entropy and SGD, f32 (target ratio <= 0.5)
  matmul_gflops / torch_matmul_gflops / matmul_ratio
                  1024 x 1024 x 1024 f32 matmul (target ratio >= 0.8)
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

import pathlib  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test" / "python"))
import runtime  # noqa: E402

THREADS = 2
torch.set_num_threads(THREADS)


def linear(name, n_in, n_out):
    bound = 1.0 / np.sqrt(n_in)
    return (f'%{name}w: tensor<{n_out}x{n_in}xf32> {{hetc.param = '
            f'#hetc.init<uniform, {bound}>, hetc.name = "{name}.weight"}}, '
            f'%{name}b: tensor<{n_out}xf32> {{hetc.param = '
            f'#hetc.init<uniform, {bound}>, hetc.name = "{name}.bias"}}')


def mlp_source(batch, sizes):
    args = [f'%x: tensor<{batch}x{sizes[0]}xf32> {{hetc.input, '
            'hetc.name = "x"}',
            f'%y: tensor<{batch}xi32> {{hetc.label, hetc.name = "y"}}']
    body, h = [], "%x"
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        args.append(linear(f"l{i}", n_in, n_out))
        t = f"tensor<{batch}x{n_out}xf32>"
        body.append(f"%m{i} = hetc.matmul {h}, %l{i}w transpose_rhs : "
                    f"(tensor<{batch}x{n_in}xf32>, tensor<{n_out}x{n_in}xf32>)"
                    f" -> {t}")
        body.append(f"%a{i} = hetc.add %m{i}, %l{i}b : ({t}, "
                    f"tensor<{n_out}xf32>) -> {t}")
        h = f"%a{i}"
        if i + 2 < len(sizes):
            body.append(f"%r{i} = hetc.relu %a{i} : {t}")
            h = f"%r{i}"
    t = f"tensor<{batch}x{sizes[-1]}xf32>"
    body.append(f"%loss = hetc.cross_entropy {h}, %y : ({t}, "
                f"tensor<{batch}xi32>) -> tensor<f32>")
    return ("func.func @mlp(" + ",\n    ".join(args) + ") -> tensor<f32> {\n  "
            + "\n  ".join(body) + "\n  return %loss : tensor<f32>\n}\n")


def matmul_source(n):
    t = f"tensor<{n}x{n}xf32>"
    return (f'func.func @mm(%a: {t} {{hetc.input, hetc.name = "a"}}, '
            f'%b: {t} {{hetc.param = #hetc.init<normal, 1.0>, '
            f'hetc.name = "b"}}) -> (tensor<f32>, {t}) {{\n'
            f"  %c = hetc.matmul %a, %b : ({t}, {t}) -> {t}\n"
            f"  %s = hetc.slice %c offsets [0, 0] sizes [1, 1] strides [1, 1]"
            f" : {t} -> tensor<1x1xf32>\n"
            "  %loss = hetc.reduce_sum %s [0, 1] : tensor<1x1xf32> -> "
            "tensor<f32>\n"
            f"  return %loss, %c : tensor<f32>, {t}\n}}\n")


def timed(fn, repeats, warmup=3):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="hetc-bench-"))
    compile_bin = runtime.build_dir() / "bin" / "hetc-compile"

    # Compile time of the MLP train step (best of 3 wall-clock runs).
    source = work / "mlp.mlir"
    source.write_text(mlp_source(256, [784, 1024, 1024, 10]))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([str(compile_bin), str(source), "--optimizer=sgd",
                        "--lr=0.01", "-o", str(work / "mlp.hetc")],
                       check=True)
        times.append(time.perf_counter() - start)
    print(f"mlp_compile_s: {min(times):.3f}")

    # MLP train step: hetc vs torch, same data, same threads.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 784)).astype(np.float32)
    y = rng.integers(0, 10, 256).astype(np.int32)
    session = runtime.Session(work / "mlp.hetc")
    hetc_step = timed(lambda: session.train_step(x=x, y=y), 20)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 1024), torch.nn.ReLU(),
        torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
        torch.nn.Linear(1024, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    tx, ty = torch.tensor(x), torch.tensor(y).long()

    def torch_step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(tx), ty).backward()
        optimizer.step()

    torch_step_s = timed(torch_step, 5, warmup=1)
    print(f"mlp_step_ms: {hetc_step * 1e3:.2f}")
    print(f"torch_mlp_step_ms: {torch_step_s * 1e3:.2f}")
    print(f"mlp_step_ratio: {hetc_step / torch_step_s:.3f}")

    # 1024^3 matmul through the eval entry (includes copying A in, C out).
    n = 1024
    (work / "mm.mlir").write_text(matmul_source(n))
    subprocess.run([str(compile_bin), str(work / "mm.mlir"), "--eval-only",
                    "-o", str(work / "mm.hetc")], check=True)
    mm = runtime.Session(work / "mm.hetc")
    a = rng.standard_normal((n, n)).astype(np.float32)
    hetc_mm = timed(lambda: mm.run("eval", a=a), 10)
    ta, tb = torch.tensor(a), torch.tensor(mm.get("b"))
    torch_mm = timed(lambda: torch.matmul(ta, tb), 5, warmup=1)
    flops = 2.0 * n ** 3
    print(f"matmul_gflops: {flops / hetc_mm / 1e9:.1f}")
    print(f"torch_matmul_gflops: {flops / torch_mm / 1e9:.1f}")
    print(f"matmul_ratio: {torch_mm / hetc_mm:.2f}")


if __name__ == "__main__":
    main()
