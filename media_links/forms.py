from django import forms

from .models import VideoKind


class VideoForm(forms.Form):
    url = forms.CharField(
        label="Video address",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://www.youtube.com/watch?v=…", "autocomplete": "off"}),
        error_messages={"required": "Paste the address of the video."},
        help_text="YouTube or Vimeo.",
    )
    kind = forms.ChoiceField(choices=VideoKind.choices, initial=VideoKind.TALK)
    start = forms.CharField(
        label="Start at (optional)",
        max_length=20,
        required=False,
        help_text="Where the explanation begins, e.g. 1:30 or 90. A t= in the address is used otherwise.",
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the video covers, who speaks, at which event.",
    )
