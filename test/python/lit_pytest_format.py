"""lit's test format for the pytest files (see lit_pytest.cfg.py)."""
import os

import lit.formats
import lit.Test
import lit.util


class PytestFile(lit.formats.TestFormat):
    def getTestsInDirectory(self, testSuite, path_in_suite, litConfig,
                            localConfig):
        source = testSuite.getSourcePath(path_in_suite)
        for name in sorted(os.listdir(source)):
            if name.startswith("test_") and name.endswith(".py"):
                yield lit.Test.Test(testSuite, path_in_suite + (name,),
                                    localConfig)

    def execute(self, test, litConfig):
        # The whole environment, as when pytest runs directly; each file
        # gets its own temporary folder (concurrent pytest runs would
        # otherwise prune each other's).
        env = dict(os.environ, HETC_BUILD_DIR=test.config.hetc_obj_root)
        cmd = [test.config.python_executable, "-m", "pytest", "-q", "-rfEs",
               "-p", "no:cacheprovider",
               "--basetemp=" + test.getExecPath() + ".tmp",
               test.getSourcePath()]
        try:
            out, err, code = lit.util.executeCommand(
                cmd, cwd=test.config.hetc_src_root, env=env,
                timeout=litConfig.maxIndividualTestTime)
        except lit.util.ExecuteCommandTimeoutException as e:
            return lit.Test.TIMEOUT, e.out + e.err
        lines = [l for l in out.splitlines() if l.strip()]
        summary = lines[-1] if lines else "(no output)"
        output = " ".join(cmd) + "\n" + out + err
        if code == 0:
            return lit.Test.PASS, summary
        return lit.Test.FAIL, output
