"""The import/export pages: downloads, upload checks, the error table, permissions."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhifa.catalog.models import ItemVersion
from zhifa.catalog.transfer import HEADERS as CATALOG_HEADERS
from zhifa.core.identifiers import resident_id_check_digit
from zhifa.core.tabular import write_csv
from zhifa.org.models import Person
from zhifa.org.transfer import HEADERS as OFFICER_HEADERS


def rid(serial: int) -> str:
    first17 = f"43040019900101{serial:03d}"
    return first17 + resident_id_check_digit(first17)


def officer_csv(*resident_ids: str) -> bytes:
    rows = []
    for index, number in enumerate(resident_ids, start=1):
        values = {"姓名": f"导入{index}", "身份证号": number, "所属单位": "稽查支队", "角色": "执法人员"}
        rows.append([values.get(h, "") for h in OFFICER_HEADERS])
    return write_csv(OFFICER_HEADERS, rows)


def upload(content: bytes, name: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, content)}


# -- downloads ----------------------------------------------------------------------------------


def test_officer_export_csv_has_chinese_filename_and_bom(client_as: Any) -> None:
    response = client_as("officer").get(reverse("org:officer_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="officers-')
    assert "filename*=UTF-8''%E6%89%A7%E6%B3%95%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95-" in disposition
    assert response.content.startswith(b"\xef\xbb\xbf" + ",".join(OFFICER_HEADERS).encode())


def test_catalog_export_xlsx_and_template(client_as: Any, catalog: Any) -> None:
    client = client_as("officer")
    response = client.get(reverse("catalog:item_export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == CATALOG_HEADERS
    assert sheet.max_row == 3
    template = client.get(reverse("catalog:item_export"), {"format": "csv", "template": "1"})
    assert template.content.decode("utf-8-sig") == ",".join(CATALOG_HEADERS) + "\r\n"
    assert ".csv" in template["Content-Disposition"]


def test_a_login_without_a_role_may_not_export(client_as: Any) -> None:
    client = client_as("outsider")
    assert client.get(reverse("org:officer_export")).status_code == 403
    assert client.get(reverse("catalog:item_export")).status_code == 403


def test_anonymous_users_are_sent_to_login(client: Client, bureau: Any) -> None:
    for name in ("org:officer_export", "org:officer_import", "catalog:item_export", "catalog:item_import"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"], name


# -- the import pages ---------------------------------------------------------------------------


def test_import_page_describes_the_columns_and_links_the_template(client_as: Any) -> None:
    response = client_as("pilot").get(reverse("org:officer_import"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "下载模板" in page and f"{reverse('org:officer_export')}?format=xlsx&amp;template=1" in page
    assert all(header in page for header in OFFICER_HEADERS)
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page


def test_catalog_import_page_documents_the_cell_formats(client_as: Any) -> None:
    page = client_as("pilot").get(reverse("catalog:item_import")).content.decode()
    assert "查封、扣押：必须；送达：根据需要" in page
    assert "违法情形|下限|上限|计罚方式|其他处罚|情节描述" in page
    assert "下载模板" in page


def test_failed_import_shows_every_bad_row_and_saves_nothing(client_as: Any) -> None:
    bad = rid(2)[:17] + ("0" if rid(2)[17] != "0" else "1")
    before = Person.objects.count()
    response = client_as("pilot").post(
        reverse("org:officer_import"), upload(officer_csv(rid(1), bad, "123"), "名单.csv")
    )
    assert response.status_code == 200
    assert Person.objects.count() == before
    page = response.content.decode()
    assert "未导入任何数据" in page
    assert '<th scope="col">行号</th>' in page and '<th scope="col">原因</th>' in page
    assert "<td>3</td><td>身份证号</td><td>居民身份证号码校验码错误" in page
    assert "<td>4</td><td>身份证号</td><td>居民身份证号码应为18位" in page


def test_successful_import_redirects_with_a_summary(client_as: Any) -> None:
    client = client_as("pilot")
    response = client.post(reverse("org:officer_import"), upload(officer_csv(rid(1), rid(2)), "名单.csv"))
    assert response.status_code == 302
    assert response["Location"] == reverse("org:officer_import")
    assert Person.objects.filter(resident_id__in=[rid(1), rid(2)]).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "导入完成：共2行，新增2条" in page


def test_catalog_import_page_round_trip_and_error_table(client_as: Any, catalog: Any) -> None:
    client = client_as("pilot")
    exported = client.get(reverse("catalog:item_export"), {"format": "xlsx"}).content
    before = ItemVersion.objects.count()
    response = client.post(reverse("catalog:item_import"), upload(exported, "清单.xlsx"))
    assert response.status_code == 302
    assert ItemVersion.objects.count() == before
    assert "无变化2条" in client.get(response["Location"]).content.decode()
    bad = write_csv(CATALOG_HEADERS, [["CF-NEW-1", "新事项", "行政处罚", "稽查支队", "建筑法第999条"]])
    response = client.post(reverse("catalog:item_import"), upload(bad, "清单.csv"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "未导入任何数据" in page and "《建筑法》没有第999条" in page
    assert ItemVersion.objects.count() == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"a,b\r\n1,2\r\n", "名单.txt", "只能导入 .xlsx 或 .csv 文件"),
        (b"a,b\r\n1,2\r\n", "名单.xlsx", "内容不是 Excel 工作簿"),
        (b"PK\x03\x04rest", "名单.csv", "内容不是文本格式的 CSV"),
    ],
)
def test_upload_is_checked_by_extension_and_bytes(
    client_as: Any, content: bytes, name: str, message: str
) -> None:
    response = client_as("pilot").post(reverse("org:officer_import"), upload(content, name))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_utf16_csv_upload_is_accepted(client_as: Any) -> None:
    text = officer_csv(rid(1)).decode("utf-8-sig").replace(",", "\t")
    response = client_as("pilot").post(
        reverse("org:officer_import"), upload(text.encode("utf-16"), "名单.csv")
    )
    assert response.status_code == 302
    assert Person.objects.filter(resident_id=rid(1)).exists()


def test_oversized_upload_is_refused(client_as: Any, settings: Any) -> None:
    settings.ZHIFA_MAX_IMPORT_BYTES = 64
    response = client_as("pilot").post(reverse("org:officer_import"), upload(officer_csv(rid(1)), "名单.csv"))
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert not Person.objects.filter(resident_id=rid(1)).exists()


def test_missing_file_is_a_form_error(client_as: Any) -> None:
    response = client_as("pilot").post(reverse("org:officer_import"), {})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


# -- permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "head", "outsider"])
def test_officer_import_is_forbidden_without_permission(client_as: Any, persona: str) -> None:
    client = client_as(persona)
    before = Person.objects.count()
    response = client.post(reverse("org:officer_import"), upload(officer_csv(rid(1)), "名单.csv"))
    assert response.status_code == 403
    assert client.get(reverse("org:officer_import")).status_code == 403
    assert Person.objects.count() == before


@pytest.mark.parametrize("persona", ["officer", "reviewer", "outsider"])
def test_catalog_import_is_forbidden_without_permission(client_as: Any, persona: str) -> None:
    response = client_as(persona).post(reverse("catalog:item_import"), upload(b"x", "a.csv"))
    assert response.status_code == 403


def test_unit_head_may_open_the_catalog_import(client_as: Any) -> None:
    assert client_as("head").get(reverse("catalog:item_import")).status_code == 200


def test_import_requires_csrf(bureau: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(bureau.pilot)
    response = client.post(reverse("org:officer_import"), upload(officer_csv(rid(1)), "名单.csv"))
    assert response.status_code == 403
    assert not Person.objects.filter(resident_id=rid(1)).exists()
