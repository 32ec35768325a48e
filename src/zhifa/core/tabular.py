"""Spreadsheets in and out: CSV (UTF-8 with BOM, so Excel opens it) and XLSX.

``read_table`` turns an uploaded file into rows of stripped text keyed by the header, each with
the row number the user sees in Excel (header = row 1), so that an import can say exactly which
cell is wrong. ``write_csv`` and ``write_xlsx`` write text cells only, with every value that a
spreadsheet would run as a formula (=, +, -, @, tab, CR) prefixed with an apostrophe; ``read_table``
removes that prefix again, so an export imports back unchanged.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse

from zhifa.core.errors import InvalidInput

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Larger than any honest 5 MB workbook expands to; refuses zip bombs before openpyxl unpacks them.
MAX_XLSX_EXPANSION = 20
_ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_MAX_EXCEL_SERIAL = 2958465  # 9999-12-31


class RowError(NamedTuple):
    """One problem in an imported file: spreadsheet row number, column header, message."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Row:
    """A data row: ``number`` is the spreadsheet row number (the header is row 1)."""

    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class Table:
    """The header and the non-blank data rows of a sheet. Iterating yields the rows."""

    headers: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    header_row: int = 1

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def missing(self, required: Iterable[str]) -> list[str]:
        return [name for name in required if name not in self.headers]

    def require_columns(self, required: Iterable[str]) -> None:
        """Refuse a header without the required columns, naming all of them at once."""
        missing = self.missing(required)
        if missing:
            names = "、".join(missing)
            message = f"表头（第{self.header_row}行）缺少必填列：{names}。请使用“下载模板”获取正确的表头。"
            raise InvalidInput(
                message, code="missing_columns", details=[RowError(self.header_row, names, message)]
            )


@dataclass(frozen=True)
class ImportReport:
    """What an import did; ``updated_label`` names the middle count (更新 / 调整)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    updated_label: str = "更新"

    @property
    def revised(self) -> int:
        """The catalogue's name for ``updated``: items that got a new version."""
        return self.updated

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"导入完成：共{self.total}行，新增{self.created}条，{self.updated_label}{self.updated}条，"
            f"无变化{self.unchanged}条。"
        )


def rows_invalid(errors: list[RowError]) -> InvalidInput:
    """The error an import raises when any row is wrong: all problems, nothing saved."""
    rows = len({e.row for e in errors})
    return InvalidInput(
        f"文件中有{len(errors)}处错误（涉及{rows}行），未导入任何数据。请修改后重新导入。",
        code="invalid_rows",
        details=sorted(errors, key=lambda error: error.row),
    )


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def read_table(content: bytes, filename: str = "") -> Table:
    """Read a CSV or XLSX file (chosen by its bytes, not its name) into a ``Table``."""
    limit = int(settings.ZHIFA_MAX_IMPORT_BYTES)
    if len(content) > limit:
        raise InvalidInput(
            f"文件过大：最大{_size_label(limit)}，当前{_size_label(len(content))}。", code="file_too_large"
        )
    if not content.strip():
        raise InvalidInput("文件是空的。", code="empty_file")
    if content.startswith(XLSX_MAGIC):
        raw_rows = _xlsx_rows(content, filename)
    elif content.startswith(OLE_MAGIC):
        raise InvalidInput(
            "不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 或 CSV（UTF-8）后再导入。",
            code="unreadable_file",
        )
    else:
        raw_rows = _csv_rows(content, filename)
    return _table(raw_rows)


