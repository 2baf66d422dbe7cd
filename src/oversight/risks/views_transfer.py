"""Download a register (CSV, XLSX, JSON) or its blank template; upload one (CSV, XLSX).

The export holds only the risks the user may see (``risks.rules.visible_risks``); an upload
needs the right to keep the system's register. Work in ``oversight.risks.transfer``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from oversight.risks import forms, transfer
from oversight.risks.models import Risk
from oversight.risks.rules import visible_risks
from oversight.risks.views import _crumbs, _page, _system_of

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(body: bytes | str, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    system = _system_of(request)
    if system is None or fmt not in CONTENT_TYPES:
        raise Http404("No such register or format")
    risks = list(visible_risks(request.user, Risk.objects.filter(system=system)))
    rows = transfer.export_rows(risks)
    body = transfer.export_bytes(rows, fmt, system)
    return _download(body, fmt, f"risk-register-{system.code}-{timezone.localdate():%Y-%m-%d}")


def template(request: HttpRequest, fmt: str) -> HttpResponse:
    system = _system_of(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    return _download(transfer.template_bytes(fmt, system), fmt, "risk-register-template")


def upload(request: HttpRequest) -> HttpResponse:
    system = _system_of(request)
    if system is None or not request.user.has_perm("risks.add_risk", system):
        raise PermissionDenied
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result, error, status = None, None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                result = transfer.import_register(
                    upload_file.name, upload_file.read(), system, user=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except transfer.RegisterFileError as exc:
                error = str(exc)
            else:
                if result.ok and not result.dry_run:
                    messages.success(request, result.describe())
                    return redirect(f"/risks/?system={system.code}")
                status = 200 if result.ok else 400
    return _page(request, "risks/import.jinja", {
        "system": system, "form": form, "result": result, "error": error,
        "breadcrumbs": _crumbs((f"{system.name} register", f"/risks/?system={system.code}"),
                               ("Import", None)),
    }, status=status)
