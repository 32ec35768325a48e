"""Checkpoint (signed tree head) signatures: SM2 with SM3 (国密, the default) or Ed25519.

A court or reviewer must be able to check a signature with nothing but stock OpenSSL 3, so keys are
written exactly as ``openssl genpkey`` writes them (PKCS#8 / SubjectPublicKeyInfo PEM) and
signatures exactly as ``openssl pkeyutl -sign`` makes them: raw 64 bytes for Ed25519, DER
``SEQUENCE {r, s}`` for SM2. ``openssl_verify_command`` gives the matching command line.

``cryptography`` has no SM2, and the one pure-Python package for it (gmssl) draws nonces from
``random``, mangles some public keys (``lstrip("04")``) and skips range checks, so the SM2 maths
(GB/T 32918.2, recommended curve of GB/T 32918.5) is done here over Python integers, with SM3 from
hashlib. The distinguishing ID is always GM/T 0009's default "1234567812345678"; note that OpenSSL
1.1.1-3.x defaults to an *empty* ID, hence ``-pkeyopt distid:…`` in the command.

Side channels: the nonce and key scalars go through a fixed-length Montgomery ladder, so the number
and order of curve operations never depends on them; Python's big integers are not constant-time
below that. Checkpoints are signed every few minutes on our own server, which makes that residual
timing signal hard to collect; a signer exposed to attackers who can time it should use an HSM.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import shlex
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

ALGORITHMS = ("sm2", "ed25519")
SM2_DEFAULT_ID = b"1234567812345678"  # GM/T 0009-2012 §10

# The SM2 recommended curve y² = x³ + ax + b over F_p (GB/T 32918.5-2017), cofactor 1.
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = P - 3
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
G = (
    0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
)

Point = tuple[int, int]  # affine; the point at infinity never leaves this module's maths
_Jacobian = tuple[int, int, int]  # (X, Y, Z) stands for (X/Z², Y/Z³); Z == 0 is infinity


class SignatureError(ValueError):
    """A key cannot be read or a signature does not verify; the message says which and why."""


# --- SM2 curve arithmetic --------------------------------------------------------------------


def _double(p: _Jacobian) -> _Jacobian:
    x, y, z = p
    if z == 0 or y == 0:
        return (1, 1, 0)
    delta, gamma = z * z % P, y * y % P
    beta, alpha = x * gamma % P, 3 * (x - delta) * (x + delta) % P  # a = -3 shortcut
    x3 = (alpha * alpha - 8 * beta) % P
    z3 = ((y + z) ** 2 - gamma - delta) % P
    return x3, (alpha * (4 * beta - x3) - 8 * gamma * gamma) % P, z3


def _add(p: _Jacobian, q: _Jacobian) -> _Jacobian:
    if p[2] == 0:
        return q
    if q[2] == 0:
        return p
    x1, y1, z1 = p
    x2, y2, z2 = q
    z1z1, z2z2 = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2z2 % P, x2 * z1z1 % P
    s1, s2 = y1 * z2 * z2z2 % P, y2 * z1 * z1z1 % P
    if u1 == u2:
        return _double(p) if s1 == s2 else (1, 1, 0)
    h, r = (u2 - u1) % P, (s2 - s1) % P
    hh = h * h % P
    hhh, v = h * hh % P, u1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - s1 * hhh) % P, h * z1 * z2 % P


def _mul(k: int, point: Point) -> Point | None:
    """k·point by a Montgomery ladder over a scalar padded to 257 bits, so that the sequence of
    operations does not depend on the secret nonce or key (a bit-length leak is enough for lattice
    attacks). Python integers are not constant-time below that; see the module docstring."""
    k %= N
    k += N
    if k.bit_length() <= N.bit_length():
        k += N
    r0: _Jacobian = (*point, 1)
    r1 = _double(r0)
    for i in range(k.bit_length() - 2, -1, -1):
        if (k >> i) & 1:
            r0, r1 = _add(r0, r1), _double(r1)
        else:
            r0, r1 = _double(r0), _add(r0, r1)
    x, y, z = r0
    if z == 0:
        return None
    zi = pow(z, -1, P)
    return x * zi * zi % P, y * zi * zi * zi % P


def _on_curve(point: Point) -> bool:
    x, y = point
    return 0 <= x < P and 0 <= y < P and (y * y - x * x * x - A * x - B) % P == 0


def _sm2_e(public: Point, message: bytes) -> int:
    """e = SM3(Z_A ‖ M), Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 §5.5)."""
    parts = (A, B, *G, *public)
    za_input = (8 * len(SM2_DEFAULT_ID)).to_bytes(2, "big") + SM2_DEFAULT_ID
    za = hashlib.new("sm3", za_input + b"".join(v.to_bytes(32, "big") for v in parts)).digest()
    return int.from_bytes(hashlib.new("sm3", za + message).digest(), "big")


def _sm2_sign(d: int, e: int, k: int) -> tuple[int, int] | None:
    """One signing attempt with nonce k (GB/T 32918.2 §6.1); None means: draw another k."""
    kg = _mul(k, G)
    assert kg is not None  # 0 < k < N
    r = (e + kg[0]) % N
    if r == 0 or r + k == N:
        return None
    s = pow(1 + d, -1, N) * (k - r * d) % N
    return (r, s) if s else None


def _sm2_verify(public: Point, e: int, r: int, s: int) -> bool:
    """GB/T 32918.2 §7.1, including the range checks gmssl leaves out."""
    t = (r + s) % N
    if not (0 < r < N and 0 < s < N) or t == 0:
        return False
    sg, tp = _mul(s, G), _mul(t, public)
    assert sg is not None and tp is not None
    x, _, z = _add((*sg, 1), (*tp, 1))
    if z == 0:
        return False
    return (e + x * pow(z * z, -1, P) % P) % N == r


# --- DER / PEM -------------------------------------------------------------------------------


def _tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    if n < 0x80:
        return bytes((tag, n)) + value
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(raw))) + raw + value


def _der_items(data: bytes) -> list[tuple[int, bytes]]:
    """Split concatenated DER elements into (tag, content) pairs; strict definite lengths."""
    items = []
    while data:
        if len(data) < 2:
            raise ValueError("truncated DER")
        tag, length, start = data[0], data[1], 2
        if length & 0x80:
            count, start = length & 0x7F, 2 + (length & 0x7F)
            length = int.from_bytes(data[2:start], "big")
            if not 0 < count <= 4 or len(data) < start or length < 0x80 or data[2] == 0:
                raise ValueError("bad or non-canonical DER length")
        if start + length > len(data):
            raise ValueError("truncated DER")
        items.append((tag, data[start : start + length]))
        data = data[start + length :]
    return items


def _sequence(der: bytes) -> list[tuple[int, bytes]]:
    """The elements of the one DER SEQUENCE that ``der`` must consist of."""
    ((tag, body),) = _der_items(der)  # ValueError unless exactly one element
    if tag != 0x30:
        raise ValueError("expected a DER SEQUENCE")
    return _der_items(body)


_EC_PUBLIC_KEY_OID = _tlv(0x06, bytes.fromhex("2a8648ce3d0201"))  # 1.2.840.10045.2.1
_SM2_CURVE_OID = _tlv(0x06, bytes.fromhex("2a811ccf5501822d"))  # 1.2.156.10197.1.301
_SM2_ALGID = _tlv(0x30, _EC_PUBLIC_KEY_OID + _SM2_CURVE_OID)  # how OpenSSL 3 marks an SM2 key


def _point_bytes(point: Point) -> bytes:
    return b"\x04" + point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big")


def _sm2_spki(point: Point) -> bytes:
    return _tlv(0x30, _SM2_ALGID + _tlv(0x03, b"\x00" + _point_bytes(point)))


def _sm2_pkcs8(d: int, point: Point) -> bytes:
    """Byte for byte what OpenSSL 3 writes: ECPrivateKey v1 with [1] publicKey, curve in the AlgId."""
    ec_key = b"\x02\x01\x01" + _tlv(0x04, d.to_bytes(32, "big"))
    ec_key += _tlv(0xA1, _tlv(0x03, b"\x00" + _point_bytes(point)))
    return _tlv(0x30, b"\x02\x01\x00" + _SM2_ALGID + _tlv(0x04, _tlv(0x30, ec_key)))


def _parse_point(bit_string: bytes) -> Point:
    if len(bit_string) != 66 or bit_string[:2] != b"\x00\x04":
        raise ValueError("SM2 public key must be an uncompressed point")
    point = (int.from_bytes(bit_string[2:34], "big"), int.from_bytes(bit_string[34:], "big"))
    if not _on_curve(point):
        raise ValueError("SM2 public key is not on the curve")
    return point


def _pem(label: str, der: bytes) -> bytes:
    b64 = base64.b64encode(der).decode("ascii")
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""]).encode("ascii")


_PEM_RE = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*)-----END \1-----")


def _unpem(pem: bytes, label: str) -> bytes:
    match = _PEM_RE.search(pem.decode("ascii", errors="replace")) if isinstance(pem, bytes) else None
    if match is None or match.group(1) != label:
        found = f"“{match.group(1)}”" if match else "no PEM block"
        raise SignatureError(
            f"无法读取密钥：需要 PEM “{label}” / cannot read key: expected a {label} PEM, found {found}"
        )
    try:
        return base64.b64decode("".join(match.group(2).split()), validate=True)
    except ValueError as exc:
        raise SignatureError(
            f"无法读取密钥：PEM 内容不是 base64 / cannot read key: bad base64 in {label} PEM"
        ) from exc


def _unsupported(zh: str, en: str, exc: Exception) -> SignatureError:
    return SignatureError(
        f"无法读取{zh}：格式错误或不是 SM2/Ed25519 密钥 / unreadable {en}, or not SM2/Ed25519 ({exc})"
    )


# --- keys ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    algorithm: str
    private_pem: bytes = field(repr=False)  # never in logs or tracebacks
    public_pem: bytes


class PublicKey:
    """A verifying key; made by ``load_public_key`` or ``PrivateKey.public_key``."""

    def __init__(self, algorithm: str, spki: bytes, point: Point | None, ed: ed25519.Ed25519PublicKey | None):
        self.algorithm, self._spki, self._point, self._ed = algorithm, spki, point, ed

    def __repr__(self) -> str:
        return f"<PublicKey {self.algorithm} {self.key_id()}>"

    def verify(self, message: bytes, signature: bytes) -> None:
        """Return quietly if ``signature`` is ours over ``message``, else raise SignatureError."""
        try:
            if self._point is not None:
                r, s = decode_dss_signature(signature)
                # Re-encoding rejects BER variants, so each signature has exactly one form.
                e = _sm2_e(self._point, message)
                ok = encode_dss_signature(r, s) == signature and _sm2_verify(self._point, e, r, s)
            else:
                assert self._ed is not None
                self._ed.verify(signature, message)
                ok = True
        except (ValueError, InvalidSignature):
            ok = False
        if not ok:
            raise SignatureError(
                f"签名验证失败（{self.algorithm}，密钥 {self.key_id()}）/ "
                f"{self.algorithm} signature does not verify under key {self.key_id()}"
            )

    def public_pem(self) -> bytes:
        return _pem("PUBLIC KEY", self._spki)

    def key_id(self) -> str:
        """First 16 hex digits of SHA-256 over the SubjectPublicKeyInfo DER: names the key in a
        checkpoint; recompute with ``openssl pkey -pubin -in pub.pem -outform DER | sha256sum``."""
        return hashlib.sha256(self._spki).hexdigest()[:16]


class PrivateKey:
    """A signing key; made by ``load_private_key``. Holds either an SM2 (d, d·G) or an Ed25519 key."""

    def __init__(self, algorithm: str, sm2_d: int | None, ed: ed25519.Ed25519PrivateKey | None):
        self.algorithm = algorithm
        self._sm2: tuple[int, Point] | None = None
        self._ed = ed
        if sm2_d is not None:
            point = _mul(sm2_d, G)
            assert point is not None  # callers keep 0 < d < N
            self._sm2 = (sm2_d, point)
            self._public = PublicKey("sm2", _sm2_spki(point), point, None)
        else:
            assert ed is not None
            self._public = _ed25519_public(ed.public_key())

    def sign(self, message: bytes) -> bytes:
        if self._sm2 is None:
            assert self._ed is not None
            return self._ed.sign(message)
        d, point = self._sm2
        e = _sm2_e(point, message)
        while True:  # a fresh secret nonce for every attempt; a retry has probability ~2^-255
            rs = _sm2_sign(d, e, secrets.randbelow(N - 1) + 1)
            if rs is not None:
                return encode_dss_signature(*rs)

    def public_key(self) -> PublicKey:
        return self._public

    def _pkcs8(self) -> bytes:
        if self._sm2 is not None:
            return _sm2_pkcs8(*self._sm2)
        assert self._ed is not None
        return self._ed.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def _ed25519_public(key: ed25519.Ed25519PublicKey) -> PublicKey:
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return PublicKey("ed25519", spki, None, key)


def generate_key(algorithm: str = "sm2") -> KeyPair:
    if algorithm == "sm2":
        key = PrivateKey("sm2", secrets.randbelow(N - 2) + 1, None)  # d in [1, N-2]: 1+d invertible
    elif algorithm == "ed25519":
        key = PrivateKey("ed25519", None, ed25519.Ed25519PrivateKey.generate())
    else:
        raise ValueError(f"unknown signature algorithm {algorithm!r}; use one of {ALGORITHMS}")
    return KeyPair(algorithm, _pem("PRIVATE KEY", key._pkcs8()), key.public_key().public_pem())


def _load_sm2_private(ec_private_key: bytes) -> PrivateKey:
    """RFC 5915 ECPrivateKey {1, d, [0] curve?, [1] public point?} inside PKCS#8."""
    (tag, version), (tag2, secret), *optional = _sequence(ec_private_key)
    d = int.from_bytes(secret, "big")
    if (tag, version, tag2) != (0x02, b"\x01", 0x04) or len(secret) != 32 or not 0 < d < N - 1:
        raise ValueError("malformed SM2 ECPrivateKey")
    key = PrivateKey("sm2", d, None)
    for tag, value in optional:
        if tag == 0xA0 and value != _SM2_CURVE_OID:
            raise ValueError("ECPrivateKey names a curve other than SM2")
        if tag == 0xA1 and _sm2_spki(_parse_point(_der_items(value)[0][1])) != key.public_key()._spki:
            raise ValueError("embedded SM2 public key does not match the private key")
    return key


