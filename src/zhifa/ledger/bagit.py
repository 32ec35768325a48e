"""Write and validate a BagIt 1.0 bag (RFC 8493) sealed in a canonical ZIP (see ``zipper``).

Why BagIt: it is the archival community's plain-text packaging, so a case file exported today
can be checked in twenty years with nothing but a hash tool. Why so strict: "changing any byte of
any file in a sealed archive must be caught". The ZIP container check catches every byte outside
the members' contents; inside them, the payload manifest covers ``data/``, the tag manifest covers
every tag file including the payload manifest, and ``bagit.txt`` must be exact. Manifest lines must
be in the one form this module writes (64 lowercase hex digits, two spaces, the path with only CR,
LF and ``%`` percent-encoded, RFC 8493 §2.1.3), so even an uppercase hex digit is reported. Only a
complete, consistent rewrite of the whole bag escapes these checks; that is why the archive's own
SHA-256 (returned by ``write_bag``) must be anchored somewhere else, e.g. in the ledger.

ZIP member order is fixed: ``bagit.txt``, payload sorted, the other tag files sorted (bag-info.txt
needs the Payload-Oxum, known only after the payload), ``tagmanifest-sha256.txt`` last.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypedDict, cast

from . import zipper

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
HEX_WIDTH = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}  # algorithms accepted when validating
SMALL_FILE_LIMIT = 64 << 20
_CST = datetime.timezone(datetime.timedelta(hours=8))
_MANIFEST_NAME = re.compile(r"(tag)?manifest-([a-z0-9]+)\.txt")


class BagError(ValueError):
    """The bag cannot be written or opened at all; the message (Chinese) says why."""


@dataclass(frozen=True)
class Problem:
    """One reason a bag does not validate: ``path`` relative to the bag root, or the archive name."""

    path: str
    message: str


class BagSummary(TypedDict):
    root: str
    oxum: str
    file_count: int
    octets: int
    sha256: dict[str, str]  # bag-relative payload path ("data/...") -> lowercase hex
    archive_sha256: str
    archive_size: int


def encode_path(path: str) -> str:
    """Percent-encode CR, LF and % (and only those) for a manifest line (RFC 8493 §2.1.3)."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def decode_path(encoded: str) -> str:
    return re.sub("%25|%0A|%0D", lambda m: {"%25": "%", "%0A": "\n", "%0D": "\r"}[m[0]], encoded)


def _manifest(digests: dict[str, str]) -> bytes:
    return "".join(f"{digests[p]}  {encode_path(p)}\n" for p in sorted(digests)).encode("utf-8")


def canonical_order(names: Iterable[str]) -> list[str]:
    """The member order ``write_bag`` uses for these bag-relative names."""
    names = list(names)
    first = [n for n in names if n == "bagit.txt"]
    last = [n for n in names if n == TAGMANIFEST]
    payload = sorted(n for n in names if n.startswith("data/"))
    tags = sorted(n for n in names if n not in ("bagit.txt", TAGMANIFEST) and not n.startswith("data/"))
    return first + payload + tags + last


def _info_text(info: dict[str, str], oxum: str) -> bytes:
    lines = dict(info)
    if "Payload-Oxum" in lines:
        raise BagError("Payload-Oxum 由打包程序计算，不能由调用方提供")
    lines.setdefault("Bagging-Date", datetime.datetime.now(_CST).date().isoformat())
    lines["Payload-Oxum"] = oxum
    for key, value in lines.items():
        if not key or key != key.strip() or ":" in key or re.search("[\r\n]", key + value):
            raise BagError(f"bag-info 标签或值不合法：{key!r}: {value!r}")
    return "".join(f"{k}: {v}\n" for k, v in lines.items()).encode("utf-8")


def _constant(data: bytes) -> Callable[[], Iterable[bytes]]:
    return lambda: [data]


