"""ctypes declarations of libjaxcore's C ABI, in one table, and the one
helper that turns status codes into Python exceptions."""

import ctypes as C
import os
import pathlib

ABI_MAJOR = 1

class JaxcoreError(RuntimeError):
    pass

_EXC = {1: TypeError, 2: ValueError, 3: IndexError, 4: TypeError, 5: NotImplementedError,
        6: RuntimeError, 7: ValueError, 8: JaxcoreError}

def _find():
    env = os.environ.get("JAXCORE_LIB")
    if env:
        return env
    here = pathlib.Path(__file__).resolve().parent
    cands = [here / "libjaxcore.so"]
    for up in here.parents:
        cands += [up / "target" / "release" / "libjaxcore.so", up / "target" / "debug" / "libjaxcore.so"]
    for c in cands:
        if c.exists():
            return str(c)
    raise ImportError("libjaxcore.so not found: build it (cargo build --release) or set JAXCORE_LIB")

lib = C.CDLL(_find())

arr, fn, status = C.c_void_p, C.c_void_p, C.c_int32

class Params(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("ints", C.POINTER(C.c_int64)), ("n_ints", C.c_size_t),
                ("floats", C.POINTER(C.c_double)), ("n_floats", C.c_size_t), ("dtype", C.c_int32),
                ("flags", C.c_uint32), ("str_", C.c_char_p)]

CALLBACK = C.CFUNCTYPE(status, C.c_void_p, C.POINTER(arr), C.c_size_t, C.POINTER(arr), C.c_size_t, C.POINTER(C.c_size_t))
FREE = C.CFUNCTYPE(None, C.c_void_p)

def _check(result, func, args):
    if result != 0:
        msg = lib.jc_last_error().decode("utf-8", "replace")
        raise _EXC.get(result, JaxcoreError)(msg)
    return result

