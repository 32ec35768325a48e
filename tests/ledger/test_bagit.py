"""BagIt bags sealed in canonical ZIPs (no database).

The property under test is the promise made to whoever receives a case file: changing any byte
of any file in a sealed archive is caught. It is checked exhaustively on a small bag — every byte
of the archive flipped; and, to exercise the bag checks behind the container check, every byte of
every member's content and every character of every member's name changed and the archive then
*rewritten canonically*, as a careful forger would — plus truncation, appended bytes, swapped,
renamed, added and removed members, extracted directories, and an uppercase hex digit.
"""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import subprocess
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.ledger import bagit, zipper

ROOT = "案卷-2026-执法-001"
INFO = {"案件名称": "某某公司未批先建案", "执法主体": "某市住房和城乡建设局", "Bagging-Date": "2026-03-01"}


def _const(data: bytes) -> Callable[[], Iterable[bytes]]:
    return lambda: (data[i : i + 5] for i in range(0, len(data), 5))


def _payload(seed: int = 1) -> dict[str, bytes]:
    rng = random.Random(seed)
    return {
        "documents/立案审批表.pdf": rng.randbytes(40),
        "evidence/现场照片 01.jpg": rng.randbytes(33),
        "events.json": b'{"events": []}',
        "100% 完成.txt": rng.randbytes(3),
    }


