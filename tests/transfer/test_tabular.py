"""zhifa.core.tabular: reading CSV/XLSX safely, writing them without formula injection."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
from django.test import override_settings

from zhifa.core.errors import InvalidInput
from zhifa.core.tabular import (
    content_disposition,
    escape_formula,
    parse_date_cell,
    read_table,
    write_csv,
    write_xlsx,
)

HEADERS = ["姓名", "单位", "备注"]
ROWS = [["张三", "稽查支队", "第一行"], ["李四", "工程管理科", "多行\n备注"]]


def test_csv_is_utf8_with_bom_and_crlf_and_reads_back() -> None:
    content = write_csv(HEADERS, ROWS)
    assert content.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in content
    table = read_table(content, "a.csv")
    assert table.headers == tuple(HEADERS)
    assert [(r.number, r.values) for r in table] == [
        (2, dict(zip(HEADERS, ROWS[0], strict=True))),
        (3, dict(zip(HEADERS, ROWS[1], strict=True))),
    ]


def test_xlsx_reads_back_with_bold_frozen_header_and_widths() -> None:
    content = write_xlsx(HEADERS, ROWS, "执法人员")
    assert content.startswith(b"PK\x03\x04")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet.title == "执法人员"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b is True
    assert sheet.column_dimensions["B"].width >= len("工程管理科") * 2
    table = read_table(content, "a.xlsx")
    assert [r.values for r in table] == [dict(zip(HEADERS, row, strict=True)) for row in ROWS]


def test_plain_utf8_and_gb18030_csv_are_accepted() -> None:
    text = "姓名,单位\r\n张三,稽查支队\r\n"
    for encoding in ("utf-8", "gb18030"):
        table = read_table(text.encode(encoding), "a.csv")
        assert [r.values for r in table] == [{"姓名": "张三", "单位": "稽查支队"}], encoding


def test_excel_unicode_text_is_accepted() -> None:
    table = read_table("姓名\t单位\r\n张三\t稽查支队\r\n".encode("utf-16"), "a.txt")
    assert [r.values for r in table] == [{"姓名": "张三", "单位": "稽查支队"}]


def test_blank_rows_skipped_row_numbers_kept_and_cells_stripped() -> None:
    text = "姓名 ,单位\n\n  张三　, 稽查支队 \n,\n李四,\n"
    table = read_table(text.encode(), "a.csv")
    assert [(r.number, r.values) for r in table] == [
        (3, {"姓名": "张三", "单位": "稽查支队"}),
        (5, {"姓名": "李四", "单位": ""}),
    ]


def test_xlsx_row_numbers_count_blank_rows_and_dates_become_iso() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "发证日期", "编号"])
    sheet.append([None, None, None])
    sheet.append(["张三", datetime.datetime(2024, 1, 2), 12.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "a.xlsx")
    assert [(r.number, r.values) for r in table] == [
        (3, {"姓名": "张三", "发证日期": "2024-01-02", "编号": "12"})
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "空"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
        (b"PK\x03\x04 not really a zip", "xlsx"),
        (b"\x00\x01\x02binary", "不是 CSV"),
        (b"\xff\xfe\xfd\x80\x81", "编码"),
    ],
)
def test_unreadable_files_are_refused_in_chinese(content: bytes, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_table(content, "上传.csv")
    assert words in refused.value.message


@override_settings(ZHIFA_MAX_IMPORT_BYTES=100)
def test_files_over_the_limit_are_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_table(b"a,b\r\n" + b"x,y\r\n" * 50, "a.csv")
    assert "文件过大" in refused.value.message


@override_settings(ZHIFA_MAX_IMPORT_BYTES=2000)
def test_xlsx_that_expands_hugely_is_refused_before_parsing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 200_000)
    with pytest.raises(InvalidInput) as refused:
        read_table(buffer.getvalue(), "bomb.xlsx")
    assert "解压后过大" in refused.value.message


def test_duplicate_header_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_table("姓名,姓名\r\n张三,李四\r\n".encode(), "a.csv")
    assert "不止一次" in refused.value.message


DANGEROUS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]


def test_formula_injection_is_escaped_in_csv() -> None:
    content = write_csv(["值"], [[value] for value in DANGEROUS])
    cells = [row[0] for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))][1:]
    assert cells == ["'" + value for value in DANGEROUS]
    # and reading our own export gives the original values back
    assert [r.get("值") for r in read_table(content, "a.csv")] == [v.strip() for v in DANGEROUS]


def test_formula_injection_is_escaped_in_xlsx_and_never_stored_as_formula() -> None:
    content = write_xlsx(["=值"], [[value] for value in DANGEROUS], "表")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet["A1"].value == "'=值"
    for index, value in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=index, column=1)
        assert cell.data_type == "s"
        assert cell.value == "'" + value
    assert [r.get("=值") for r in read_table(content, "a.xlsx")] == [v.strip() for v in DANGEROUS]


def test_escape_leaves_ordinary_text_alone() -> None:
    assert escape_formula("建筑法第64条") == "建筑法第64条"
    assert escape_formula("轻微|1|1.2|元") == "轻微|1|1.2|元"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-01-02", datetime.date(2024, 1, 2)),
        ("2024/1/2", datetime.date(2024, 1, 2)),
        ("2024年1月2日", datetime.date(2024, 1, 2)),
        ("45293", datetime.date(2024, 1, 2)),  # an Excel serial day number
        ("2024-02-30", None),
        ("明天", None),
    ],
)
def test_parse_date_cell(text: str, day: datetime.date | None) -> None:
    assert parse_date_cell(text) == day


def test_content_disposition_has_ascii_fallback_and_rfc5987_name() -> None:
    header = content_disposition("执法人员名单.csv", "officers.csv")
    assert header == (
        'attachment; filename="officers.csv"; '
        "filename*=UTF-8''%E6%89%A7%E6%B3%95%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95.csv"
    )