def load_private_key(pem: bytes) -> PrivateKey:
    """Read an unencrypted PKCS#8 PEM and tell SM2 from Ed25519 by its AlgorithmIdentifier."""
    der = _unpem(pem, "PRIVATE KEY")
    try:
        items = _sequence(der)
        if len(items) >= 3 and _tlv(*items[1]) == _SM2_ALGID and items[2][0] == 0x04:
            return _load_sm2_private(items[2][1])
        ed = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, IndexError, UnsupportedAlgorithm) as exc:
        raise _unsupported("私钥", "private key", exc) from exc
    if not isinstance(ed, ed25519.Ed25519PrivateKey):
        raise _unsupported("私钥", "private key", TypeError(type(ed).__name__))
    return PrivateKey("ed25519", None, ed)


def load_public_key(pem: bytes) -> PublicKey:
    """Read a SubjectPublicKeyInfo PEM: SM2 (id-ecPublicKey on curve 1.2.156.10197.1.301) or Ed25519."""
    der = _unpem(pem, "PUBLIC KEY")
    try:
        items = _sequence(der)
        if len(items) == 2 and _tlv(*items[0]) == _SM2_ALGID and items[1][0] == 0x03:
            point = _parse_point(items[1][1])
            return PublicKey("sm2", _sm2_spki(point), point, None)
        ed = serialization.load_der_public_key(der)
    except (ValueError, TypeError, IndexError, UnsupportedAlgorithm) as exc:
        raise _unsupported("公钥", "public key", exc) from exc
    if not isinstance(ed, ed25519.Ed25519PublicKey):
        raise _unsupported("公钥", "public key", TypeError(type(ed).__name__))
    return _ed25519_public(ed)


def openssl_verify_command(algorithm: str, public_key: str, message: str, signature: str) -> str:
    """The shell command that checks a signature with stock OpenSSL 3 (tested against 3.0).

    SM2 needs ``-digest sm3`` (hash with Z_A, not a raw digest) and the explicit distinguishing ID,
    since OpenSSL 3.0 otherwise uses an empty ID and rejects every standard signature."""
    args = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", public_key, "-rawin"]
    if algorithm == "sm2":
        args += ["-digest", "sm3", "-pkeyopt", f"distid:{SM2_DEFAULT_ID.decode()}"]
    elif algorithm != "ed25519":
        raise ValueError(f"unknown signature algorithm {algorithm!r}; use one of {ALGORITHMS}")
    return shlex.join([*args, "-in", message, "-sigfile", signature])
