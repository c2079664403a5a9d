from django import forms

from .openreview_urls import MAX_LENGTH, InvalidForumLink, parse_forum


class ForumImportForm(forms.Form):
    url = forms.CharField(
        label="OpenReview forum link",
        max_length=MAX_LENGTH,
        help_text="https://openreview.net/forum?id=…, a note's link in it, the /pdf?id=… link, or the forum id.",
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://openreview.net/forum?id=…"}),
    )

    def clean_url(self):
        text = self.cleaned_data["url"]
        try:
            parse_forum(text)
        except InvalidForumLink as exc:
            raise forms.ValidationError(str(exc)) from None
        return text
