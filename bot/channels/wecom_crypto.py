"""WeCom (企业微信) callback signatures, AES message crypto and XML parsing: pure functions.

Kept apart from :mod:`bot.channels.wecom` (the webhook and the message API) so
that the part an attacker talks to first can be read and tested on its own.
Every rejection raises :class:`MalformedMessage` or :class:`ReceiverMismatch`;
the webhook answers all malformed ciphertexts alike (400, no detail), so the
reason never leaks as a padding oracle.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import ElementTree as SafeElementTree

from bot.channels.errors import MalformedMessage, ReceiverMismatch

BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """msg_signature: SHA1 hex of the four strings sorted and concatenated."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode("utf-8")).hexdigest()


def verify_signature(
    token: str,
    timestamp: str,
    nonce: str,
    encrypt: str,
    msg_signature: str,
    now: float | None = None,
    max_skew_s: int = 300,
) -> bool:
    """True when the signature matches and the timestamp is within ``max_skew_s`` of now (0: no window)."""
    if not (timestamp and nonce and encrypt and msg_signature):
        return False
    if max_skew_s > 0:
        try:
            sent = int(timestamp)
        except ValueError:
            return False
        if abs((time.time() if now is None else now) - sent) > max_skew_s:
            return False
    expected = signature(token, timestamp, nonce, encrypt)
    return hmac.compare_digest(expected.encode("ascii"), msg_signature.strip().lower().encode("ascii", "replace"))


def aes_key_bytes(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except ValueError as exc:
        raise MalformedMessage("EncodingAESKey is not base64") from exc
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise MalformedMessage("EncodingAESKey must be 43 characters (32 bytes)")
    return key


def _cipher(key: bytes) -> Cipher:
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))  # WeCom's IV is the key's first 16 bytes


def encrypt_raw(aes_key: str, plain: bytes) -> str:
    """Base64 AES-CBC of ``plain`` as it is, no padding added (``plain`` must be whole blocks).

    For tests that need ciphertexts whose plaintext is wrong in a chosen way.
    """
    encryptor = _cipher(aes_key_bytes(aes_key)).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


def encrypt(aes_key: str, text: str, receive_id: str, random_bytes: bytes | None = None) -> str:
    """Base64 ciphertext of 16 random bytes + length (network order) + text + receive id."""
    body = text.encode("utf-8")
    random_bytes = os.urandom(16) if random_bytes is None else random_bytes
    plain = random_bytes + struct.pack(">I", len(body)) + body + receive_id.encode("utf-8")
    pad = BLOCK - len(plain) % BLOCK
    return encrypt_raw(aes_key, plain + bytes([pad]) * pad)


def decrypt(aes_key: str, encrypt_b64: str, receive_id: str) -> str:
    """The message inside a ciphertext, after checking it was meant for ``receive_id``.

    Raises:
        MalformedMessage: not base64, not whole blocks, bad padding or length.
        ReceiverMismatch: the plaintext names another CorpID.
    """
    key = aes_key_bytes(aes_key)
    try:
        data = base64.b64decode(encrypt_b64, validate=True)
    except ValueError as exc:
        raise MalformedMessage("ciphertext is not base64") from exc
    if not data or len(data) % 16:
        raise MalformedMessage("ciphertext is not a whole number of AES blocks")
    decryptor = _cipher(key).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise MalformedMessage("bad padding")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise MalformedMessage("plaintext too short")
    (length,) = struct.unpack(">I", plain[16:20])
    if 20 + length > len(plain):
        raise MalformedMessage("length field beyond the plaintext")
    message, received_for = plain[20 : 20 + length], plain[20 + length :]
    if not hmac.compare_digest(received_for, receive_id.encode("utf-8")):
        raise ReceiverMismatch("message is for another CorpID")
    try:
        return message.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedMessage("message is not UTF-8") from exc


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The child elements of the root as a flat dict. No DTD, no entities, no external anything."""
    try:
        root = SafeElementTree.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception as exc:  # ParseError, DTDForbidden, EntitiesForbidden, ...
        raise MalformedMessage(f"XML refused: {exc.__class__.__name__}") from exc
    return {child.tag: (child.text or "").strip() for child in root}
