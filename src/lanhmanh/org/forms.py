from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.forms import TextGuardMixin
from lanhmanh.org import security
from lanhmanh.org.models import AdministrativeUnit

# One message for every refusal: it must not tell which user names exist or are locked.
INVALID_MESSAGE = _(
    "Tên đăng nhập hoặc mật khẩu không đúng, hoặc đã đăng nhập sai nhiều lần nên tạm thời bị chặn: "
    "vui lòng kiểm tra lại và thử lại sau ít phút."
)
BAD_TOKEN_MESSAGE = _("Mã xác thực không đúng hoặc đã hết hạn. Mã gồm 6 chữ số trong ứng dụng xác thực.")


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": INVALID_MESSAGE, "inactive": _("Tài khoản này đã bị vô hiệu hoá.")}

    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or password is None:
            return self.cleaned_data
        address = security.client_address(self.request) if self.request else ""
        if security.address_throttled(address):
            raise forms.ValidationError(INVALID_MESSAGE, code="invalid_login")
        # A locked account fails in the backend (``LockoutAwareBackend``) like a wrong password.
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            security.register_failure(username, address)
            raise forms.ValidationError(INVALID_MESSAGE, code="invalid_login")
        self.confirm_login_allowed(self.user_cache)
        security.register_success(self.user_cache)
        return self.cleaned_data


class EnrolmentCodeForm(TextGuardMixin, forms.Form):
    enrolment_code = forms.CharField(
        label=_("Mã đăng ký do quản trị viên cấp"),
        max_length=40,
        error_messages={"required": _("Nhập mã đăng ký do quản trị viên cấp.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
    )


class TokenForm(TextGuardMixin, forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực 6 chữ số"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(BAD_TOKEN_MESSAGE)
        return token


class PasswordChangeForm(TextGuardMixin, DjangoPasswordChangeForm):
    """Django's form with Vietnamese labels; the validators' messages are Vietnamese (``org.passwords``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password1"].help_text = _(
            "Ít nhất 12 ký tự; không quá giống tên đăng nhập hay họ tên; không phải mật khẩu phổ biến; không chỉ gồm chữ số."
        )
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": _("Mật khẩu hiện tại không đúng."),
            "password_mismatch": _("Hai lần nhập mật khẩu mới không khớp."),
        }


class SuccessionForm(TextGuardMixin, forms.Form):
    """Correct a pre-reform commune's successors (the communes valid from 1/7/2025 of its province)."""

    successors = forms.ModelMultipleChoiceField(
        queryset=AdministrativeUnit.objects.none(), label=_("Đơn vị mới (sau 1/7/2025)")
    )
    default = forms.ModelChoiceField(
        queryset=AdministrativeUnit.objects.none(),
        label=_("Đơn vị mặc định (hồ sơ không ghi địa chỉ chi tiết)"),
    )
    reason = forms.CharField(label=_("Lý do sửa"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successors"].queryset = candidates
        self.fields["default"].queryset = candidates
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if hasattr(field, "queryset") else "form-control"
            )
