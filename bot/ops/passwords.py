"""Password hashes for console accounts: scrypt from the standard library (hashlib).

Stored as ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``, so the cost can be raised
later without invalidating older hashes (:func:`needs_rehash`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# RFC 7914 / OWASP: N=2**15, r=8, p=1 takes ~50 ms and 32 MiB; maxmem must allow 128*N*r bytes.
N, R, P = 2**15, 8, 1
DKLEN = 32
MIN_LENGTH = 10
MAX_LENGTH = 256  # scrypt of a megabyte "password" is a cheap denial of service


class WeakPassword(ValueError):
    """The password is refused; ``str(exc)`` is for the user."""


def check_strength(password: str, name: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少 {MIN_LENGTH} 个字符。")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"密码最多 {MAX_LENGTH} 个字符。")
    if name and name.lower() in password.lower():
        raise WeakPassword("密码不能包含账号名。")
    if len(set(password)) < 4:
        raise WeakPassword("密码过于简单。")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=DKLEN)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, N, R, P)
    b64 = base64.b64encode
    return f"scrypt${N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches ``stored``; a garbled hash never matches."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)


def needs_rehash(stored: str) -> bool:
    return not stored.startswith(f"scrypt${N}${R}${P}$")


# Verified against when the account does not exist, so that timing does not tell which names exist.
DUMMY_HASH = f"scrypt${N}${R}${P}${base64.b64encode(bytes(16)).decode()}${base64.b64encode(bytes(DKLEN)).decode()}"
