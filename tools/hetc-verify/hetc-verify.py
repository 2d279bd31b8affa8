#!/usr/bin/python3
"""hetc-verify A.hetc B.hetc --checkpoint ckpt --train-x X.npy --train-y Y.npy
[--steps N] [--device-a D] [--device-b D] [--logs A.log B.log]: finds the
first step, then the first op, where two artifacts of one model differ
(docs/reproducibility.md, "The verifier"). Exit status 0: identical; 1: a
divergence, reported; 2: the inputs cannot be verified."""
import argparse
import pathlib
import sys

# The build tree keeps the package in ../python_packages next to bin/.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent /
                       "python_packages"))

import hetc  # noqa: E402
from hetc.verifier import npy_batches  # noqa: E402

# Filled in when CMake configures the tool into build/bin.
VERSION = ("hetc @HETC_VERSION@ (commit @HETC_GIT_COMMIT@), "
           "LLVM @LLVM_PACKAGE_VERSION@")


def parse_args():
    parser = argparse.ArgumentParser(
        prog="hetc-verify", description=__doc__)
    parser.add_argument("--version", action="version",
                        version=f"hetc-verify: {VERSION}")
    parser.add_argument("artifacts", nargs="*", metavar="ARTIFACT",
                        help="two artifacts of one model, A and B (compile "
                        "with --debug-intermediates to locate the op)")
    parser.add_argument("--logs", nargs=2, metavar=("A.log", "B.log"),
                        help="two hetc-train logs with fingerprints "
                        "(--fingerprint-every N)")
    parser.add_argument("--checkpoint", help="the state both runs start "
                        "from (default: initialized from seed 0)")
    parser.add_argument("--train-x", help="the batches' inputs (.npy, as "
                        "hetc-train reads them), in file order")
    parser.add_argument("--train-y", help="the batches' labels (.npy)")
    parser.add_argument("--steps", type=int, default=None,
                        help="steps to run (default: every full batch)")
    parser.add_argument("--device-a", default=None,
                        help="A's device (default: its target)")
    parser.add_argument("--device-b", default=None,
                        help="B's device (default: its target)")
    args = parser.parse_args()
    if len(args.artifacts) not in (0, 2):
        parser.error(f"give two artifacts (A and B), not "
                     f"{len(args.artifacts)}")
    if not args.artifacts and not args.logs:
        parser.error("give two artifacts, or --logs A.log B.log")
    if args.artifacts and not (args.train_x and args.train_y):
        parser.error("running two artifacts needs --train-x and --train-y")
    if args.steps is not None and args.steps < 1:
        parser.error("--steps takes a positive integer")
    return args


def main():
    args = parse_args()
    try:
        batches = ()
        if args.artifacts:
            batches = npy_batches(args.artifacts[0], args.train_x,
                                  args.train_y, args.steps)
        result = hetc.verify(*(args.artifacts or (None, None)),
                             checkpoint=args.checkpoint, batches=batches,
                             logs=args.logs,
                             devices=(args.device_a, args.device_b))
    except (hetc.VerifyError, hetc.Error) as error:
        print(f"hetc-verify: error: {error}", file=sys.stderr)
        return 2
    print(f"hetc-verify: {result.report()}")
    return 0 if result.identical else 1


if __name__ == "__main__":
    sys.exit(main())
