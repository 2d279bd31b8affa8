#!/usr/bin/python3
"""hetc-import-onnx model.onnx -o model.mlir [--loss cross_entropy|mse]
[--batch N]: writes the hetc model and, beside it, model.params.npz with the
initial values of its parameters and buffers (the ONNX initializers)."""
import argparse
import pathlib
import sys

# The build tree keeps the package in ../python_packages next to bin/.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent /
                       "python_packages"))

import numpy as np  # noqa: E402

import hetc  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--loss", default="cross_entropy",
                        choices=["cross_entropy", "mse"])
    parser.add_argument("--batch", type=int, default=None,
                        help="fixes a symbolic batch dimension")
    args = parser.parse_args()
    try:
        model = hetc.import_onnx(args.model, args.loss, args.batch)
    except (hetc.OnnxImportError, OSError) as error:
        sys.exit(f"hetc-import-onnx: {args.model}: {error}")
    out = pathlib.Path(args.output)
    out.write_text(model.source)
    np.savez(out.with_suffix(".params.npz"), **model.state)
    print(f"hetc-import-onnx: wrote {out} ({len(model.params)} parameters, "
          f"{len(model.buffers)} buffers)")


if __name__ == "__main__":
    main()
