from __future__ import annotations

from typing import Any

from django import forms

from zhifa.core.forms import DateInput, validate_photo
from zhifa.org.models import (
    BODY_WIDE_ROLES,
    Credential,
    CredentialStatus,
    EnforcementBody,
    Person,
    Role,
    Unit,
    UnitKind,
)


class BodyForm(forms.ModelForm):
    class Meta:
        model = EnforcementBody
        fields = [
            "name",
            "short_name",
            "credit_code",
            "legal_status",
            "jurisdiction",
            "address",
            "phone",
            "supervision_phone",
        ]


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "parent", "counterpart", "enforces", "duties", "sort_order", "is_active"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, body: EnforcementBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Unit.objects.filter(body=body)  # type: ignore[attr-defined]
        self.fields["counterpart"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            body=body, kind=UnitKind.SECTION
        )
        self.fields["counterpart"].help_text = "局属单位的对口管理科室，负责审核汇总其报送的材料"

    def clean_parent(self) -> Unit | None:
        # Said in words here: otherwise the model's check constraint answers first with its name.
        parent: Unit | None = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and parent.pk == self.instance.pk:
            raise forms.ValidationError("单位不能以自己为上级单位。")
        return parent


class PersonForm(forms.ModelForm):
    username = forms.CharField(
        label="登录用户名", max_length=150, required=False, help_text="留空则不开通登录账号"
    )
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, required=False, min_length=8)

    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "unit",
            "title",
            "resident_id",
            "phone",
            "legal_qualification_no",
            "legal_qualification_date",
            "is_active",
        ]
        widgets = {"legal_qualification_date": DateInput()}

    def __init__(self, *args: Any, body: EnforcementBody, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(body=body, is_active=True)  # type: ignore[attr-defined]
        if not creating:
            del self.fields["username"]
            del self.fields["password"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("username") and not data.get("password"):
            self.add_error("password", "开通登录账号须设置初始密码（至少8位）。")
        return data


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    unit = forms.ModelChoiceField(
        label="适用单位",
        queryset=Unit.objects.none(),
        required=False,
        help_text=f"{'、'.join(str(Role(r).label) for r in sorted(BODY_WIDE_ROLES))}为全局角色，不选单位",
    )

    def __init__(self, *args: Any, body: EnforcementBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(body=body)  # type: ignore[attr-defined]


class CredentialForm(forms.ModelForm):
    reason = forms.CharField(label="修改原因", required=False, max_length=300)

    class Meta:
        model = Credential
        fields = ["number", "category", "area", "issuing_authority", "issued_on", "expires_on", "photo"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = "JPEG 或 PNG，不超过 2 MB"
        if creating:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True

    def clean(self) -> dict[str, Any]:
        # Said here in words: otherwise the model's check constraint answers first with its name.
        data = super().clean() or {}
        issued_on, expires_on = data.get("issued_on"), data.get("expires_on")
        if issued_on and expires_on and expires_on <= issued_on:
            self.add_error("expires_on", "有效期至必须晚于发证日期。")
        return data

    def clean_photo(self) -> Any:
        """Only a newly uploaded photo comes through; keeping the current one is ``None``."""
        if self.files.get(self.add_prefix("photo")) is None:
            return None
        return validate_photo(self.cleaned_data.get("photo"))


class CredentialStatusForm(forms.Form):
    status = forms.ChoiceField(label="变更为", choices=CredentialStatus.choices)
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
