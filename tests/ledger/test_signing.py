"""Checkpoint signatures: SM2 (GB/T 32918, default ID) and Ed25519.

The references are the standard's own SM2 example (GB/T 32918.5-2017 / GM/T 0003.5-2012 Annex A,
recommended curve, ID "1234567812345678") and the real ``openssl`` binary in both directions: what
we sign it verifies with the documented command, what it signs with our key we verify, and the keys
it writes and ours are the same bytes.
"""

from __future__ import annotations

import hashlib
import secrets
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from zhifa.ledger import signing
from zhifa.ledger.signing import SignatureError

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl binary is not installed")
MESSAGE = b"zhifa.gov.cn/ledger/v1\n1024\n2bPgVJ5YEq8yOTRKlI5H5W3pnmpfq5RY1/WlBySdl5Q=\n"
SM2_DISTID = ["-pkeyopt", "distid:1234567812345678"]

# GB/T 32918.5-2017 Annex A (= GM/T 0003.5-2012 Annex A): signature on the recommended curve.
VECTOR_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
VECTOR_PUBLIC = (
    0x09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020,
    0xCCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13,
)
VECTOR_MESSAGE = b"message digest"
VECTOR_K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
VECTOR_R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
VECTOR_S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA


def openssl(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *map(str, args)], input=stdin, capture_output=True, check=False)  # noqa: S603


def run_documented(command: str) -> subprocess.CompletedProcess[bytes]:
    """Run the line ``openssl_verify_command`` hands to the reader, word for word."""
    argv = shlex.split(command)
    assert argv[0] == "openssl"
    return openssl(*argv[1:])


