from __future__ import annotations

import base64
import datetime as dt
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from lanhmanh.core.audit import REDACTED, Action, record_change
from lanhmanh.core.home import panels_for
from lanhmanh.org.enrolment import enrolment_code_redeem
from lanhmanh.org.forms import (
    BAD_TOKEN_MESSAGE,
    EnrolmentCodeForm,
    LoginForm,
    PasswordChangeForm,
    SuccessionForm,
    TokenForm,
)
from lanhmanh.org.models import AdministrativeUnit, AuthenticatorDevice, UnitLevel, UnitSuccession
from lanhmanh.org.rules import can_manage_unit_successions
from lanhmanh.org.selectors import home_summary
from lanhmanh.org.successions import REFORM_2025, unit_succession_correct


class LoginView(auth_views.LoginView):
    template_name = "org/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    """Officers change their own password (ASVS V2.1.5): the old one, then a new one checked by the
    validators (12 characters at least, not common, not all digits, not like the user's names)."""

    template_name = "org/password_change.html"
    form_class = PasswordChangeForm
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        record_change(
            actor=user,
            instance=user,
            action=Action.UPDATE,
            before=None,
            after={"password": REDACTED},
            reason=_("Người dùng tự đổi mật khẩu"),
        )
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


ENROL_SESSION_KEY = "totp_enrol_device"


@login_required
def two_factor(request):
    """Verify a 6-digit code to finish sign-in; without an authenticator yet, enrol one: first the
    one-time enrolment code handed out by the administrator (``org.enrolment``), then the QR code."""
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = AuthenticatorDevice.objects.filter(
            pk=request.session.get(ENROL_SESSION_KEY) or 0, user=user, confirmed=False
        ).first()
        if device is None:
            return _enrolment_code_step(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop(ENROL_SESSION_KEY, None)
                messages.success(request, _("Đã bật xác thực hai bước cho tài khoản."))
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", BAD_TOKEN_MESSAGE)
    context = {"form": form, "enrolling": enrolling, "next": _safe_next(request)}
    if enrolling:
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        buffer = io.BytesIO()
        image.save(buffer)
        context["qr_data_uri"] = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "org/two_factor.html", context)


def _enrolment_code_step(request):
    """The enrolment code: right → a fresh unconfirmed authenticator bound to this session."""
    user = request.user
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = enrolment_code_redeem(user=user, code=form.cleaned_data["enrolment_code"])
        if problem is None:
            AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
            device = AuthenticatorDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
            request.session[ENROL_SESSION_KEY] = device.pk
            return redirect(f"{reverse('two_factor')}?{urlencode({'next': _safe_next(request)})}")
        form.add_error("enrolment_code", problem)
    return render(
        request,
        "org/two_factor_code.html",
        {"form": form, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )


@login_required
def home(request):
    user = request.user
    return render(request, "org/home.html", {"summary": home_summary(user), "panels": panels_for(user)})


# Successor links across the 2025 reform -------------------------------------------------------------


def _require_succession_manager(user) -> None:
    if not can_manage_unit_successions(user):
        raise Http404


@login_required
def successions(request):
    """Pre-reform communes of one old district with the new communes they became (source shown)."""
    _require_succession_manager(request.user)
    day_before = REFORM_2025 - dt.timedelta(days=1)
    province = request.user.unit.path.split(".")[0]
    districts = list(
        AdministrativeUnit.objects.subtree(province).filter(level=UnitLevel.DISTRICT).valid_on(day_before)
    )
    chosen = next(
        (d for d in districts if str(d.pk) == request.GET.get("quan")), districts[0] if districts else None
    )
    communes = (
        AdministrativeUnit.objects.subtree(chosen.path).filter(level=UnitLevel.COMMUNE).valid_on(day_before)
        if chosen
        else AdministrativeUnit.objects.none()
    ).prefetch_related(
        Prefetch("succession_links", queryset=UnitSuccession.objects.select_related("successor"))
    )
    return render(
        request,
        "org/successions.html",
        {
            "districts": districts,
            "chosen": chosen,
            "communes": communes,
            "linked": UnitSuccession.objects.count(),
        },
    )


@login_required
def succession_edit(request, pk: int):
    _require_succession_manager(request.user)
    day_before = REFORM_2025 - dt.timedelta(days=1)
    province = request.user.unit.path.split(".")[0]
    unit = get_object_or_404(
        AdministrativeUnit.objects.subtree(province).filter(level=UnitLevel.COMMUNE).valid_on(day_before),
        pk=pk,
    )
    candidates = (
        AdministrativeUnit.objects.subtree(province)
        .filter(level=UnitLevel.COMMUNE, valid_from__gte=REFORM_2025)
        .valid_on(REFORM_2025)
    )
    links = list(unit.succession_links.select_related("successor"))
    initial = {
        "successors": [link.successor for link in links],
        "default": next((link.successor for link in links if link.default), None),
    }
    form = SuccessionForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit_succession_correct(
                actor=request.user,
                predecessor=unit,
                successors=list(form.cleaned_data["successors"]),
                default=form.cleaned_data["default"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Đã sửa liên kết kế thừa của %(unit)s.") % {"unit": unit.full_name})
            return redirect(f"{reverse('unit_successions')}?quan={unit.parent_id}")
    return render(request, "org/succession_form.html", {"unit": unit, "links": links, "form": form})
