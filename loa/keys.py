"""The key that encrypts channel credentials at rest.

It comes from the LOA_SECRET_KEY environment variable, or from a key file that `loa init`
creates with 0600 permissions beside the database. It is never written to the configuration.
"""

from __future__ import annotations

import os
from pathlib import Path

KEY_ENV = "LOA_SECRET_KEY"


def ensure_key_file(path: Path) -> Path:
    """Create a new random key file readable by its owner only, unless one exists."""
    from cryptography.fernet import Fernet

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(Fernet.generate_key())
    return path


def load_key(path: Path) -> bytes:
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return from_env.encode()
    if not path.exists():
        raise FileNotFoundError(
            f"no encryption key: set {KEY_ENV} or run `loa init` to create {path}"
        )
    if path.stat().st_mode & 0o077:
        raise PermissionError(f"{path} must be readable by its owner only: chmod 600 {path}")
    return path.read_bytes().strip()
