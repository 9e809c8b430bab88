"""What the running build is made of, as one value.

Answers worked out from a person's rows are tagged from what they are worked
out from (``core.routes.snapshot``: each part's tag is a hash of its key, so
any worker process can tell that a device's copy is current without working
the part out). The same rows give a different answer when the code that
draws it changes, so the tag also carries this value: a hash of every file of
the ``webapp`` package (code, templates, translations, content) and of the
Python and package versions it runs on. A new build changes it, and every
device then gets its parts again.
"""

from __future__ import annotations

import hashlib
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def build_tag() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            digest.update(b"\0" + path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    for name, version in sorted(
        ((dist.metadata["Name"] or "").lower(), dist.version) for dist in metadata.distributions()
    ):
        digest.update(f"\0{name}=={version}".encode())
    return digest.hexdigest()[:16]
