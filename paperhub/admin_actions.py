"""Admin actions shared by everything that is moderated (reviews, review edits, videos)."""

from django import forms
from django.contrib import messages
from django.shortcuts import render


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="The author sees this reason.")


def reject_with_reason(modeladmin, request, queryset, reject):
    """Admin action with an intermediate page asking for the reason the authors will see."""
    if "apply" in request.POST:
        form = RejectForm(request.POST)
        if form.is_valid():
            for obj in queryset:
                reject(obj, request.user, form.cleaned_data["reason"])
            modeladmin.message_user(request, f"Rejected {queryset.count()}.", messages.SUCCESS)
            return None
    else:
        form = RejectForm()
    return render(
        request,
        "admin/reject_with_reason.html",
        {
            "form": form,
            "objects": queryset,
            "action": request.POST["action"],
            "opts": modeladmin.model._meta,
            "title": "Reject with a reason",
        },
    )