def _size_label(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def _decode(content: bytes, filename: str) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode 文本"
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in content:
        raise InvalidInput(
            f"无法读取“{filename or '文件'}”：它不是 CSV 或 XLSX 文件。", code="unreadable_file"
        )
    for encoding in TEXT_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(
        f"无法识别“{filename or '文件'}”的文字编码，请另存为 CSV（UTF-8）或 .xlsx 后再导入。",
        code="unreadable_file",
    )


def _csv_rows(content: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(content, filename)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # The reader's line number would count line breaks inside quoted cells; Excel counts records.
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInput(
            f"无法读取“{filename or '文件'}”：CSV 格式有误（{exc}）。", code="unreadable_file"
        ) from exc
    return ((number, row) for number, row in enumerate(rows, start=1))


def _xlsx_rows(content: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    unreadable = f"无法读取“{filename or '文件'}”：它不是有效的 .xlsx 文件。"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise InvalidInput(unreadable, code="unreadable_file") from exc
    if expanded > MAX_XLSX_EXPANSION * int(settings.ZHIFA_MAX_IMPORT_BYTES):
        raise InvalidInput("文件解压后过大，请拆分后分批导入。", code="file_too_large")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [list(values) for values in sheet.iter_rows(values_only=True)]
        workbook.close()
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
        raise InvalidInput(unreadable, code="unreadable_file") from exc
    return ((number, row) for number, row in enumerate(rows, start=1))


def _table(raw_rows: Iterable[tuple[int, list[Any]]]) -> Table:
    headers: tuple[str, ...] | None = None
    header_row = 1
    rows: list[Row] = []
    for number, raw in raw_rows:
        cells = [cell_text(value) for value in raw]
        if not any(cells):
            continue
        if headers is None:
            headers, header_row = _headers(cells, number), number
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(headers) if name}
        rows.append(Row(number, values))
    if headers is None:
        raise InvalidInput("文件中没有表头行。", code="empty_file")
    return Table(headers=headers, rows=rows, header_row=header_row)


def _headers(cells: list[str], number: int) -> tuple[str, ...]:
    headers = tuple(_header_name(cell) for cell in cells)
    seen: set[str] = set()
    for name in headers:
        if name and name in seen:
            message = f"表头（第{number}行）中“{name}”列出现了不止一次。"
            raise InvalidInput(message, code="duplicate_column", details=[RowError(number, name, message)])
        seen.add(name)
    return headers


def _header_name(cell: str) -> str:
    # Templates people make often mark required columns: "姓名*" or "*姓名".
    return unicodedata.normalize("NFKC", cell).replace(" ", "").strip("*")


def cell_text(value: Any) -> str:
    """A cell as the text the user sees: stripped, dates as YYYY-MM-DD, 12.0 as 12."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else str(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return unescape_formula(text).strip()


def unescape_formula(text: str) -> str:
    """Undo ``escape_formula``: ``'=x`` -> ``=x``."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def parse_date_cell(text: str) -> datetime.date | None:
    """YYYY-MM-DD (also / . and 年月日) or an Excel serial day number; None when it is neither."""
    value = unicodedata.normalize("NFKC", text).strip()
    if value.isdigit() and len(value) <= 7:
        serial = int(value)
        if 1 <= serial <= _MAX_EXCEL_SERIAL:
            return _EXCEL_EPOCH + datetime.timedelta(days=serial)
        return None
    match = re.fullmatch(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:00(?::00)?)?", value
    )
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_decimal_cell(text: str) -> Decimal | None:
    try:
        value = Decimal(unicodedata.normalize("NFKC", text).strip().replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def escape_formula(value: str) -> str:
    """Prefix with ' a value a spreadsheet would run as a formula (CSV/formula injection)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _cells(row: Sequence[Any]) -> list[str]:
    return [escape_formula("" if value is None else str(value)) for value in row]


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with BOM and CRLF line ends, the form Excel on Windows opens directly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_cells(headers))
    for row in rows:
        writer.writerow(_cells(row))
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet_title: str = "Sheet1") -> bytes:
    """An XLSX workbook of text cells: bold frozen header, columns sized to their content."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _sheet_title(sheet_title)
    widths = [_display_width(h) for h in headers]
    for cell in _write_row(sheet, 1, _cells(headers), widths):
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(rows, start=2):
        for cell in _write_row(sheet, number, _cells(row), widths):
            if "\n" in str(cell.value or ""):
                cell.alignment = wrap
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = min(max(width + 2, 8), 60)
        # Text format for cells typed later, so Excel keeps 身份证号 and 0-leading codes as typed.
        dimension.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_row(sheet: Any, row: int, values: list[str], widths: list[int]) -> list[Any]:
    cells = []
    for index, value in enumerate(values):
        cell = sheet.cell(row=row, column=index + 1, value=_ILLEGAL_XML_CHARS.sub("", value))
        # Always a string: openpyxl would store a value beginning with "=" as a formula.
        cell.data_type = "s"
        cell.number_format = "@"
        cells.append(cell)
        width = max((_display_width(line) for line in value.split("\n")), default=0)
        if index < len(widths):
            widths[index] = max(widths[index], width)
        else:
            widths.append(width)
    return cells


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "", title).strip("'") or "Sheet1"
    return cleaned[:31]


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the real name as RFC 5987 ``filename*``."""
    from urllib.parse import quote

    safe_fallback = re.sub(r"[^A-Za-z0-9._-]", "_", ascii_fallback) or "download"
    return f"attachment; filename=\"{safe_fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# ---------------------------------------------------------------------------
# Web: the upload form and the download response shared by the import/export pages
# ---------------------------------------------------------------------------

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportFileForm(forms.Form):
    """A spreadsheet upload: checked by size, by extension and by its first bytes."""

    file = forms.FileField(label="选择文件", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = _size_label(int(settings.ZHIFA_MAX_IMPORT_BYTES))
        self.fields["file"].help_text = f"Excel（.xlsx）或 CSV（UTF-8 或 GB18030 编码），最大 {limit}。"

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = int(settings.ZHIFA_MAX_IMPORT_BYTES)
        name = upload.name or ""
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if (upload.size or 0) > limit:
            raise forms.ValidationError(f"文件过大：最大{_size_label(limit)}。")
        if extension not in FORMATS:
            raise forms.ValidationError("只能导入 .xlsx 或 .csv 文件。")
        head = upload.read(8)
        upload.seek(0)
        if extension == "xlsx" and not head.startswith(XLSX_MAGIC):
            raise forms.ValidationError("文件扩展名是 .xlsx，但内容不是 Excel 工作簿，请重新保存后再导入。")
        utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if extension == "csv" and (
            head.startswith((XLSX_MAGIC, OLE_MAGIC)) or (b"\x00" in head and not utf16)
        ):
            raise forms.ValidationError(
                "文件扩展名是 .csv，但内容不是文本格式的 CSV（可能是 Excel 工作簿），请另存为 CSV 或 .xlsx。"
            )
        return upload

    def content(self) -> bytes:
        upload: UploadedFile = self.cleaned_data["file"]
        upload.seek(0)
        return bytes(upload.read())

    def filename(self) -> str:
        return str(self.cleaned_data["file"].name or "")


def spreadsheet_response(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    fmt: str,
    filename: str,
    ascii_name: str,
    sheet_title: str,
) -> HttpResponse:
    """A download of ``headers`` and ``rows`` as ``fmt`` (csv or xlsx, anything else means xlsx)."""
    fmt = fmt if fmt in FORMATS else "xlsx"
    content = write_csv(headers, rows) if fmt == "csv" else write_xlsx(headers, rows, sheet_title)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(f"{filename}.{fmt}", f"{ascii_name}.{fmt}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
