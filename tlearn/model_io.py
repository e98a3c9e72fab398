"""Saving and loading :class:`tlearn.MLP` models as ``.npz`` files, safely.

The file holds the architecture (``sizes``, ``activation``, ``task``), the
parameters ``W1, b1, ..., WL, bL`` and the frozen flags, and is read with
``allow_pickle=False``, so a tampered file can never execute code. Before
anything is allocated, the sizes a file declares are checked against the
arrays it holds and against :data:`MAX_PARAMETERS`, so a tiny file cannot make
:func:`load_model` allocate gigabytes; any failure is a ``ValueError`` naming
the file (never a ``MemoryError``).
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["FORMAT", "MAX_PARAMETERS", "MAX_LAYERS", "check_budget", "model_path", "save_model", "load_model"]

FORMAT = "tlearn.MLP/1"
#: The largest network a file (or the constructor) may declare: 20 million weights and biases.
MAX_PARAMETERS = 20_000_000
#: The longest ``sizes`` list accepted (input + hidden + output widths).
MAX_LAYERS = 64
_SCALARS = ("format", "activation", "task")


def check_budget(sizes, name="sizes"):
    """Raise ``ValueError`` when ``sizes`` (ints >= 1) declares more than the parameter budget."""
    if len(sizes) > MAX_LAYERS:
        raise ValueError(f"{name} lists {len(sizes)} widths; at most {MAX_LAYERS} are supported")
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    if n_params > MAX_PARAMETERS:
        raise ValueError(f"{name} = {list(sizes)} declares {n_params:,} parameters, more than the budget of "
                         f"{MAX_PARAMETERS:,} (tlearn.model_io.MAX_PARAMETERS)")
    return n_params


def model_path(path):
    """``path`` as a ``Path`` ending in ``.npz`` (added if missing), as :func:`numpy.savez` writes it."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or os.PathLike), got {type(path).__name__}")
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def save_model(model, path):
    """Write ``model`` to ``path`` (``.npz`` added if missing); returns the ``Path`` written.

    A directory is refused, and so are NaN, infinite or complex parameters.
    """
    if isinstance(path, (str, os.PathLike)) and Path(path).is_dir():
        raise ValueError(f"path {str(path)!r} is a directory; give a file name such as 'model.npz'")
    target = model_path(path)
    if target.is_dir():
        raise ValueError(f"path {str(target)!r} is a directory; give a file name such as 'model.npz'")
    arrays = {"format": np.array(FORMAT), "sizes": np.array(model.sizes, dtype=np.int64),
              "activation": np.array(model.activation), "task": np.array(model.task),
              "frozen": np.array([layer.frozen for layer in model.layers])}
    for l, layer in enumerate(model.layers, 1):
        for name, p in ((f"W{l}", layer.W), (f"b{l}", layer.b)):
            if np.iscomplexobj(p) or not np.all(np.isfinite(p)):
                raise ValueError(f"cannot save: parameter {name} holds NaN, infinite or complex values")
            arrays[name] = p
    np.savez(target, **arrays)
    return target


def _headers(zf):
    """``{name: (shape, dtype)}`` of every array in the archive, read from the .npy headers only."""
    out = {}
    for info in zf.infolist():
        if not info.filename.endswith(".npy"):
            raise ValueError(f"unexpected member {info.filename!r}")
        with zf.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f"member {info.filename!r} has .npy format version {version}; expected 1.0 or 2.0")
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = read(f)
        out[info.filename[:-4]] = (tuple(int(s) for s in shape), np.dtype(dtype))
    return out


def _check_headers(heads):
    """Check the declared shapes/dtypes; returns the expected parameter shapes (needs ``sizes`` read)."""
    for key in _SCALARS:
        if key not in heads or heads[key][0] != () or heads[key][1].kind != "U" or heads[key][1].itemsize > 1024:
            raise ValueError(f"missing or malformed {key!r} entry")
    if "sizes" not in heads or len(heads["sizes"][0]) != 1 or heads["sizes"][1].kind not in "iu":
        raise ValueError("missing or malformed 'sizes' entry (expected a 1-D integer array)")
    if not 2 <= heads["sizes"][0][0] <= MAX_LAYERS:
        raise ValueError(f"'sizes' declares {heads['sizes'][0][0]} widths; expected 2..{MAX_LAYERS}")
    if "frozen" not in heads or len(heads["frozen"][0]) != 1 or heads["frozen"][1] != np.bool_:
        raise ValueError("missing or malformed 'frozen' entry")
    for key, (shape, dtype) in heads.items():
        if key[0] in "Wb" and key[1:].isdigit():
            if dtype.kind == "c":
                raise ValueError(f"{key} is complex ({dtype}); the weights must be real")
            if dtype not in (np.float32, np.float64):
                raise ValueError(f"{key} has dtype {dtype}; expected float32 or float64")
        elif key not in _SCALARS + ("sizes", "frozen"):
            raise ValueError(f"unexpected entry {key!r}")


def _read(path, cls):
    with zipfile.ZipFile(path) as zf:
        heads = _headers(zf)
    _check_headers(heads)
    with np.load(path, allow_pickle=False) as f:
        if str(f["format"]) != FORMAT:
            raise ValueError(f"the 'format' entry is {str(f['format'])!r}, expected {FORMAT!r}")
        sizes = [int(s) for s in f["sizes"]]
        if min(sizes) < 1:
            raise ValueError(f"'sizes' must be positive widths, got {sizes}")
        check_budget(sizes, "the declared sizes")
        L = len(sizes) - 1
        expected = {k: v for l in range(1, L + 1)
                    for k, v in ((f"W{l}", (sizes[l - 1], sizes[l])), (f"b{l}", (sizes[l],)))}
        found = {k for k in heads if k[0] in "Wb" and k[1:].isdigit()}
        if found != set(expected):
            raise ValueError(f"layer arrays {sorted(found)} do not match sizes {sizes} (expected {sorted(expected)})")
        for key, shape in expected.items():
            if heads[key][0] != shape:
                raise ValueError(f"{key} has shape {heads[key][0]}, expected {shape} from sizes {sizes}")
        if heads["frozen"][0] != (L,):
            raise ValueError(f"'frozen' has shape {heads['frozen'][0]}, expected ({L},)")
        model = cls(sizes, str(f["activation"]), str(f["task"]), dtype=heads["W1"][1])
        model.set_parameters([f[k] for k in expected])  # refuses NaN and infinite values
        for layer, frozen in zip(model.layers, f["frozen"]):
            layer.frozen = bool(frozen)
    return model


def load_model(path, cls):
    """Read a model of class ``cls`` from a file written by :func:`save_model`.

    ``path`` may omit the ``.npz`` suffix (``save('model')`` writes
    ``model.npz``). Anything but a well-formed tlearn MLP file raises
    ``ValueError`` naming the file and the problem.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or os.PathLike), got {type(path).__name__}")
    if not Path(path).is_file() and model_path(path).is_file():
        path = model_path(path)
    if not Path(path).is_file():
        raise ValueError(f"{str(path)!r} is not a readable tlearn MLP .npz file: no such file")
    try:
        return _read(path, cls)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValueError(f"{str(path)!r} is not a readable tlearn MLP .npz file: {exc}") from None
    except (ValueError, TypeError, KeyError, MemoryError) as exc:
        raise ValueError(f"{str(path)!r} is a malformed tlearn MLP file: {exc}") from None