P = C.POINTER
_TABLE = [
    ("jc_abi_version", [], C.c_uint32, False),
    ("jc_last_error", [], C.c_char_p, False),
    ("jc_set_error", [status, C.c_char_p], None, False),
    ("jc_array_from_host", [C.c_uint32, P(C.c_int64), C.c_size_t, C.c_void_p, C.c_size_t, P(arr)], status, True),
    ("jc_array_scalar", [C.c_uint32, C.c_double, P(arr)], status, True),
    ("jc_weak_float", [C.c_double, P(arr)], status, True),
    ("jc_weak_int", [C.c_int64, P(arr)], status, True),
    ("jc_array_to_host", [arr, C.c_void_p, C.c_size_t], status, True),
    ("jc_array_ndim", [arr, P(C.c_size_t)], status, True),
    ("jc_array_shape", [arr, P(C.c_int64), C.c_size_t], status, True),
    ("jc_array_dtype", [arr, P(C.c_uint32)], status, True),
    ("jc_array_weak_type", [arr, P(C.c_bool)], status, True),
    ("jc_array_is_tracer", [arr, P(C.c_bool)], status, True),
    ("jc_array_to_string", [arr, C.c_char_p, C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_array_block_until_ready", [arr], status, True),
    ("jc_array_retain", [arr, P(arr)], status, True),
    ("jc_array_free", [arr], status, True),
    ("jc_array_live_count", [], C.c_size_t, False),
    ("jc_op", [C.c_char_p, P(arr), C.c_size_t, P(Params), P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_fn_from_callback", [CALLBACK, C.c_void_p, FREE, C.c_char_p, P(fn)], status, True),
    ("jc_fn_free", [fn], status, True),
    ("jc_fn_call", [fn, P(arr), C.c_size_t, P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_grad", [fn, P(C.c_int64), C.c_size_t, C.c_bool, P(fn)], status, True),
    ("jc_value_and_grad", [fn, P(C.c_int64), C.c_size_t, C.c_bool, P(fn)], status, True),
    ("jc_vmap", [fn, P(C.c_int64), C.c_size_t, P(C.c_int64), C.c_size_t, C.c_int64, P(fn)], status, True),
    ("jc_jit", [fn, P(C.c_int64), C.c_size_t, P(C.c_int64), C.c_size_t, P(fn)], status, True),
    ("jc_fn_graph_string", [fn, P(arr), C.c_size_t, C.c_char_p, C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_fn_stablehlo", [fn, P(arr), C.c_size_t, C.c_char_p, C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_host_callback", [fn, P(arr), C.c_size_t, P(C.c_uint32), P(C.c_size_t), P(C.c_int64), C.c_size_t, C.c_int32, C.c_int32, P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_config_set_x64", [C.c_bool], status, True),
    ("jc_jvp", [fn, P(arr), P(arr), C.c_size_t, P(arr), P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_vjp", [fn, P(arr), C.c_size_t, P(arr), C.c_size_t, P(C.c_size_t), P(fn)], status, True),
    ("jc_jacfwd", [fn, P(C.c_int64), C.c_size_t, P(fn)], status, True),
    ("jc_jacrev", [fn, P(C.c_int64), C.c_size_t, P(fn)], status, True),
    ("jc_hessian", [fn, P(C.c_int64), C.c_size_t, P(fn)], status, True),
    ("jc_cond", [arr, fn, fn, P(arr), C.c_size_t, P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_switch", [arr, P(fn), C.c_size_t, P(arr), C.c_size_t, P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_while_loop", [fn, fn, P(arr), C.c_size_t, P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_fori_loop", [arr, arr, fn, P(arr), C.c_size_t, P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_scan", [fn, P(arr), C.c_size_t, P(arr), C.c_size_t, C.c_int64, C.c_bool, C.c_int64, P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_checkpoint", [fn, P(fn)], status, True),
    ("jc_custom_jvp", [fn, fn, P(fn)], status, True),
    ("jc_custom_vjp", [fn, fn, fn, P(fn)], status, True),
    ("jc_weak_complex", [C.c_double, C.c_double, P(arr)], status, True),
    ("jc_closure_convert", [fn, P(arr), C.c_size_t, P(fn), P(arr), C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_client_default", [P(C.c_void_p)], status, True),
    ("jc_client_device_count", [C.c_void_p, P(C.c_size_t)], status, True),
    ("jc_client_free", [C.c_void_p], status, True),
    ("jc_default_backend", [C.c_char_p, C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_vmap_named", [fn, P(C.c_int64), C.c_size_t, P(C.c_int64), C.c_size_t, C.c_int64, C.c_char_p, P(fn)], status, True),
    ("jc_set_cpu_device_count", [C.c_size_t], status, True),
    ("jc_make_mesh", [P(C.c_size_t), P(C.c_char_p), P(C.c_int32), C.c_size_t, P(C.c_void_p)], status, True),
    ("jc_mesh_size", [C.c_void_p, P(C.c_size_t)], status, True),
    ("jc_mesh_to_string", [C.c_void_p, C.c_char_p, C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_mesh_free", [C.c_void_p], status, True),
    ("jc_device_put_sharded", [arr, C.c_void_p, P(C.c_char_p), C.c_size_t, P(arr)], status, True),
    ("jc_reshard", [arr, C.c_void_p, P(C.c_char_p), C.c_size_t, P(arr)], status, True),
    ("jc_array_type_string", [arr, C.c_char_p, C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_array_sharding_string", [arr, C.c_char_p, C.c_size_t, P(C.c_size_t)], status, True),
    ("jc_array_shard_count", [arr, P(C.c_size_t)], status, True),
    ("jc_array_shard", [arr, C.c_size_t, P(C.c_int64), P(C.c_int64), C.c_size_t, P(arr)], status, True),
    ("jc_shard_map", [fn, C.c_void_p, P(C.c_char_p), P(C.c_size_t), C.c_size_t, P(C.c_char_p), P(C.c_size_t), C.c_size_t, P(fn)], status, True),
]
for name, argtypes, restype, checked in _TABLE:
    f = getattr(lib, name)
    f.argtypes, f.restype = argtypes, restype
    if checked:
        f.errcheck = _check

_v = lib.jc_abi_version()
if _v // 1000 != ABI_MAJOR:
    raise ImportError(f"libjaxcore ABI version {_v // 1000}.{_v % 1000} is not supported (this binding needs {ABI_MAJOR}.x)")

def string_out(call, *args):
    n = C.c_size_t(0)
    call(*args, None, 0, C.byref(n))
    buf = C.create_string_buffer(n.value + 1)
    call(*args, buf, n.value + 1, C.byref(n))
    return buf.value.decode()
