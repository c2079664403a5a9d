from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from . import selectors
from .models import EntityType

PAGE_SIZE = 25


def entity_detail(request: HttpRequest, type: str, identifier: str) -> HttpResponse:
    """One entity: its record and every paper here that mentions it, most mentions first."""
    if type not in EntityType.values:
        reason = f"“{type}” is not an entity type; the types are {', '.join(EntityType.values)}."
        return _missing(request, type=type, identifier=identifier, reason=reason)
    entity = selectors.entity_get(type=type, identifier=identifier)
    if entity is None:
        label = EntityType(type).label
        reason = f"No paper on PaperHub mentions the {label.lower()} {identifier}, as PubTator3 names it."
        return _missing(request, type=type, identifier=identifier, reason=reason)
    page = Paginator(selectors.entity_papers(entity=entity), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "entities/entity_detail.html",
        {
            "entity": entity,
            "page": page,
            "search_url": f"{reverse('papers:search')}?entity={entity.type}:{entity.identifier}",
            "api_url": reverse("api:entity-detail", kwargs={"type": entity.type, "identifier": entity.identifier}),
        },
    )


def _missing(request, *, type: str, identifier: str, reason: str) -> HttpResponse:
    context = {"type": type, "identifier": identifier, "reason": reason}
    return render(request, "entities/entity_missing.html", context, status=404)