def flip_bit(data: bytes, index: int) -> bytes:
    return data[: index // 8] + bytes([data[index // 8] ^ (0x80 >> index % 8)]) + data[index // 8 + 1 :]


@pytest.fixture(scope="module", params=signing.ALGORITHMS)
def pair(request: pytest.FixtureRequest) -> signing.KeyPair:
    return signing.generate_key(request.param)


# --- our own round trip ----------------------------------------------------------------------


def test_round_trip(pair: signing.KeyPair) -> None:
    key = signing.load_private_key(pair.private_pem)
    assert key.algorithm == pair.algorithm
    public = signing.load_public_key(pair.public_pem)
    assert public.algorithm == pair.algorithm
    assert public.public_pem() == pair.public_pem == key.public_key().public_pem()
    signature = key.sign(MESSAGE)
    public.verify(MESSAGE, signature)
    key.public_key().verify(MESSAGE, signature)
    for empty in (b"", b"\x00"):
        public.verify(empty, key.sign(empty))


def test_default_is_sm2_with_der_signature() -> None:
    pair = signing.generate_key()
    assert pair.algorithm == "sm2"
    r, s = decode_dss_signature(signing.load_private_key(pair.private_pem).sign(MESSAGE))
    assert 0 < r < signing.N and 0 < s < signing.N


def test_ed25519_signature_is_raw_64_bytes() -> None:
    key = signing.load_private_key(signing.generate_key("ed25519").private_pem)
    assert len(key.sign(MESSAGE)) == 64


def test_sm2_nonce_is_fresh_each_time() -> None:
    key = signing.load_private_key(signing.generate_key("sm2").private_pem)
    signatures = {key.sign(MESSAGE) for _ in range(5)}
    assert len(signatures) == 5
    assert len({decode_dss_signature(sig)[0] for sig in signatures}) == 5  # r, hence k·G, differs


def test_tampering_is_detected(pair: signing.KeyPair) -> None:
    key = signing.load_private_key(pair.private_pem)
    public = key.public_key()
    signature = key.sign(MESSAGE)
    for bit in (0, 7, 100, len(MESSAGE) * 8 - 1):
        with pytest.raises(SignatureError, match="does not verify"):
            public.verify(flip_bit(MESSAGE, bit), signature)
    for bit in range(0, len(signature) * 8, 37):
        with pytest.raises(SignatureError):
            public.verify(MESSAGE, flip_bit(signature, bit))
    for bad in (b"", signature[:-1], signature + b"\x00", b"\x00" * len(signature)):
        with pytest.raises(SignatureError):
            public.verify(MESSAGE, bad)
    other = signing.load_public_key(signing.generate_key(pair.algorithm).public_pem)
    with pytest.raises(SignatureError, match=other.key_id()):
        other.verify(MESSAGE, signature)


def test_sm2_rejects_out_of_range_and_non_der_signatures() -> None:
    key = signing.load_private_key(signing.generate_key("sm2").private_pem)
    public = key.public_key()
    r, s = decode_dss_signature(key.sign(MESSAGE))
    n = signing.N
    for bad_r, bad_s in ((0, s), (r, 0), (r + n, s), (r, s + n), (r, n - r), (n - s, s)):
        with pytest.raises(SignatureError):
            public.verify(MESSAGE, encode_dss_signature(bad_r, bad_s))
    der = encode_dss_signature(r, s)
    long_form = b"\x30\x81" + der[1:]  # same content, BER long-form length: must not be accepted
    with pytest.raises(SignatureError):
        public.verify(MESSAGE, long_form)


def test_signatures_do_not_cross_algorithms() -> None:
    sm2 = signing.load_private_key(signing.generate_key("sm2").private_pem)
    ed = signing.load_private_key(signing.generate_key("ed25519").private_pem)
    with pytest.raises(SignatureError):
        sm2.public_key().verify(MESSAGE, ed.sign(MESSAGE))
    with pytest.raises(SignatureError):
        ed.public_key().verify(MESSAGE, sm2.sign(MESSAGE))


# --- reading keys ----------------------------------------------------------------------------


def test_garbage_pem_is_refused_clearly(pair: signing.KeyPair) -> None:
    p256 = ec.generate_private_key(ec.SECP256R1())
    p256_private = p256.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    p256_public = p256.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    encrypted = p256.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    lines = pair.private_pem.splitlines(keepends=True)
    cases_private = {
        b"": "no PEM block",
        b"not a key at all": "no PEM block",
        "中文".encode(): "no PEM block",
        pair.public_pem: "expected a PRIVATE KEY PEM",
        encrypted: "ENCRYPTED PRIVATE KEY",
        b"".join([lines[0], b"!!!!\n", lines[-1]]): "no PEM block",
        b"".join([lines[0], b"AAAA\n", lines[-1]]): "unreadable private key",
        b"".join([lines[0], lines[1][:-9] + b"\n", lines[-1]]): "unreadable private key",  # truncated DER
        b"".join([lines[0], lines[1][:-8] + b"\n", lines[-1]]): "bad base64",
        p256_private: "不是 SM2/Ed25519",
    }
    for pem, message in cases_private.items():
        with pytest.raises(SignatureError, match=message):
            signing.load_private_key(pem)
    for pem, message in {
        b"garbage": "no PEM block",
        pair.private_pem: "expected a PUBLIC KEY PEM",
        p256_public: "不是 SM2/Ed25519",
        pair.public_pem.replace(pair.public_pem.splitlines()[1], b"AAAA"): "unreadable public key",
    }.items():
        with pytest.raises(SignatureError, match=message):
            signing.load_public_key(pem)


def test_sm2_key_checks() -> None:
    d = secrets.randbelow(signing.N - 3) + 1
    public = signing._mul(d, signing.G)
    other = signing._mul(d + 1, signing.G)
    assert public is not None and other is not None
    off_curve = bytearray(signing._sm2_spki(public))
    off_curve[-1] ^= 1  # y no longer matches x
    with pytest.raises(SignatureError, match="not on the curve"):
        signing.load_public_key(signing._pem("PUBLIC KEY", bytes(off_curve)))
    with pytest.raises(SignatureError, match="does not match"):
        signing.load_private_key(signing._pem("PRIVATE KEY", signing._sm2_pkcs8(d, other)))
    for bad_d in (0, signing.N - 1, signing.N):
        with pytest.raises(SignatureError, match="malformed"):
            signing.load_private_key(signing._pem("PRIVATE KEY", signing._sm2_pkcs8(bad_d, signing.G)))


def test_private_key_not_in_repr(pair: signing.KeyPair) -> None:
    assert "PRIVATE" not in repr(pair)
    assert pair.algorithm in repr(pair)


def test_key_id(pair: signing.KeyPair) -> None:
    public = signing.load_public_key(pair.public_pem)
    assert public.key_id() == signing.load_public_key(pair.public_pem).key_id()
    assert public.key_id() == signing.load_private_key(pair.private_pem).public_key().key_id()
    assert len(public.key_id()) == 16 and int(public.key_id(), 16) >= 0
    assert public.key_id() == public.key_id().lower()
    others = {
        signing.load_public_key(signing.generate_key(pair.algorithm).public_pem).key_id() for _ in range(3)
    }
    assert public.key_id() not in others and len(others) == 3


# --- SM2 maths against the standard ----------------------------------------------------------


def test_sm2_standard_example() -> None:
    """GB/T 32918.5 Annex A: public key, and (r, s) for the given k, with the default ID."""
    assert signing._mul(VECTOR_D, signing.G) == VECTOR_PUBLIC
    e = signing._sm2_e(VECTOR_PUBLIC, VECTOR_MESSAGE)
    assert signing._sm2_sign(VECTOR_D, e, VECTOR_K) == (VECTOR_R, VECTOR_S)
    public = signing.load_public_key(signing._pem("PUBLIC KEY", signing._sm2_spki(VECTOR_PUBLIC)))
    public.verify(VECTOR_MESSAGE, encode_dss_signature(VECTOR_R, VECTOR_S))
    with pytest.raises(SignatureError):
        public.verify(VECTOR_MESSAGE + b".", encode_dss_signature(VECTOR_R, VECTOR_S))


def test_sm2_scalar_multiplication_is_a_homomorphism() -> None:
    """(a + b)·G = a·G + b·G and n·G = O, over random and edge scalars (checks the ladder)."""
    assert signing._mul(signing.N, signing.G) is None
    assert signing._mul(1, signing.G) == signing.G
    assert signing._mul(signing.N - 1, signing.G) == (signing.G[0], signing.P - signing.G[1])
    for a, b in [
        (1, 1),
        (2, signing.N - 3),
        *((secrets.randbelow(signing.N), secrets.randbelow(2**64)) for _ in range(4)),
    ]:
        left = signing._mul(a + b, signing.G)
        pa, pb = signing._mul(a, signing.G), signing._mul(b, signing.G)
        assert pa is not None and pb is not None and left is not None
        x, y, z = signing._add((*pa, 1), (*pb, 1))
        zi = pow(z, -1, signing.P)
        assert (x * zi * zi % signing.P, y * zi**3 % signing.P) == left
        assert signing._on_curve(left)


def test_sm2_ladder_work_does_not_depend_on_the_scalar(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same count of doublings and additions for a tiny, a huge and a random scalar: the nonce's
    bit length must not show in the signing time."""
    calls: list[str] = []
    double, add = signing._double, signing._add

    def counting_double(p: tuple[int, int, int]) -> tuple[int, int, int]:
        calls.append("d")
        return double(p)

    def counting_add(p: tuple[int, int, int], q: tuple[int, int, int]) -> tuple[int, int, int]:
        calls.append("a")
        return add(p, q)

    monkeypatch.setattr(signing, "_double", counting_double)
    monkeypatch.setattr(signing, "_add", counting_add)
    counts = set()
    for k in (1, 2**64 + 1, signing.N - 1, 2**255, secrets.randbelow(signing.N - 1) + 1):
        calls.clear()
        signing._mul(k, signing.G)
        counts.add((calls.count("d"), calls.count("a")))
    assert len(counts) == 1, counts


# --- interop with the openssl binary ---------------------------------------------------------


def openssl_sign_args(algorithm: str) -> list[str]:
    return ["-digest", "sm3", *SM2_DISTID] if algorithm == "sm2" else []


@needs_openssl
def test_openssl_reads_our_keys_as_the_same_key(pair: signing.KeyPair, tmp_path: Path) -> None:
    (tmp_path / "priv.pem").write_bytes(pair.private_pem)
    pubout = openssl("pkey", "-in", tmp_path / "priv.pem", "-pubout")
    assert pubout.returncode == 0, pubout.stderr
    assert pubout.stdout == pair.public_pem
    rewritten = openssl("pkey", "-in", tmp_path / "priv.pem")  # OpenSSL's own encoding of our key
    assert rewritten.stdout == pair.private_pem
    text = openssl("pkey", "-in", tmp_path / "priv.pem", "-noout", "-text").stdout.decode()
    if pair.algorithm == "sm2":
        assert "ASN1 OID: SM2" in text
    else:
        assert "ED25519 Private-Key" in text


@needs_openssl
def test_openssl_verifies_our_signature(pair: signing.KeyPair, tmp_path: Path) -> None:
    key = signing.load_private_key(pair.private_pem)
    (tmp_path / "pub key.pem").write_bytes(pair.public_pem)
    (tmp_path / "msg").write_bytes(MESSAGE)
    (tmp_path / "sig").write_bytes(key.sign(MESSAGE))
    paths = [str(tmp_path / name) for name in ("pub key.pem", "msg", "sig")]
    result = run_documented(signing.openssl_verify_command(pair.algorithm, *paths))
    assert result.returncode == 0, result.stderr
    assert b"Signature Verified Successfully" in result.stdout

    (tmp_path / "msg").write_bytes(flip_bit(MESSAGE, 9))
    assert run_documented(signing.openssl_verify_command(pair.algorithm, *paths)).returncode != 0


@needs_openssl
def test_we_verify_openssl_signatures_made_with_our_key(pair: signing.KeyPair, tmp_path: Path) -> None:
    (tmp_path / "priv.pem").write_bytes(pair.private_pem)
    (tmp_path / "msg").write_bytes(MESSAGE)
    extra = openssl_sign_args(pair.algorithm)
    made = openssl(
        "pkeyutl", "-sign", "-inkey", tmp_path / "priv.pem", "-rawin", *extra, "-in", tmp_path / "msg"
    )
    assert made.returncode == 0, made.stderr
    public = signing.load_public_key(pair.public_pem)
    public.verify(MESSAGE, made.stdout)
    with pytest.raises(SignatureError):
        public.verify(MESSAGE + b" ", made.stdout)


@needs_openssl
@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
def test_keys_made_by_openssl(algorithm: str, tmp_path: Path) -> None:
    made = openssl("genpkey", "-algorithm", algorithm.upper())
    assert made.returncode == 0, made.stderr
    key = signing.load_private_key(made.stdout)
    assert key.algorithm == algorithm
    assert signing._pem("PRIVATE KEY", key._pkcs8()) == made.stdout  # we write what OpenSSL writes
    (tmp_path / "priv.pem").write_bytes(made.stdout)
    pubout = openssl("pkey", "-in", tmp_path / "priv.pem", "-pubout").stdout
    assert key.public_key().public_pem() == pubout
    der = openssl("pkey", "-in", tmp_path / "priv.pem", "-pubout", "-outform", "DER").stdout
    assert key.public_key().key_id() == hashlib.sha256(der).hexdigest()[:16]

    (tmp_path / "pub.pem").write_bytes(pubout)
    (tmp_path / "msg").write_bytes(MESSAGE)
    (tmp_path / "sig").write_bytes(key.sign(MESSAGE))
    command = signing.openssl_verify_command(
        algorithm, *(str(tmp_path / n) for n in ("pub.pem", "msg", "sig"))
    )
    assert run_documented(command).returncode == 0


@needs_openssl
def test_standard_example_verifies_under_openssl(tmp_path: Path) -> None:
    (tmp_path / "pub.pem").write_bytes(signing._pem("PUBLIC KEY", signing._sm2_spki(VECTOR_PUBLIC)))
    (tmp_path / "msg").write_bytes(VECTOR_MESSAGE)
    (tmp_path / "sig").write_bytes(encode_dss_signature(VECTOR_R, VECTOR_S))
    command = signing.openssl_verify_command("sm2", *(str(tmp_path / n) for n in ("pub.pem", "msg", "sig")))
    result = run_documented(command)
    assert result.returncode == 0, result.stderr


@needs_openssl
def test_openssl_default_sm2_id_is_not_the_standard_one(tmp_path: Path) -> None:
    """Why the command carries ``distid``: OpenSSL 3.0 without it signs and verifies with an empty
    ID, so its signatures fail for us and ours fail for it."""
    pair = signing.generate_key("sm2")
    (tmp_path / "priv.pem").write_bytes(pair.private_pem)
    (tmp_path / "pub.pem").write_bytes(pair.public_pem)
    (tmp_path / "msg").write_bytes(MESSAGE)
    made = openssl(
        "pkeyutl",
        "-sign",
        "-inkey",
        tmp_path / "priv.pem",
        "-rawin",
        "-digest",
        "sm3",
        "-in",
        tmp_path / "msg",
    )
    with pytest.raises(SignatureError):
        signing.load_public_key(pair.public_pem).verify(MESSAGE, made.stdout)
    (tmp_path / "sig").write_bytes(signing.load_private_key(pair.private_pem).sign(MESSAGE))
    without_id = openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", tmp_path / "pub.pem", "-rawin", "-digest", "sm3",
        "-in", tmp_path / "msg", "-sigfile", tmp_path / "sig",
    )  # fmt: skip
    assert without_id.returncode != 0


def test_openssl_verify_command_text() -> None:
    assert signing.openssl_verify_command("ed25519", "pub.pem", "checkpoint", "checkpoint.sig") == (
        "openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in checkpoint -sigfile checkpoint.sig"
    )
    assert signing.openssl_verify_command("sm2", "pub.pem", "checkpoint", "checkpoint.sig") == (
        "openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -digest sm3 -pkeyopt distid:1234567812345678"
        " -in checkpoint -sigfile checkpoint.sig"
    )
    assert "-in 'my checkpoint'" in signing.openssl_verify_command("sm2", "p.pem", "my checkpoint", "s")
    with pytest.raises(ValueError, match="unknown signature algorithm"):
        signing.openssl_verify_command("rsa", "p", "m", "s")
    with pytest.raises(ValueError, match="unknown signature algorithm"):
        signing.generate_key("sm9")
