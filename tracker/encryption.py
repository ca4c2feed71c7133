"""Secrets at rest (the TOTP key, and any stored credential) encrypted with a key kept out of the database.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`): a leaked database or backup
holds only ciphertext. The key comes from the ENCRYPTION_KEY setting: one or more Fernet keys
separated by commas; the first encrypts, every one decrypts, so a key can be rotated by
putting the new one first (and re-saving) without losing what the old one sealed.
"""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

__all__ = ["InvalidToken", "decrypt", "encrypt", "new_key", "box"]


def new_key() -> str:
    return Fernet.generate_key().decode()


def box(keys: str) -> MultiFernet:
    """A MultiFernet of the comma-separated `keys` (ValueError for a malformed key)."""
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        raise ValueError("ENCRYPTION_KEY is empty")
    return MultiFernet([Fernet(k) for k in parts])


def _current_box() -> MultiFernet:
    keys = current_app.config["ENCRYPTION_KEY"]
    cache = current_app.extensions.setdefault("tracker_encryption", {})
    if keys not in cache:
        cache.clear()
        cache[keys] = box(keys)
    return cache[keys]


def encrypt(text: str) -> str:
    return _current_box().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The plain text of `token`; InvalidToken if no configured key opens it (wrong key, tampering)."""
    return _current_box().decrypt(token.encode("ascii")).decode("utf-8")


def box_ttl_decrypt(token: str, ttl_seconds: int) -> str:
    """Like decrypt(), but InvalidToken also when the token is older than `ttl_seconds`."""
    return _current_box().decrypt(token.encode("ascii"), ttl=ttl_seconds).decode("utf-8")
