# -*- Python -*-
# The pytest files as a lit suite: one lit test per test_*.py file, run by
# pytest in its own process, so lit reports them with the rest and runs
# files in parallel. A file passes when pytest exits 0 (skips included);
# pytest exiting 5 (nothing collected) is a failure too. Named so that the
# main suite (test/lit.cfg.py), which walks this folder, does not take it
# for a nested suite: test/CMakeLists.txt points build/test-python at it.
import os
import sys

# The format lives in a module: lit's workers unpickle it by name.
sys.path.insert(0, os.path.dirname(__file__))
from lit_pytest_format import PytestFile  # noqa: E402

config.name = "HETC-PYTEST"
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.hetc_obj_root, "test-python")


config.test_format = PytestFile()
