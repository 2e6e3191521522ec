from django import forms
from django.utils.translation import gettext_lazy as _

from quizzes.interchange import drafts, report


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Detect it")), *report.FORMAT_NAMES.items()],
        required=False,
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("GIFT or Aiken (.txt) or Moodle XML (.xml), UTF-8, up to 1 MB."),
    )
    text = forms.CharField(
        label=_("Or paste the questions"),
        required=False,
        max_length=drafts.MAX_FILE_BYTES,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 80, "spellcheck": "false"}),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > drafts.MAX_FILE_BYTES:
                raise forms.ValidationError(
                    _("The file is %(size)s kB; the most an import takes is %(max)s kB.")
                    % {"size": upload.size // 1000, "max": drafts.MAX_FILE_BYTES // 1000}
                )
            try:
                cleaned["text"] = report.decode(upload.read())
            except report.ImportRefused as error:
                raise forms.ValidationError(str(error)) from None
        if not cleaned.get("text", "").strip():
            raise forms.ValidationError(_("Choose a file or paste the questions."))
        return cleaned
