from django import forms

from .openreview_urls import MAX_LENGTH, InvalidForumLink, parse_forum


class ForumImportForm(forms.Form):
    # Neither required nor max_length here: parse_forum says why an empty or oversized field names no forum, in the
    # words the API's service answers with, instead of Django's generic "This field is required.".
    url = forms.CharField(
        label="OpenReview forum link",
        required=False,
        help_text="https://openreview.net/forum?id=…, a note's link in it, the /pdf?id=… link, or the forum id.",
        widget=forms.TextInput(
            attrs={
                "inputmode": "url",
                "placeholder": "https://openreview.net/forum?id=…",
                "maxlength": MAX_LENGTH,
                "required": True,
            }
        ),
    )

    def clean_url(self):
        text = self.cleaned_data["url"]
        try:
            parse_forum(text)
        except InvalidForumLink as exc:
            raise forms.ValidationError(str(exc)) from None
        return text
