"""Optional TOTP two-factor sign-in (RFC 6238), with pyotp and segno for the QR code."""
from __future__ import annotations

import pyotp
import segno

ISSUER = "tracker"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(email: str, secret: str) -> str:
    """The otpauth:// URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data: URI (the CSP allows data: images, nothing inline)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def verify(secret: str, code: str) -> bool:
    """True for the current code or its immediate neighbours (30 s of clock drift either way)."""
    code = "".join(code.split())
    return len(code) == 6 and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)
