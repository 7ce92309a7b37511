"""Password hashing: bcrypt over an HMAC-SHA-384 pre-hash with a secret kept outside the
database, plus verification of Magento's hashes so imported customers keep their passwords.

Why this shape (reliability-notes §3, OWASP Password Storage Cheat Sheet):

* bcrypt 5 refuses inputs above 72 bytes, and 64 non-ASCII characters can be 256 bytes; the
  pre-hash turns any password (NFKC-normalised, so fullwidth ``ｐａｓｓ`` equals ``pass``) into
  64 NUL-free bytes.
* The pre-hash is keyed (a "pepper" in a 0600 key file), so a stolen database alone cannot be
  attacked with a password list, and unkeyed-pre-hash "shucking" does not apply.
* The stored value carries a scheme tag (``bcrypt-hmac384$…``) so cost or scheme changes
  rehash on the next successful sign-in, as Magento hashes do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import bcrypt

from custtui.services.errors import ServiceError

SCHEME = "bcrypt-hmac384"
COST = 12
KEY_ENV = "CUSTTUI_KEY_FILE"


class KeyFileError(ServiceError):
    """The password key file cannot be used safely."""


def key_path() -> Path:
    """Where the pepper lives: ``$CUSTTUI_KEY_FILE``, else next to the SQLite database,
    else ``data/custtui.key`` (PostgreSQL). Every process sharing a database must see it."""
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    from custtui.models.db import database, is_sqlite

    db = database.obj
    if db is not None and is_sqlite(db) and db.database not in (":memory:", ""):
        return Path(db.database).resolve().parent / "custtui.key"
    return Path("data") / "custtui.key"


@cache
def _secret_at(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(
                f"The password key file {path} is readable by other users; run chmod 600 {path}."
            ) from None
        text = path.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            raise KeyFileError(f"The password key file {path} is damaged.") from None
        if len(key) < 32:
            raise KeyFileError(f"The password key file {path} is damaged (too short).") from None
        return key
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


def secret() -> bytes:
    """The pepper, created (mode 0600) on first use."""
    path = key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return _secret_at(path.resolve())


def _prehash(password: str) -> bytes:
    normalised = unicodedata.normalize("NFKC", password).encode("utf-8")
    return base64.b64encode(hmac.new(secret(), normalised, hashlib.sha384).digest())


def hash_password(password: str) -> str:
    """A new stored hash (≈200 ms at cost 12: call it from a worker, never the UI thread)."""
    digest = bcrypt.hashpw(_prehash(password), bcrypt.gensalt(COST))
    return f"{SCHEME}${digest.decode('ascii')}"


@dataclass(frozen=True)
class Verified:
    ok: bool
    needs_rehash: bool = False


@cache
def _dummy(cost: int) -> bytes:
    return bcrypt.hashpw(b"custtui-timing-equaliser", bcrypt.gensalt(cost))


def dummy_verify(password: str) -> Verified:
    """Spend what a real check spends — one bcrypt check at the current cost — for unknown
    accounts, locked ones and cheap legacy hashes (no timing oracle)."""
    bcrypt.checkpw(_prehash(password), _dummy(COST))
    return Verified(False)


def verify(password: str, stored: str | None) -> Verified:
    """Check *password* against a stored hash of any supported scheme; never raises on a
    malformed hash (that is a failed check)."""
    if not stored:
        return dummy_verify(password)
    if stored.startswith(SCHEME + "$"):
        encoded = stored[len(SCHEME) + 1 :].encode("ascii", "replace")
        try:
            ok = bcrypt.checkpw(_prehash(password), encoded)
        except ValueError:
            return dummy_verify(password)
        return Verified(ok, ok and _cost(encoded) < COST)
    ok = _verify_magento(password, stored)
    return Verified(ok, ok)


def _slow(versions: list[str]) -> bool:
    """Whether a Magento version chain includes an Argon2 step (md5/sha256 cost nothing)."""
    return any(v.strip().startswith(("2", "3")) for v in versions)


def _cost(encoded: bytes) -> int:
    try:
        return int(encoded.split(b"$")[2])
    except (IndexError, ValueError):
        return 0


# -- Magento (reference B5) -------------------------------------------------------------
def _argon2(value: str, salt: str, ops: int = 2, memory: int = 67108864, size: int = 32) -> str:
    from argon2.low_level import Type, hash_secret_raw

    raw_salt = salt.encode("utf-8")
    salt16 = (raw_salt * (16 // max(1, len(raw_salt)) + 1))[:16] if raw_salt else b"\0" * 16
    digest = hash_secret_raw(
        value.encode("utf-8"),
        salt16,
        time_cost=ops,
        memory_cost=memory // 1024,
        parallelism=1,
        hash_len=size,
        type=Type.ID,
        version=19,
    )
    return digest.hex()


def _apply(version: str, value: str, salt: str) -> str | None:
    if version == "0":
        return hashlib.md5(f"{salt}{value}".encode()).hexdigest()
    if version == "1":
        return hashlib.sha256(f"{salt}{value}".encode()).hexdigest()
    if version == "2":
        return _argon2(value, salt)
    if version.startswith("3"):
        parts = version.split("_")
        if len(parts) == 1:
            return _argon2(value, salt)
        try:
            size, ops, memory = (int(p) for p in parts[1:4])
        except ValueError:
            return None
        if not (16 <= size <= 64 and 1 <= ops <= 10 and 8192 <= memory <= 1 << 30):
            return None  # refuse absurd parameters from an imported file
        return _argon2(value, salt, ops, memory, size)
    return None


def _verify_magento(password: str, stored: str) -> bool:
    parts = stored.split(":", 2)
    if len(parts) == 3:
        expected, salt, versions = parts[0], parts[1], parts[2].split(":")
    elif len(parts) == 2:
        # Magento 1 / migration tools: "hash:salt", md5 for 32 hex digits, sha256 for 64.
        expected, salt = parts
        versions = {32: ["0"], 64: ["1"]}.get(len(expected), [])
    else:
        dummy_verify(password)
        return False
    if not versions:
        dummy_verify(password)
        return False
    if not _slow(versions):
        # md5/sha256 take microseconds: spend a bcrypt check so that a customer imported
        # with a legacy hash cannot be told apart from an unknown email by timing.
        dummy_verify(password)
    value: str | None = password
    for version in versions:
        value = _apply(version.strip(), value, salt) if value is not None else None
    if value is None:
        if _slow(versions):
            dummy_verify(password)  # refused Argon2 parameters: not yet paid for
        return False
    return hmac.compare_digest(value.lower(), expected.lower())


def magento_hash(password: str, salt: str, versions: str) -> str:
    """Build a Magento-format hash (for tests and for migration tooling)."""
    value: str | None = password
    for version in versions.split(":"):
        value = _apply(version, value, salt) if value is not None else None
    if value is None:
        raise ValueError(f"unsupported Magento hash version {versions!r}")
    return f"{value}:{salt}:{versions}"
