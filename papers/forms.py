from django import forms

from .identifiers import InvalidIdentifier, parse_identifier


class AddPaperForm(forms.Form):
    identifier = forms.CharField(
        label="DOI, arXiv id, PMID or PMCID",
        max_length=2000,
        widget=forms.TextInput(
            attrs={"placeholder": "e.g. https://doi.org/10.7554/eLife.01567", "autocomplete": "off"}
        ),
        error_messages={
            "required": "Enter a DOI, an arXiv id, a PMID or a PMCID.",
            "max_length": "That is far too long to be an identifier.",
        },
    )

    def clean_identifier(self) -> str:
        value = self.cleaned_data["identifier"]
        try:
            parse_identifier(value)
        except InvalidIdentifier as exc:
            raise forms.ValidationError(str(exc), code="invalid_identifier") from None
        return value
