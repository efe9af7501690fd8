"""Staff tools for awards and letters: the award register (read-only), letter templates with a PDF
preview, letter settings (signatory, signature, letterhead) and the letters and batches (read-only,
with retry). Changes go through ``awards.services.letters`` (audited)."""

import base64
import struct
from pathlib import PurePosixPath

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from awards.letters import MERGE_FIELDS, LetterTemplateError, check_template, default_body, render_preview
from awards.models import Award, Letter, LetterBatch, LetterSettings, LetterTemplate
from awards.services.letters import (
    batch_progress,
    retry_letters,
    save_letter_settings,
    save_letter_template,
)
from core.errors import DomainError
from core.pdf import static_root

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIGNATURE_MAX_BYTES = 1024 * 1024
SIGNATURE_MAX_PIXELS = 4000  # per side: a decompression bomb is refused before WeasyPrint opens it


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["reference", "application", "amount", "currency", "start_date"]
    list_filter = ["currency", "application__call"]
    search_fields = ["reference", "application__title", "application__pi__email"]
    list_select_related = ["application"]
    readonly_fields = ["application", "reference", "amount", "currency", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # awards are made by applying decisions, never by hand

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # an award decides stage-2 eligibility: it changes only through audited services

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def merge_fields_table() -> str:
    rows = format_html_join(
        "", "<tr><td><code>{{{{ {} }}}}</code></td><td>{}</td></tr>", MERGE_FIELDS.items()
    )
    return format_html(
        "<table><thead><tr><th>Field</th><th>Value</th></tr></thead><tbody>{}</tbody></table>", rows
    )


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["call", "kind", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 100, "style": "font-family: monospace"})}

    def clean(self):
        cleaned = super().clean()
        for name, what in (("body", "letter template"), ("subject", "e-mail subject")):
            if cleaned.get(name):
                try:
                    check_template(cleaned[name], what=what)
                except LetterTemplateError as exc:
                    self.add_error(name, str(exc))
        return cleaned


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """A call's letter bodies. Saving checks the template; *Preview* renders it with sample data."""

    form = LetterTemplateForm
    list_display = ["call", "kind", "subject", "updated_at", "preview_link"]
    list_filter = ["kind", "call"]
    search_fields = ["call__title", "subject", "body"]
    list_select_related = ["call"]
    readonly_fields = ["preview_link", "merge_fields", "updated_at", "updated_by"]
    actions = ["preview_pdf"]

    @admin.display(description="Merge fields")
    def merge_fields(self, obj) -> str:
        return merge_fields_table()

    @admin.display(description="Preview")
    def preview_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "Save the template to preview it."
        url = reverse("admin:awards_lettertemplate_preview", args=[obj.pk])
        return format_html("<a href='{}' target='_blank'>PDF with sample data</a>", url)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        kind = initial.get("kind")
        if kind not in (Letter.Kind.AWARD, Letter.Kind.DECLINE, Letter.Kind.WAITLIST):
            kind = initial["kind"] = Letter.Kind.AWARD
        initial.setdefault("subject", "Your application {{ reference }}")
        initial.setdefault("body", default_body(kind))
        return initial

    def save_model(self, request, obj, form, change):
        save_letter_template(obj, by=request.user)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<int:pk>/preview/", preview, name="awards_lettertemplate_preview"), *super().get_urls()]

    def preview_view(self, request, pk: int):
        template = LetterTemplate.objects.select_related("call__program").filter(pk=pk).first()
        if template is None:
            raise Http404("No such letter template.")
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        return self._preview(request, template)

    def _preview(self, request, template: LetterTemplate) -> HttpResponse:
        try:
            pdf = render_preview(template, template.call)
        except LetterTemplateError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:awards_lettertemplate_change", args=[template.pk]))
        return pdf_response(pdf, f"preview-{template.kind}.pdf")

    @admin.action(description="Preview the selected template as PDF (sample data)")
    def preview_pdf(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one template to preview.", messages.WARNING)
            return None
        return self._preview(request, queryset.select_related("call__program").get())


class SignatureInput(forms.FileInput):
    """An upload field that shows the stored signature inline: stored files have no public URL."""

    def render(self, name, value, attrs=None, renderer=None):
        upload = super().render(name, value, {**(attrs or {}), "accept": "image/png"}, renderer)
        if not getattr(value, "name", None):
            return upload
        try:
            with value.storage.open(value.name, "rb") as handle:
                data = base64.b64encode(handle.read()).decode("ascii")
        except OSError:
            return format_html("<p>The stored signature cannot be read.</p>{}", upload)
        return format_html(
            "<p><img src='data:image/png;base64,{}' alt='The stored signature' style='height: 60px'></p>{}",
            data,
            upload,
        )


class LetterSettingsForm(forms.ModelForm):
    remove_signature = forms.BooleanField(
        required=False, help_text="Letters are then signed without an image."
    )

    class Meta:
        model = LetterSettings
        fields = ["call", "signatory_name", "signatory_title", "signature", "letterhead", "sender_address"]
        widgets = {"signature": SignatureInput}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove_signature") and not isinstance(cleaned.get("signature"), UploadedFile):
            cleaned["signature"] = False  # what a cleared file field gives: the model field is emptied
        return cleaned

    def clean_signature(self):
        signature = self.cleaned_data.get("signature")
        if not isinstance(signature, UploadedFile):
            return signature  # unchanged or cleared
        if signature.size > SIGNATURE_MAX_BYTES:
            raise forms.ValidationError("The signature image must be at most 1 MB.")
        signature.seek(0)
        head = signature.read(24)
        signature.seek(0)
        if not head.startswith(PNG_MAGIC) or head[12:16] != b"IHDR":
            raise forms.ValidationError("The signature must be a PNG image.")
        width, height = struct.unpack(">II", head[16:24])
        if not (0 < width <= SIGNATURE_MAX_PIXELS and 0 < height <= SIGNATURE_MAX_PIXELS):
            raise forms.ValidationError(
                f"The signature image may be at most {SIGNATURE_MAX_PIXELS} pixels a side."
            )
        return signature

    def clean_letterhead(self):
        value = self.cleaned_data["letterhead"].strip()
        relative = PurePosixPath(value)
        folder = static_root() / "letters"
        target = (static_root() / relative).resolve()
        if (
            relative.is_absolute()
            or relative.parts[:1] != ("letters",)
            or relative.suffix.lower() not in (".svg", ".png")
            or not target.is_relative_to(folder)
            or not target.is_file()
        ):
            raise forms.ValidationError("Name an SVG or PNG file of the static files' letters/ folder.")
        return value


@admin.register(LetterSettings)
class LetterSettingsAdmin(admin.ModelAdmin):
    """Who signs a call's letters, the signature (PNG, at most 1 MB) and the letterhead."""

    form = LetterSettingsForm
    list_display = ["call", "signatory_name", "signatory_title", "letterhead", "updated_at"]
    search_fields = ["call__title", "signatory_name"]
    list_select_related = ["call"]
    readonly_fields = ["updated_at"]
    actions = ["preview_award_letter"]

    def save_model(self, request, obj, form, change):
        save_letter_settings(obj, by=request.user)

    @admin.action(description="Preview an award letter with these settings (sample data)")
    def preview_award_letter(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one call's settings to preview.", messages.WARNING)
            return None
        letter_settings = queryset.select_related("call__program").get()
        try:
            pdf = render_preview(Letter.Kind.AWARD, letter_settings.call)
        except LetterTemplateError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        return pdf_response(pdf, "preview-award.pdf")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    """Every rendered letter, each version kept. Failed letters can be queued again."""

    list_display = [
        "reference", "kind", "version", "status", "attempts", "pages", "rendered_at", "emailed_at", "batch",
    ]  # fmt: skip
    list_filter = ["status", "kind", "decision__call"]
    search_fields = ["decision__application__reference", "decision__application__title"]
    list_select_related = ["decision__application", "batch"]
    fields = [
        "decision", "batch", "kind", "version", "status", "download", "sha256", "size", "pages", "attempts",
        "last_error", "created_by", "created_at", "queued_at", "rendered_at", "emailed_at",
    ]  # fmt: skip
    readonly_fields = fields  # the file has no public URL: "download" serves it to staff
    actions = ["retry_failed"]

    @admin.display(description="Reference", ordering="decision__application__reference")
    def reference(self, obj) -> str:
        return obj.decision.application.reference

    @admin.display(description="PDF")
    def download(self, obj) -> str:
        if not obj.file:
            return "—"
        url = reverse("admin:awards_letter_pdf", args=[obj.pk])
        return format_html("<a href='{}'>{}</a>", url, obj.filename)

    def get_urls(self):
        pdf = self.admin_site.admin_view(self.pdf_view)
        return [path("<int:pk>/pdf/", pdf, name="awards_letter_pdf"), *super().get_urls()]

    def pdf_view(self, request, pk: int):
        letter = Letter.objects.select_related("decision__application").filter(pk=pk).first()
        if letter is None or not letter.file:
            raise Http404("No such letter, or it is not rendered yet.")
        if not self.has_view_permission(request, letter):
            raise PermissionDenied
        return FileResponse(letter.file.open("rb"), content_type="application/pdf", filename=letter.filename)

    @admin.action(description="Queue the selected failed letters again")
    def retry_failed(self, request, queryset):
        try:
            retried = retry_letters(letters=queryset, by=request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"{len(retried)} failed letter(s) queued again.", messages.SUCCESS)


@admin.register(LetterBatch)
class LetterBatchAdmin(ReadOnlyAdmin):
    """The letters queued by one action, with their progress."""

    list_display = ["label", "call", "created_by", "created_at", "progress"]
    list_filter = ["call"]
    list_select_related = ["call", "created_by"]
    readonly_fields = ["progress"]
    actions = ["retry_failed"]

    def get_queryset(self, request):
        statuses = {s: Count("letters", filter=Q(letters__status=s)) for s in Letter.Status.values}
        return super().get_queryset(request).annotate(**{f"n_{s}": c for s, c in statuses.items()})

    @admin.display(description="Progress")
    def progress(self, obj) -> str:
        if hasattr(obj, "n_done"):
            done, failed, pending = obj.n_done, obj.n_failed, obj.n_pending
        else:
            counts = batch_progress(obj)
            done, failed, pending = counts["done"], counts["failed"], counts["pending"]
        return f"{done} done, {failed} failed, {pending} pending"

    @admin.action(description="Queue the failed letters of the selected batches again")
    def retry_failed(self, request, queryset):
        count = 0
        for batch in queryset:
            try:
                count += len(retry_letters(batch=batch, by=request.user))
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
        self.message_user(request, f"{count} failed letter(s) queued again.", messages.SUCCESS)
