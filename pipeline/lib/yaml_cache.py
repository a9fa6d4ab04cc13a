"""Parse the project's YAML data files once per content, not once per process.

PyYAML builds Python objects slowly (the actor dictionary's ~15,000 lines take almost a second
even with libyaml), and every worker process loads the same files. The parsed structure is stored
as a pickle named by the SHA-256 of the file's bytes in a user cache folder
(``$ALLIANCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/alliance-events``, else
``~/.cache/alliance-events``): an edited file has another hash, so a stale entry is never read.
Without a writable cache folder the file is simply parsed each time. :func:`remembered` keeps
other slow answers the same way, named by a hash of everything they depend on.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_VERSION = b"alliance-yaml-cache-1"
T = TypeVar("T")


def cache_dir() -> Path:
    """The folder that holds parsed data files."""
    if os.environ.get("ALLIANCE_CACHE_DIR"):
        return Path(os.environ["ALLIANCE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "alliance-events"


def remembered(key: bytes, compute: Callable[[], T]) -> T:
    """``compute()``, kept as a pickle named by the SHA-256 of ``key`` (which must name everything
    the answer depends on) and read back by later calls and processes."""
    cached = cache_dir() / f"{hashlib.sha256(_VERSION + key).hexdigest()}.pickle"
    try:
        with cached.open("rb") as handle:
            return pickle.load(handle)  # written by this function only, named by content hash
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    answer = compute()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump(answer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, cached)
    except OSError:
        pass  # a read-only home: compute again next time
    return answer


def load_yaml(path: Path, loader: type = _LOADER) -> Any:
    """The parsed content of the YAML file at ``path`` (raises yaml.YAMLError like yaml.load)."""
    data = path.read_bytes()
    return remembered(loader.__name__.encode() + data, lambda: yaml.load(data.decode("utf-8"), Loader=loader))
