"""Parser for the statute texts bundled as markdown in ``data/laws``.

File format (one statute per file, named ``标题(YYYY-MM-DD).md`` with the latest amendment date)::

    # 中华人民共和国XX法

    1997年11月1日 ……通过            <- history paragraphs (通过、修正、修订)

    <!-- INFO END -->

    ## 第一章 总则                      <- chapters (optional: some statutes have none)
    ### 第一节 ……                       <- sections (optional)

    第一条 ……                          <- an article starts a line with 第X条 and a space
    （一）……                            <- later paragraphs belong to the same article

Articles must be numbered 1, 2, 3 … without gaps, because the rest of the application cites them
by number (e.g. 处罚依据 “《建筑法》第六十四条”) and a silent gap would make a citation point
at the wrong text.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "BUNDLED_LAWS_DIR",
    "LawParseError",
    "ParsedLaw",
    "ParsedProvision",
    "chinese_numeral_to_int",
    "int_to_chinese_numeral",
    "iter_bundled_laws",
    "parse_law",
    "parse_law_file",
]

BUNDLED_LAWS_DIR: Final = Path(__file__).parent / "data" / "laws"

NATIONAL_PREFIX: Final = "中华人民共和国"
INFO_END_MARKER: Final = "<!-- INFO END -->"

# ---------------------------------------------------------------------------
# Chinese numerals (statutory style, 1..9999)
# ---------------------------------------------------------------------------

_DIGIT_VALUES: Final[dict[str, int]] = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_DIGIT_CHARS: Final = "零一二三四五六七八九"
_ZERO_CHARS: Final = frozenset("零〇")
_UNIT_VALUES: Final[dict[str, int]] = {"十": 10, "百": 100, "千": 1000}
_NO_UNIT_YET: Final = 10_000
_NUMERAL_CLASS: Final = "零〇一二三四五六七八九十百千"
_MAX_NUMERAL: Final = 9999


def _numeral_error(numeral: str, reason: str) -> ValueError:
    return ValueError(f"无法识别的中文数字“{numeral}”：{reason}")


@dataclass
class _NumeralReader:
    """Left-to-right reader; a class only to keep each transition in a small method."""

    numeral: str
    total: int = 0
    digit: int | None = None
    last_unit: int = _NO_UNIT_YET
    zero_pending: bool = False
    digit_after_zero: bool = False

    def read(self) -> int:
        for index, char in enumerate(self.numeral):
            if char in _ZERO_CHARS:
                self._zero(index)
            elif char in _DIGIT_VALUES:
                self._digit(_DIGIT_VALUES[char])
            elif char in _UNIT_VALUES:
                self._unit(index, _UNIT_VALUES[char])
            else:
                raise _numeral_error(self.numeral, f"含有非数字字符“{char}”")
        return self._finish()

    def _zero(self, index: int) -> None:
        # 零 only fills a gap after a unit, as in 一百零三.
        if index == 0 or self.numeral[index - 1] not in _UNIT_VALUES:
            raise _numeral_error(self.numeral, "“零”的位置不对")
        self.zero_pending = True

    def _digit(self, value: int) -> None:
        if self.digit is not None:
            raise _numeral_error(self.numeral, "两个数字相连")
        self.digit = value
        self.digit_after_zero = self.zero_pending
        self.zero_pending = False

    def _unit(self, index: int, unit: int) -> None:
        if unit >= self.last_unit:
            raise _numeral_error(self.numeral, "位数顺序不对")
        if self.digit is None:
            # Only a leading 十 may stand alone (十一 = 11); elsewhere it must be 一十 (一百一十).
            if not (unit == 10 and index == 0):
                raise _numeral_error(self.numeral, "位数前缺少数字")
            self.digit = 1
        self.total += self.digit * unit
        self.digit = None
        self.last_unit = unit

    def _finish(self) -> int:
        if self.zero_pending:
            raise _numeral_error(self.numeral, "以“零”结尾")
        if self.digit is not None:
            # 一百三 colloquially means 130, but statutes write 一百三十 / 一百零三; refusing the
            # ambiguous form avoids silently reading the wrong number.
            if self.last_unit not in (_NO_UNIT_YET, 10) and not self.digit_after_zero:
                raise _numeral_error(self.numeral, "个位数前缺少“零”，有歧义")
            self.total += self.digit
        return self.total


def chinese_numeral_to_int(s: str) -> int:
    """``"一百零三"`` -> 103.  Accepts 零/〇 and numbers up to 9999; raises ``ValueError`` otherwise."""
    if not s:
        raise _numeral_error(s, "为空")
    if s in _ZERO_CHARS:
        return 0
    return _NumeralReader(s).read()


def int_to_chinese_numeral(n: int) -> str:
    """103 -> ``"一百零三"`` in statutory style: 10 is 十, 110 is 一百一十, 1001 is 一千零一."""
    if isinstance(n, bool) or not 1 <= n <= _MAX_NUMERAL:
        raise ValueError(f"只支持1到{_MAX_NUMERAL}之间的整数：{n!r}")
    parts: list[str] = []
    zero_pending = False
    for unit, unit_char in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        if unit == 10 and digit == 1 and not parts:
            parts.append("十")
        else:
            parts.append(_DIGIT_CHARS[digit] + unit_char)
    return "".join(parts)


# ---------------------------------------------------------------------------
# Parsed statute
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedProvision:
    number: int
    label: str  # "第六十四条"
    chapter: str  # "第七章 法律责任", or "" when the statute (or this part of it) has no chapter
    section: str  # "第二节 简易程序", or ""
    text: str  # paragraphs joined with "\n", without the 第X条 label


@dataclass(frozen=True, slots=True)
class ParsedLaw:
    title: str  # "中华人民共和国建筑法"
    short_title: str  # "建筑法"
    amended_on: datetime.date | None  # from the filename
    history: str  # adoption / amendment paragraphs, one per line
    provisions: tuple[ParsedProvision, ...]

    def provision(self, number: int) -> ParsedProvision:
        """Article ``number``; articles are consecutive from 1, so this is a plain index."""
        if not 1 <= number <= len(self.provisions):
            raise KeyError(f"《{self.short_title}》没有第{number}条")
        return self.provisions[number - 1]


class LawParseError(ValueError):
    """The statute text is malformed; the message (Chinese) names the file and line."""

    def __init__(
        self, problem: str, *, filename: str = "", lineno: int | None = None, line: str = ""
    ) -> None:
        self.problem = problem
        self.filename = filename
        self.lineno = lineno
        super().__init__(_describe(problem, filename, lineno, line))


def _describe(problem: str, filename: str, lineno: int | None, line: str) -> str:
    where = f"《{Path(filename).name}》" if filename else "法规文本"
    if lineno is not None:
        where += f"第{lineno}行"
    quoted = line.strip()
    if len(quoted) > 40:
        quoted = quoted[:40] + "……"
    return f"{where}：{problem}" + (f"（“{quoted}”）" if quoted else "")


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_TITLE_RE: Final = re.compile(r"^#(?!#)\s*(?P<title>.*?)\s*$")
_HEADING_RE: Final = re.compile(r"^(?P<hashes>#+)\s*(?P<text>.*?)\s*$")
# A space (normal or full-width) must follow 条: a paragraph such as “第三条规定的……” is a
# cross-reference inside an article, not the start of a new one.
_ARTICLE_RE: Final = re.compile(rf"^第(?P<numeral>[{_NUMERAL_CLASS}]+)条(?:[ \u3000\t]+(?P<text>.*))?$")
_HEADING_LABEL_RE: Final = re.compile(rf"^(?P<label>第[{_NUMERAL_CLASS}]+[编章节])\s*(?P<name>.*)$")
_COMMENT_RE: Final = re.compile(r"^<!--.*-->$")
_FILENAME_DATE_RE: Final = re.compile(r"[(（](?P<date>\d{4}-\d{2}-\d{2})[)）]$")

_CHAPTER_LEVEL: Final = 2
_SECTION_LEVEL: Final = 3


@dataclass
class _ArticleDraft:
    number: int
    lineno: int
    line: str
    chapter: str
    section: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class _BodyParser:
    """Walks the lines after the metadata, tracking the current chapter, section and article."""

    lines: list[str]
    filename: str
    chapter: str = ""
    section: str = ""
    draft: _ArticleDraft | None = None
    provisions: list[ParsedProvision] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def error(self, problem: str, lineno: int | None = None, line: str = "") -> LawParseError:
        return LawParseError(problem, filename=self.filename, lineno=lineno, line=line)

    def parse(self, start: int) -> tuple[ParsedProvision, ...]:
        for index in range(start, len(self.lines)):
            self._line(index + 1, self.lines[index])
        self._flush()
        if not self.provisions:
            raise self.error("没有找到任何条文（应以“第一条 ”开头）")
        return tuple(self.provisions)

    def _line(self, lineno: int, line: str) -> None:
        stripped = line.strip()
        if not stripped or _COMMENT_RE.match(stripped):
            return
        if stripped.startswith("#"):
            self._heading(lineno, stripped)
        elif article := _ARTICLE_RE.match(stripped):
            self._article(lineno, stripped, article)
        elif self.draft is None:
            raise self.error("条文之前出现无法归属于任何条的文字", lineno, line)
        else:
            self.draft.paragraphs.append(stripped)

    def _heading(self, lineno: int, line: str) -> None:
        match = _HEADING_RE.match(line)
        level, text = (len(match["hashes"]), match["text"]) if match else (0, "")
        if not text:
            raise self.error("标题为空", lineno, line)
        if level not in (_CHAPTER_LEVEL, _SECTION_LEVEL):
            raise self.error("无法识别的标题层级（章用“##”，节用“###”）", lineno, line)
        self._flush()
        if level == _CHAPTER_LEVEL:
            self.chapter, self.section = _normalise_heading(text), ""
        else:
            self.section = _normalise_heading(text)

    def _article(self, lineno: int, line: str, match: re.Match[str]) -> None:
        try:
            number = chinese_numeral_to_int(match["numeral"])
        except ValueError as exc:
            raise self.error(f"条号无法识别：{exc}", lineno, line) from None
        self._check_number(number, lineno, line)
        self._flush()
        self.seen.add(number)
        self.draft = _ArticleDraft(number, lineno, line, self.chapter, self.section)
        if text := (match["text"] or "").strip():
            self.draft.paragraphs.append(text)

    def _check_number(self, number: int, lineno: int, line: str) -> None:
        if number in self.seen:
            raise self.error(f"重复的条号：第{int_to_chinese_numeral(number)}条已经出现过", lineno, line)
        expected = len(self.seen) + 1
        if number != expected:
            raise self.error(
                f"条号不连续：应为第{int_to_chinese_numeral(expected)}条，实为第{_number_label(number)}条",
                lineno,
                line,
            )

    def _flush(self) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            return
        if not draft.paragraphs:
            raise self.error("该条没有正文", draft.lineno, draft.line)
        self.provisions.append(
            ParsedProvision(
                number=draft.number,
                label=f"第{int_to_chinese_numeral(draft.number)}条",
                chapter=draft.chapter,
                section=draft.section,
                text="\n".join(draft.paragraphs),
            )
        )


def _number_label(number: int) -> str:
    # Numbers beyond 9999 cannot be written back; show them in digits rather than fail again.
    return int_to_chinese_numeral(number) if 1 <= number <= _MAX_NUMERAL else str(number)


def _normalise_heading(text: str) -> str:
    # Headings are typeset with spaces for visual width (“总 则”, “第二章  房地产开发用地”);
    # spaces carry no meaning in a Chinese heading, so they are dropped to make “第一章 总则”
    # comparable across files.
    match = _HEADING_LABEL_RE.match(text)
    if match is None:
        return " ".join(text.split())
    name = "".join(match["name"].split())
    return f"{match['label']} {name}" if name else match["label"]


def _parse_title(lines: list[str], filename: str) -> tuple[int, str]:
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = _TITLE_RE.match(line.strip())
        if match is None or not match["title"]:
            raise LawParseError("第一行应为“# 法规标题”", filename=filename, lineno=index + 1, line=line)
        return index, match["title"]
    raise LawParseError("文本为空", filename=filename)


def _parse_history(lines: list[str], start: int) -> tuple[int, str]:
    """History paragraphs up to the INFO END marker; return (index of first body line, history)."""
    paragraphs: list[str] = []
    for index in range(start, len(lines)):
        stripped = lines[index].strip()
        if stripped == INFO_END_MARKER:
            return index + 1, "\n".join(paragraphs)
        # Without the marker, the metadata ends where the structure begins.
        if stripped.startswith("#") or _ARTICLE_RE.match(stripped):
            return index, "\n".join(paragraphs)
        if stripped:
            paragraphs.append(stripped)
    return len(lines), "\n".join(paragraphs)


def _amended_on(filename: str) -> datetime.date | None:
    match = _FILENAME_DATE_RE.search(Path(filename).stem) if filename else None
    if match is None:
        return None
    try:
        return datetime.date.fromisoformat(match["date"])
    except ValueError:
        raise LawParseError(f"文件名中的日期“{match['date']}”无效", filename=filename) from None


def parse_law(text: str, *, filename: str = "") -> ParsedLaw:
    """Parse one statute; raises ``LawParseError`` naming the offending line if it is malformed."""
    lines = text.removeprefix("\ufeff").splitlines()
    title_index, title = _parse_title(lines, filename)
    body_start, history = _parse_history(lines, title_index + 1)
    provisions = _BodyParser(lines, filename).parse(body_start)
    return ParsedLaw(
        title=title,
        short_title=title.removeprefix(NATIONAL_PREFIX),
        amended_on=_amended_on(filename),
        history=history,
        provisions=provisions,
    )


def parse_law_file(path: Path) -> ParsedLaw:
    return parse_law(path.read_text(encoding="utf-8"), filename=path.name)


def iter_bundled_laws() -> Iterator[ParsedLaw]:
    """Every statute shipped in ``data/laws``, in filename order."""
    for path in sorted(BUNDLED_LAWS_DIR.glob("*.md")):
        yield parse_law_file(path)
