"""A ctypes view of the C runtime (runtime/include/hetc/runtime), used by
the tests and the benchmarks to run compiled artifacts with numpy arrays.
The Python bindings proper arrive with the [python] issue."""
import ctypes
import os
import pathlib
import subprocess

import numpy as np

DTYPES = {0: np.float32, 1: np.float16, 3: np.int32, 4: np.int64}
CODES = {np.dtype(np.float32): 0, np.dtype(np.float16): 1,
         np.dtype(np.int32): 3, np.dtype(np.int64): 4}
MAX_RANK = 8


class TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("role", ctypes.c_int),
                ("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.c_int64 * MAX_RANK)]


class Tensor(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("data", ctypes.c_void_p)]


class HetcError(RuntimeError):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def build_dir():
    return pathlib.Path(os.environ.get(
        "HETC_BUILD_DIR", pathlib.Path(__file__).resolve().parents[2] / "build"))


_lib = None


def lib():
    global _lib
    if _lib is None:
        _lib = ctypes.CDLL(str(build_dir() / "lib" / "libhetc_runtime.so"))
        _lib.hetc_status_message.restype = ctypes.c_char_p
        _lib.hetc_artifact_target.restype = ctypes.c_char_p
        _lib.hetc_artifact_entry_name.restype = ctypes.c_char_p
        _lib.hetc_session_state_info.restype = ctypes.POINTER(TensorInfo)
        _lib.hetc_session_state_info.argtypes = [ctypes.c_void_p,
                                                 ctypes.c_size_t]
        _lib.hetc_session_state_count.restype = ctypes.c_size_t
        _lib.hetc_session_state_count.argtypes = [ctypes.c_void_p]
        _lib.hetc_session_step.restype = ctypes.c_int64
    return _lib


def check(status):
    if status:
        code = lib().hetc_status_code(ctypes.c_void_p(status))
        message = lib().hetc_status_message(ctypes.c_void_p(status)).decode()
        lib().hetc_status_free(ctypes.c_void_p(status))
        raise HetcError(code, message)


def _call(fn, *args):
    fn.restype = ctypes.c_void_p
    check(fn(*args))


def compile_model(source, out, *flags):
    """Runs hetc-compile on MLIR text or a file; returns the artifact path."""
    path = pathlib.Path(out)
    if not isinstance(source, pathlib.Path):
        mlir = path.with_suffix(".mlir")
        mlir.write_text(source)
        source = mlir
    result = subprocess.run(
        [str(build_dir() / "bin" / "hetc-compile"), str(source), "-o",
         str(path), *flags], capture_output=True, text=True)
    if result.returncode:
        raise HetcError(-1, result.stderr)
    return path


def _tensor(name, array):
    # The caller keeps the returned tuple alive: copies of the structure
    # (into ctypes arrays) do not keep the name bytes or shape alive.
    array = np.require(np.asarray(array), requirements="C")
    shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
    encoded = ctypes.create_string_buffer(name.encode())
    t = Tensor(ctypes.cast(encoded, ctypes.c_char_p), CODES[array.dtype],
               array.ndim, shape, array.ctypes.data)
    return t, (array, shape, encoded)


_unavailable = {}


def device_unavailable(name, ordinal=0):
    """None when device `name` opens here, else the runtime's reason."""
    key = (name, ordinal)
    if key not in _unavailable:
        device = ctypes.c_void_p()
        try:
            _call(lib().hetc_device_open, name.encode(), ordinal,
                  ctypes.byref(device))
            lib().hetc_device_free(device)
            _unavailable[key] = None
        except HetcError as error:
            _unavailable[key] = str(error)
    return _unavailable[key]


class Session:
    """An artifact bound to a device, with resident parameters."""

    def __init__(self, artifact_path, device="cpu", seed=0):
        self._artifact = ctypes.c_void_p()
        self._device = ctypes.c_void_p()
        self._session = ctypes.c_void_p()
        _call(lib().hetc_artifact_open, str(artifact_path).encode(),
              ctypes.byref(self._artifact))
        _call(lib().hetc_device_open, device.encode(), 0,
              ctypes.byref(self._device))
        _call(lib().hetc_session_create, self._artifact, self._device,
              ctypes.byref(self._session))
        _call(lib().hetc_session_init_params, self._session,
              ctypes.c_uint64(seed))

    def close(self):
        if self._session:
            lib().hetc_session_free(self._session)
            lib().hetc_device_free(self._device)
            lib().hetc_artifact_free(self._artifact)
            self._session = None

    __del__ = close

    def signature(self, entry):
        num_args, num_results = ctypes.c_size_t(), ctypes.c_size_t()
        args, results = ctypes.POINTER(TensorInfo)(), ctypes.POINTER(TensorInfo)()
        _call(lib().hetc_artifact_entry_signature, self._artifact,
              entry.encode(), ctypes.byref(num_args), ctypes.byref(args),
              ctypes.byref(num_results), ctypes.byref(results))
        describe = lambda i: (i.name.decode(), i.role, DTYPES.get(i.dtype),
                              tuple(i.shape[:i.rank]))
        return ([describe(args[k]) for k in range(num_args.value)],
                [describe(results[k]) for k in range(num_results.value)])

    def state_names(self):
        n = lib().hetc_session_state_count(self._session)
        return [lib().hetc_session_state_info(self._session, i).contents.name
                .decode() for i in range(n)]

    def get(self, name):
        info = next(i for i in (lib().hetc_session_state_info(self._session, k)
                                .contents for k in
                                range(lib().hetc_session_state_count(
                                    self._session)))
                    if i.name.decode() == name)
        out = np.empty(tuple(info.shape[:info.rank]), DTYPES[info.dtype])
        t, keep = _tensor(name, out)
        _call(lib().hetc_session_get_tensor, self._session, ctypes.byref(t))
        return out

    def set(self, name, array):
        t, keep = _tensor(name, array)
        _call(lib().hetc_session_set_tensor, self._session, ctypes.byref(t))

    def _run(self, entry, inputs, train):
        _, results = self.signature(entry)
        ins, keep = [], []
        for name, array in inputs.items():
            t, k = _tensor(name, array)
            ins.append(t)
            keep.append(k)
        outs_np = {name: np.empty(shape, dtype) for name, role, dtype, shape
                   in results if role == 5}
        outs = []
        for name, array in outs_np.items():
            t, k = _tensor(name, array)
            outs.append(t)
            keep.append(k)
        in_array = (Tensor * max(len(ins), 1))(*ins)
        out_array = (Tensor * max(len(outs), 1))(*outs)
        loss = ctypes.c_float()
        if train:
            _call(lib().hetc_session_train_step, self._session, in_array,
                  ctypes.c_size_t(len(ins)), ctypes.byref(loss), out_array,
                  ctypes.c_size_t(len(outs)))
        else:
            _call(lib().hetc_session_run, self._session, entry.encode(),
                  in_array, ctypes.c_size_t(len(ins)), ctypes.byref(loss),
                  out_array, ctypes.c_size_t(len(outs)))
        return loss.value, outs_np

    def train_step(self, **inputs):
        return self._run("train_step", inputs, True)

    def run(self, entry="eval", **inputs):
        return self._run(entry, inputs, False)
