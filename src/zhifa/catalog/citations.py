"""Citations of articles as people write them: 《建筑法》第六十四条, 建筑法 64, 建筑法第64条."""

from __future__ import annotations

import re

from zhifa.catalog.lawtext import chinese_numeral_to_int

_CITATION_RE = re.compile(
    r"^\s*《?(?P<law>[^《》第\d\s]+?)》?\s*(?:第\s*)?(?P<num>[\d零〇一二两三四五六七八九十百千]+)\s*条?\s*$"
)


def parse_citation(text: str) -> tuple[str, int] | None:
    """(law short title, article number), or None when ``text`` is not a citation."""
    match = _CITATION_RE.match(text)
    if not match:
        return None
    raw = match.group("num")
    try:
        number = int(raw) if raw.isdigit() else chinese_numeral_to_int(raw)
    except ValueError:
        return None
    law = match.group("law").strip()
    if law.startswith("中华人民共和国"):
        law = law.removeprefix("中华人民共和国")
    return (law, number) if number > 0 and law else None


def format_citation(short_title: str, label: str) -> str:
    return f"《{short_title}》{label}"


PURPOSE_BY_LABEL = {
    "实施依据": "authority",
    "处罚依据": "penalty",
    "违反条款": "violated",
    "程序依据": "procedure",
}
LABEL_BY_PURPOSE = {v: k for k, v in PURPOSE_BY_LABEL.items()}
_SPLIT_RE = re.compile(r"[；;\n]+")


def split_basis_line(line: str) -> tuple[str, str]:
    """``处罚依据：《建筑法》第六十四条`` → ("penalty", "《建筑法》第六十四条"); no prefix → authority."""
    for label, purpose in PURPOSE_BY_LABEL.items():
        for sep in ("：", ":"):
            prefix = label + sep
            if line.startswith(prefix):
                return purpose, line[len(prefix) :].strip()
    return "authority", line.strip()


def basis_lines(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT_RE.split(text) if part.strip()]