class _Tee:
    """Passes writes on to ``out`` while hashing them, so the archive's SHA-256 comes for free."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.hash, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.out.write(data)


def write_bag(
    out: BinaryIO,
    root: str,
    info: dict[str, str],
    payload: Iterable[tuple[str, Callable[[], Iterable[bytes]]]],
    tag_files: Iterable[tuple[str, bytes]] = (),
) -> BagSummary:
    """Write the bag ``<root>/...`` as a canonical ZIP to ``out`` and return its summary.

    ``payload`` paths are relative to ``data/``; each callable is read twice by the ZIP writer and
    hashed on both reads (which must agree), never held whole. ``tag_files`` are small extra tag
    files relative to the bag root (not under ``data/``, not a manifest, bagit.txt or bag-info.txt).
    ``info`` may set ``Bagging-Date`` (for reproducible output); otherwise today in China is used.
    """
    if "/" in root:
        raise BagError(f"包根目录名不能含 /：{root!r}")
    zipper.check_name(root)
    files = sorted(((f"data/{rel}", source) for rel, source in payload), key=lambda e: e[0])
    tags = dict(tag_files)
    for name in tags:
        zipper.check_name(name)
        reserved = name in ("bagit.txt", "bag-info.txt") or _MANIFEST_NAME.fullmatch(name)
        if reserved or name.startswith("data/"):
            raise BagError(f"标签文件名被保留或位于 data/ 下：{name}")
    digests: dict[str, str] = {}
    sizes: dict[str, int] = {}

    def hashed(name: str, source: Callable[[], Iterable[bytes]]) -> Callable[[], Iterator[bytes]]:
        def run() -> Iterator[bytes]:
            h, size = hashlib.sha256(), 0
            for chunk in source():
                h.update(chunk)
                size += len(chunk)
                yield chunk
            if digests.setdefault(name, h.hexdigest()) != h.hexdigest():
                raise BagError(f"两次读取的内容不同：{name}")
            sizes[name] = size

        return run

    def entries() -> Iterator[tuple[str, Callable[[], Iterable[bytes]]]]:
        yield f"{root}/bagit.txt", lambda: [BAGIT_TXT]
        for name, source in files:
            yield f"{root}/{name}", hashed(name, source)
        oxum = f"{sum(sizes.values())}.{len(sizes)}"
        tags.update({"bag-info.txt": _info_text(info, oxum), MANIFEST: _manifest(digests)})
        for name in sorted(tags):
            yield f"{root}/{name}", _constant(tags[name])
        covered = {"bagit.txt": BAGIT_TXT, **tags}
        tag_digests = {name: hashlib.sha256(data).hexdigest() for name, data in covered.items()}
        yield f"{root}/{TAGMANIFEST}", lambda: [_manifest(tag_digests)]

    tee = _Tee(out)
    zipper.write_zip(cast(BinaryIO, tee), entries())  # only .write is used
    return BagSummary(
        root=root, oxum=f"{sum(sizes.values())}.{len(sizes)}", file_count=len(sizes),
        octets=sum(sizes.values()), sha256=dict(digests), archive_sha256=tee.hash.hexdigest(),
        archive_size=tee.size,
    )  # fmt: skip


class _Bag:
    """Bag-relative names (in container order) with their sizes, plus streamed reading, over a
    ZIP archive or an extracted directory."""

    sizes: dict[str, int]
    problems: list[Problem]

    @property
    def names(self) -> list[str]:
        return list(self.sizes)

    def chunks(self, name: str) -> Iterator[bytes]:
        """Only listed names: no ``..``, symlink or other way out of the bag."""
        if name not in self.sizes:
            raise KeyError(f"包内没有此文件：{name}")
        return self._stream(name)

    def _stream(self, name: str) -> Iterator[bytes]:
        raise NotImplementedError

    def read(self, name: str, limit: int = SMALL_FILE_LIMIT) -> bytes:
        data = bytearray()
        for chunk in self.chunks(name):
            data += chunk
            if len(data) > limit:
                raise BagError(f"文件过大，不能整体读取：{name}")
        return bytes(data)


class _ZipBag(_Bag):
    def __init__(self, path: Path) -> None:
        self.path, self.problems = path, []
        try:
            members = zipper.read_entries(path)
        except zipper.ZipFormatError as exc:
            raise BagError(f"无法读取归档：{exc}") from exc
        roots = {m.name.split("/", 1)[0] for m in members}
        if len(roots) != 1 or any("/" not in m.name for m in members):
            raise BagError("归档应恰好有一个顶层目录（包根目录）")
        cut = len(roots.pop()) + 1
        self.members = {m.name[cut:]: m for m in members}
        self.sizes = {name: m.size for name, m in self.members.items()}
        if self.names != canonical_order(self.names):
            self.problems.append(Problem(path.name, "归档内文件顺序不是规范顺序"))

    def _stream(self, name: str) -> Iterator[bytes]:
        return zipper.iter_member(self.path, self.members[name])


class _DirBag(_Bag):
    def __init__(self, path: Path) -> None:
        self.problems, self.sizes = [], {}
        root = path
        if not (path / "bagit.txt").exists() and not (path / "data").exists():
            children = list(path.iterdir())
            if len(children) != 1 or children[0].is_symlink() or not children[0].is_dir():
                raise BagError("解包目录下应恰好有一个包根目录")
            root = children[0]
        self.root = root
        for folder, dirs, files in os.walk(root):
            for entry in sorted(dirs + files):
                full = Path(folder, entry)
                rel = full.relative_to(root).as_posix()
                if full.is_symlink() or not (full.is_dir() or full.is_file()):
                    self.problems.append(Problem(rel, f"不允许符号链接或特殊文件：{rel}"))
                elif full.is_file():
                    self.sizes[rel] = full.stat().st_size

    def _stream(self, name: str) -> Iterator[bytes]:
        with open(self.root / name, "rb") as fh:
            while chunk := fh.read(zipper.CHUNK):
                yield chunk


def _open(path: str | os.PathLike[str]) -> _Bag:
    path = Path(path)
    return _DirBag(path) if path.is_dir() else _ZipBag(path)


def _parse_manifest(bag: _Bag, name: str, algorithm: str, problems: list[Problem]) -> dict[str, str]:
    """Path -> hex digest of a (tag)manifest, reporting every line not in the canonical form."""
    try:
        text = bag.read(name).decode("utf-8")
    except (BagError, UnicodeDecodeError) as exc:
        problems.append(Problem(name, f"清单无法读取或不是 UTF-8：{name}（{exc}）"))
        return {}
    lines = text.split("\n")
    if lines.pop() != "":
        problems.append(Problem(name, f"清单最后一行缺少换行符：{name}"))
    line_form = re.compile(f"([0-9a-f]{{{HEX_WIDTH[algorithm]}}})  (.+)")
    entries: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        match = line_form.fullmatch(line)
        path = decode_path(match[2]) if match else ""
        try:
            zipper.check_name(path)
        except zipper.ZipFormatError:
            match = None
        if not match or encode_path(path) != match[2]:
            problems.append(Problem(name, f"清单第 {number} 行格式不正确：{name}"))
        elif path in entries:
            problems.append(Problem(path, f"清单重复列出同一文件：{path}（{name}）"))
        else:
            entries[path] = match[1]
    return entries


def _check_bag_info(bag: _Bag, payload: list[str], problems: list[Problem]) -> None:
    if "bag-info.txt" not in bag.sizes:
        problems.append(Problem("bag-info.txt", "缺少 bag-info.txt"))
        return
    try:
        text = bag.read("bag-info.txt").decode("utf-8")
    except (BagError, UnicodeDecodeError):
        problems.append(Problem("bag-info.txt", "bag-info.txt 无法读取或不是 UTF-8"))
        return
    oxums = []
    lines = text.split("\n")
    if lines.pop() != "":
        problems.append(Problem("bag-info.txt", "bag-info.txt 最后一行缺少换行符"))
    for number, line in enumerate(lines, 1):
        label, colon, value = line.partition(":")
        if line[:1] in (" ", "\t"):
            continue  # a folded continuation line (RFC 8493 §2.2.2)
        if not colon or not label.strip():
            problems.append(Problem("bag-info.txt", f"bag-info.txt 第 {number} 行格式不正确"))
        elif label.strip() == "Payload-Oxum":
            oxums.append(value.strip())
    actual = f"{sum(bag.sizes[n] for n in payload)}.{len(payload)}"
    if oxums != [actual]:
        problems.append(Problem("bag-info.txt", f"Payload-Oxum 与实际数据不符（应为 {actual}）"))


def _compare(label: str, listed: dict[str, str], actual: dict[str, str], problems: list[Problem]) -> None:
    for path in sorted(listed.keys() - actual.keys()):
        problems.append(Problem(path, f"{label}列出的文件不存在：{path}"))
    for path in sorted(actual.keys() - listed.keys()):
        problems.append(Problem(path, f"文件未列入{label}：{path}"))
    for path in sorted(listed.keys() & actual.keys()):
        if listed[path] != actual[path]:
            problems.append(Problem(path, f"文件内容与{label}不符：{path}"))


def validate_bag(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem found in the bag at ``path`` (a ZIP made by ``write_bag``, or an extracted bag
    directory — its root or the folder holding it), or [] when it is intact. Payload is streamed."""
    problems: list[Problem] = []
    label = Path(path).name
    try:
        if not Path(path).is_dir() and (offset := zipper.first_difference(path)) is not None:
            message = f"归档容器不是规范格式，第 {offset} 字节起与规范字节流不一致（归档被改动过）"
            problems.append(Problem(label, message))
        bag = _open(path)
    except BagError as exc:
        return [*problems, Problem(label, str(exc))]
    except OSError as exc:
        return [*problems, Problem(label, f"无法读取：{exc}")]
    problems += bag.problems
    names = bag.names
    try:
        intact = "bagit.txt" in names and bag.read("bagit.txt", 4096) == BAGIT_TXT
    except BagError:
        intact = False
    if not intact:
        problems.append(Problem("bagit.txt", "bagit.txt 缺失或内容不正确"))
    manifests: dict[str, tuple[str, bool]] = {}
    for name in sorted(names):
        if match := _MANIFEST_NAME.fullmatch(name):
            if match[2] not in HEX_WIDTH:
                problems.append(Problem(name, f"不支持的清单算法：{name}"))
            else:
                manifests[name] = (match[2], bool(match[1]))
    for required in (MANIFEST, TAGMANIFEST):
        if required not in manifests:
            problems.append(Problem(required, f"缺少 {required}"))
    payload = [n for n in bag.names if n.startswith("data/")]
    tag = [n for n in bag.names if not n.startswith("data/") and not n.startswith("tagmanifest-")]
    for manifest, (algorithm, is_tag) in manifests.items():
        listed = _parse_manifest(bag, manifest, algorithm, problems)
        actual: dict[str, str] = {}
        for name in tag if is_tag else payload:
            if name in listed:
                h = hashlib.new(algorithm)
                for chunk in bag.chunks(name):
                    h.update(chunk)
                actual[name] = h.hexdigest()
            else:
                actual[name] = ""
        _compare("标签清单" if is_tag else "清单", listed, actual, problems)
    _check_bag_info(bag, payload, problems)
    return problems


def member_names(path: str | os.PathLike[str]) -> list[str]:
    """Every file of the bag, relative to the bag root, in container order."""
    return _open(path).names


def read_member(path: str | os.PathLike[str], name: str) -> bytes:
    """A small file of the bag (``name`` relative to the bag root, e.g. ``data/events.json``).
    Does not validate: call ``validate_bag`` first. Refuses files over ``SMALL_FILE_LIMIT``."""
    return _open(path).read(name)


def iter_member(path: str | os.PathLike[str], name: str) -> Iterator[bytes]:
    """A file of the bag in chunks, for large payload files; does not validate."""
    return _open(path).chunks(name)