def _bag_bytes(payload: dict[str, bytes] | None = None, **kwargs: object) -> bytes:
    out = io.BytesIO()
    files = _payload() if payload is None else payload
    bagit.write_bag(out, ROOT, INFO, [(k, _const(v)) for k, v in files.items()], **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _rezip(members: list[tuple[str, bytes]]) -> bytes:
    """A forger's rewrite: the changed members, sealed again in a perfectly canonical container."""
    out = io.BytesIO()
    zipper.write_zip(out, [(name, _const(data)) for name, data in members])
    return out.getvalue()


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    path = tmp_path / "bag.zip"
    path.write_bytes(_bag_bytes(tag_files=[("metadata/案件.json", '{"案号": "001"}'.encode())]))
    return path


def _problems(path: Path, data: bytes) -> list[bagit.Problem]:
    path.write_bytes(data)
    return bagit.validate_bag(path)


def test_a_fresh_bag_validates_and_is_deterministic(bag: Path) -> None:
    assert bagit.validate_bag(bag) == []
    assert _bag_bytes(tag_files=[("metadata/案件.json", '{"案号": "001"}'.encode())]) == bag.read_bytes()
    names = [n for n, _ in _members(bag.read_bytes())]
    assert names == [
        f"{ROOT}/bagit.txt",
        f"{ROOT}/data/100% 完成.txt",
        f"{ROOT}/data/documents/立案审批表.pdf",
        f"{ROOT}/data/events.json",
        f"{ROOT}/data/evidence/现场照片 01.jpg",
        f"{ROOT}/bag-info.txt",
        f"{ROOT}/manifest-sha256.txt",
        f"{ROOT}/metadata/案件.json",
        f"{ROOT}/tagmanifest-sha256.txt",
    ]


def test_layout_and_file_formats(bag: Path) -> None:
    files = dict(_members(bag.read_bytes()))
    assert files[f"{ROOT}/bagit.txt"] == b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    payload = _payload()
    oxum = f"{sum(map(len, payload.values()))}.{len(payload)}"
    assert files[f"{ROOT}/bag-info.txt"].decode().splitlines() == [
        "案件名称: 某某公司未批先建案",
        "执法主体: 某市住房和城乡建设局",
        "Bagging-Date: 2026-03-01",
        f"Payload-Oxum: {oxum}",
    ]
    manifest = files[f"{ROOT}/manifest-sha256.txt"].decode()
    assert manifest.splitlines() == [
        f"{hashlib.sha256(payload[p]).hexdigest()}  data/{p.replace('%', '%25')}" for p in sorted(payload)
    ]
    tagmanifest = files[f"{ROOT}/tagmanifest-sha256.txt"].decode().splitlines()
    tag_names = ["bag-info.txt", "bagit.txt", "manifest-sha256.txt", "metadata/案件.json"]
    assert tagmanifest == [f"{hashlib.sha256(files[f'{ROOT}/{n}']).hexdigest()}  {n}" for n in tag_names]


def test_summary() -> None:
    out = io.BytesIO()
    payload = _payload()
    summary = bagit.write_bag(out, ROOT, INFO, [(k, _const(v)) for k, v in payload.items()])
    assert summary["file_count"] == 4 and summary["octets"] == sum(map(len, payload.values()))
    assert summary["oxum"] == f"{summary['octets']}.4"
    assert summary["sha256"] == {f"data/{k}": hashlib.sha256(v).hexdigest() for k, v in payload.items()}
    assert summary["archive_sha256"] == hashlib.sha256(out.getvalue()).hexdigest()
    assert summary["archive_size"] == len(out.getvalue())


def test_stdlib_and_unzip_read_the_bag(bag: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bag) as z:
        assert z.testzip() is None
    if shutil.which("unzip") is None:
        pytest.skip("Info-ZIP unzip is not installed")
    result = subprocess.run(["unzip", "-t", str(bag)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    assert result.returncode == 0, result.stdout
    target = tmp_path / "unzipped"
    subprocess.run(["unzip", "-q", str(bag), "-d", str(target)], check=True)  # noqa: S603, S607
    assert bagit.validate_bag(target) == []


def test_every_single_byte_flip_of_the_archive_is_caught(bag: Path, tmp_path: Path) -> None:
    original = bag.read_bytes()
    rng = random.Random(2024)
    target = tmp_path / "mutated.zip"
    for offset in range(len(original)):
        mutated = bytearray(original)
        mutated[offset] ^= rng.randrange(1, 256)
        problems = _problems(target, bytes(mutated))
        assert problems, f"flip at byte {offset} not caught"
        assert problems[0].path == "mutated.zip" and "规范" in problems[0].message


def test_every_content_byte_change_is_caught_even_if_rewritten_canonically(bag: Path, tmp_path: Path) -> None:
    members = _members(bag.read_bytes())
    rng = random.Random(8493)
    target = tmp_path / "forged.zip"
    checked = 0
    for index, (name, data) in enumerate(members):
        for offset in range(len(data)):
            changed = bytearray(data)
            changed[offset] ^= rng.randrange(1, 256)
            forged = [*members[:index], (name, bytes(changed)), *members[index + 1 :]]
            assert _problems(target, _rezip(forged)), f"{name} byte {offset} not caught"
            checked += 1
    assert checked == sum(len(d) for _, d in members) > 900


def test_every_name_change_is_caught_even_when_rewritten_canonically(bag: Path, tmp_path: Path) -> None:
    members = _members(bag.read_bytes())
    target = tmp_path / "renamed.zip"
    for index, (name, data) in enumerate(members):
        for position, char in enumerate(name):
            for replacement in {chr(ord(char) ^ 1), "x", "案"} - {char}:
                new_name = name[:position] + replacement + name[position + 1 :]
                try:
                    forged = _rezip([*members[:index], (new_name, data), *members[index + 1 :]])
                except zipper.ZipFormatError:
                    continue  # the writer refuses the name (e.g. '/' became '.')
                assert _problems(target, forged), f"{name!r} -> {new_name!r} not caught"


def test_renaming_a_payload_file_in_place_reports_both_names(bag: Path) -> None:
    data = bag.read_bytes()
    old, new = f"{ROOT}/data/events.json".encode(), f"{ROOT}/data/EVENTS.json".encode()
    assert data.count(old) == 2  # local header and central directory, changed consistently
    problems = _problems(bag, data.replace(old, new))
    assert zipper.is_canonical(bag)
    messages = {p.message for p in problems}
    assert "清单列出的文件不存在：data/events.json" in messages
    assert "文件未列入清单：data/EVENTS.json" in messages


@pytest.mark.parametrize("cut", [0, 1, 10, 22, 100, 1000, -22, -1])
def test_truncation_is_caught(bag: Path, cut: int) -> None:
    assert _problems(bag, bag.read_bytes()[:cut])


def test_every_truncation_length_is_caught(bag: Path, tmp_path: Path) -> None:
    data = bag.read_bytes()
    target = tmp_path / "cut.zip"
    for length in range(len(data)):
        assert _problems(target, data[:length]), length


@pytest.mark.parametrize("extra", [b"\0", b"PK\x05\x06" + b"\0" * 18, b"\n" * 1000])
def test_appended_bytes_are_caught(bag: Path, extra: bytes) -> None:
    assert _problems(bag, bag.read_bytes() + extra)


def test_every_swapped_pair_of_members_is_caught(bag: Path, tmp_path: Path) -> None:
    members = _members(bag.read_bytes())
    target = tmp_path / "swapped.zip"
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            swapped = list(members)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            problems = _problems(target, _rezip(swapped))
            assert [p.message for p in problems] == ["归档内文件顺序不是规范顺序"]


def test_removed_and_added_members_are_caught(bag: Path) -> None:
    members = _members(bag.read_bytes())
    for index, (name, _) in enumerate(members):
        assert _problems(bag, _rezip(members[:index] + members[index + 1 :])), f"removing {name}"
    extra = [*members[:-1], (f"{ROOT}/data/追加.txt", b"x"), members[-1]]
    assert "文件未列入清单：data/追加.txt" in {p.message for p in _problems(bag, _rezip(extra))}
    other_root = [*members, ("另一个根/x.txt", b"x")]
    assert _problems(bag, _rezip(other_root))[0].message == "归档应恰好有一个顶层目录（包根目录）"


def _uppercase_one_hex_digit(text: bytes) -> bytes:
    position = next(i for i, c in enumerate(text) if chr(c) in "abcdef")
    return text[:position] + text[position : position + 1].upper() + text[position + 1 :]


def test_an_uppercase_hex_digit_in_a_manifest_is_a_change(bag: Path) -> None:
    members = _members(bag.read_bytes())
    for target in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        forged = [(n, _uppercase_one_hex_digit(d) if n == f"{ROOT}/{target}" else d) for n, d in members]
        problems = _problems(bag, _rezip(forged))
        assert any(p.path == target and "行格式不正确" in p.message for p in problems), problems


@pytest.fixture
def extracted(bag: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "extracted"
    with zipfile.ZipFile(bag) as z:
        z.extractall(folder)
    return folder


def test_an_extracted_directory_validates_from_its_folder_or_its_root(extracted: Path) -> None:
    assert bagit.validate_bag(extracted) == []
    assert bagit.validate_bag(extracted / ROOT) == []


def test_directory_bag_changes_are_caught(extracted: Path) -> None:
    root = extracted / ROOT
    (root / "data" / "新增文件.txt").write_bytes(b"x")
    assert {p.message for p in bagit.validate_bag(extracted)} == {
        "文件未列入清单：data/新增文件.txt",
        f"Payload-Oxum 与实际数据不符（应为 {_oxum_plus(1, 1)}）",
    }
    (root / "data" / "新增文件.txt").unlink()
    (root / "data" / "events.json").unlink()
    messages = {p.message for p in bagit.validate_bag(extracted)}
    assert "清单列出的文件不存在：data/events.json" in messages
    (root / "data" / "events.json").write_bytes(b'{"events": [1]}')
    assert "文件内容与清单不符：data/events.json" in {p.message for p in bagit.validate_bag(extracted)}


def _oxum_plus(octets: int, count: int) -> str:
    payload = _payload()
    return f"{sum(map(len, payload.values())) + octets}.{len(payload) + count}"


def test_directory_bag_tag_files_and_symlinks(extracted: Path) -> None:
    root = extracted / ROOT
    (root / "extra-tag.txt").write_bytes(b"x")
    assert [p.message for p in bagit.validate_bag(root)] == ["文件未列入标签清单：extra-tag.txt"]
    (root / "extra-tag.txt").unlink()
    (root / "data" / "link").symlink_to(root / "bagit.txt")
    assert [p.path for p in bagit.validate_bag(root)] == ["data/link"]
    (root / "data" / "link").unlink()
    (root / "bagit.txt").write_bytes(b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
    assert {p.path for p in bagit.validate_bag(root)} == {"bagit.txt"}


def test_a_consistent_forgery_of_the_tag_files_is_still_caught_by_the_oxum(extracted: Path) -> None:
    """Even re-sealing manifest and tag manifest after adding a file leaves the Payload-Oxum wrong."""
    root = extracted / ROOT
    (root / "data" / "伪造.txt").write_bytes(b"forged")
    lines = (root / "manifest-sha256.txt").read_text(encoding="utf-8")
    lines += f"{hashlib.sha256(b'forged').hexdigest()}  data/伪造.txt\n"
    (root / "manifest-sha256.txt").write_text("".join(sorted(lines.splitlines(True))), encoding="utf-8")
    tags = ["bag-info.txt", "bagit.txt", "manifest-sha256.txt", "metadata/案件.json"]
    tagmanifest = "".join(f"{hashlib.sha256((root / t).read_bytes()).hexdigest()}  {t}\n" for t in tags)
    (root / "tagmanifest-sha256.txt").write_text(tagmanifest, encoding="utf-8")
    assert [p.path for p in bagit.validate_bag(extracted)] == ["bag-info.txt"]


def test_read_member_and_iter_member(bag: Path, extracted: Path) -> None:
    for source in (bag, extracted):
        assert bagit.read_member(source, "data/events.json") == b'{"events": []}'
        assert (
            b"".join(bagit.iter_member(source, "data/documents/立案审批表.pdf"))
            == _payload()["documents/立案审批表.pdf"]
        )


@pytest.mark.parametrize(
    ("root", "info", "payload", "tags"),
    [
        ("a/b", {}, [], []),
        ("..", {}, [], []),
        ("", {}, [], []),
        (ROOT, {"Payload-Oxum": "1.1"}, [], []),
        (ROOT, {"键": "值\n第二行"}, [], []),
        (ROOT, {"a:b": "c"}, [], []),
        (ROOT, {}, [("../escape", b"x")], []),
        (ROOT, {}, [("a.txt", b"x"), ("a.txt", b"y")], []),
        (ROOT, {}, [("a\\b.txt", b"x")], []),
        (ROOT, {}, [], [("manifest-md5.txt", b"x")]),
        (ROOT, {}, [], [("bag-info.txt", b"x")]),
        (ROOT, {}, [], [("data/x", b"x")]),
        (ROOT, {}, [], [("/etc/x", b"x")]),
    ],
)
def test_bad_input_is_refused(
    root: str, info: dict[str, str], payload: list[tuple[str, bytes]], tags: list[tuple[str, bytes]]
) -> None:
    with pytest.raises(ValueError):
        bagit.write_bag(io.BytesIO(), root, info, [(p, _const(d)) for p, d in payload], tags)


def test_an_empty_bag_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    path.write_bytes(_bag_bytes({}))
    assert bagit.validate_bag(path) == []
    assert "Payload-Oxum: 0.0" in bagit.read_member(path, "bag-info.txt").decode()


_chars = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"], exclude_characters="/\\:")
_names = st.text(_chars, min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.dictionaries(st.lists(_names, min_size=1, max_size=3).map("/".join), st.binary(max_size=64)))
def test_random_bags_round_trip(tmp_path: Path, files: dict[str, bytes]) -> None:
    names = sorted(files)
    if any(b.startswith(a + "/") for a in names for b in names):
        return  # a file and a directory of the same name cannot both exist
    data = _bag_bytes(files)
    assert data == _bag_bytes(dict(reversed(files.items())))
    path = tmp_path / "random.zip"
    path.write_bytes(data)
    assert bagit.validate_bag(path) == []
    for name, content in files.items():
        assert bagit.read_member(path, f"data/{name}") == content


def test_200_mb_payload_streams_in_flat_memory(tmp_path: Path) -> None:
    block = random.Random(7).randbytes(1 << 20)
    size_mb = 200

    def evidence() -> Iterator[bytes]:
        for _ in range(size_mb):
            yield block

    path = tmp_path / "big.zip"
    tracemalloc.start()
    try:
        with open(path, "wb") as out:
            summary = bagit.write_bag(out, ROOT, INFO, [("evidence/执法记录仪.mp4", evidence)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20, f"peak {peak / 2**20:.1f} MiB"
    assert summary["octets"] == size_mb << 20
    started = time.perf_counter()
    tracemalloc.start()
    try:
        assert bagit.validate_bag(path) == []
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert peak < 20 << 20, f"validation peak {peak / 2**20:.1f} MiB"
    print(f"validated a {size_mb} MB bag in {elapsed:.2f} s (under tracemalloc)")


def test_reading_refuses_names_outside_the_bag(extracted: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_bytes(b"secret")
    (extracted / ROOT / "data" / "link.txt").symlink_to(tmp_path / "secret.txt")
    for name in ("../../secret.txt", "data/link.txt", "data/missing.txt"):
        with pytest.raises(KeyError):
            bagit.read_member(extracted, name)


def test_a_missing_or_foreign_file_is_reported_not_raised(tmp_path: Path) -> None:
    assert "无法读取" in bagit.validate_bag(tmp_path / "nowhere.zip")[0].message
    (tmp_path / "other.zip").write_bytes(b"PK not really")
    assert bagit.validate_bag(tmp_path / "other.zip")


def test_a_hand_made_rfc_bag_with_sha512_manifests_validates(tmp_path: Path) -> None:
    """Bags from other tools (e.g. bagit-python: sha256 and sha512, folded bag-info) are read too."""
    root = tmp_path / "bag"
    (root / "data" / "子目录").mkdir(parents=True)
    payload = {"data/子目录/a.txt": b"alpha", "data/b 50%.bin": b"\x00\x01"}
    for name, data in payload.items():
        (root / name).write_bytes(data)
    (root / "bagit.txt").write_bytes(bagit.BAGIT_TXT)
    info = "Bag-Software-Agent: hand\nExternal-Description: a long\n  folded value\nPayload-Oxum: 7.2\n"
    (root / "bag-info.txt").write_text(info, encoding="utf-8")

    def manifest(algorithm: str, names: list[str]) -> str:
        lines = (f"{hashlib.new(algorithm, (root / n).read_bytes()).hexdigest()}  {n}" for n in names)
        return "".join(f"{line.replace('%', '%25')}\n" for line in lines)

    tags = ["bag-info.txt", "bagit.txt", "manifest-sha256.txt", "manifest-sha512.txt"]
    for algorithm in ("sha256", "sha512"):
        (root / f"manifest-{algorithm}.txt").write_bytes(manifest(algorithm, sorted(payload)).encode())
    for algorithm in ("sha256", "sha512"):
        (root / f"tagmanifest-{algorithm}.txt").write_bytes(manifest(algorithm, tags).encode())
    assert bagit.validate_bag(root) == []
    (root / "data" / "子目录" / "a.txt").write_bytes(b"alphA")
    assert {p.message for p in bagit.validate_bag(root)} == {"文件内容与清单不符：data/子目录/a.txt"}
