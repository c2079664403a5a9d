from django import forms
from django.core.exceptions import ValidationError

from . import services
from .models import Platform, Review

HONEYPOT_MESSAGE = (
    "A field hidden from view, there to catch spam robots, was filled in, probably by your browser's autofill. "
    "It is empty now: check the form and submit it again."
)


class AlwaysEmptyInput(forms.TextInput):
    """Rendered without its value: after a refused submit the honeypot is empty, so the next submit passes."""

    def format_value(self, value):
        return None


class ReviewForm(forms.ModelForm):
    source_url = forms.URLField(
        label="Link to the original",
        max_length=1000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://openreview.net/forum?id=…"}),
        error_messages={
            "required": "Give the link to the original review.",
            "invalid": "Enter the web address (https://…) of the original review.",
        },
    )
    attest = forms.BooleanField(
        label="I wrote this review, or it is public under a licence that permits reposting.",
        error_messages={"required": "Confirm that you may post this review here."},
    )
    # A field people never see: bots that fill every input give themselves away.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=AlwaysEmptyInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Review
        fields = list(Review.EDITABLE_FIELDS)
        widgets = {
            # No maxlength: browsers cut pasted text there without a word. static/js/char-count.js counts instead,
            # and the service refuses longer text with a message, keeping it in the form.
            "body": forms.Textarea(attrs={"rows": 18, "data-max-length": services.MAX_BODY_LENGTH}),
        }
        labels = {"reviewer_name": "Reviewer name shown"}
        help_texts = {"body": "Markdown: headings, lists, emphasis, links, code, quotes and tables."}
        error_messages = {
            "platform": {"required": "Choose where the review was first public."},
            "venue": {"required": "Give the venue, e.g. ICLR 2024."},
            "year": {"required": "Give the year of the review.", "invalid": "Enter the year as a number."},
            "body": {"required": "Paste the text of the review."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer_name"].required = False
        # Journal reviews arrive with the full text; nobody pastes one.
        self.fields["platform"].choices = [c for c in self.fields["platform"].choices if c[0] != Platform.JOURNAL]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            # Said where people look (the error summary), not beside a field they cannot see.
            self.add_error(None, HONEYPOT_MESSAGE)
        if not self.errors:
            try:
                services.review_check_content(cleaned)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned

    @property
    def content(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.EDITABLE_FIELDS}
