import json
import time

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from paperhub.limits import paper_add_limit_message

from . import browse, citation, extensions, page_cache, selectors, services, versions
from . import doi as doi_lib
from . import search as search_lib
from .api.filters import PaperFilter
from .forms import AddPaperForm
from .identifiers import InvalidIdentifier, parse_identifier
from .metadata import highwire_tags, scholarly_article_jsonld
from .models import IdentifierLookup, Paper, PaperUpdate, RelationKind

# Escapes that keep JSON inert inside <script>, as Django's json_script does.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def home(request: HttpRequest) -> HttpResponse:
    # Anonymous visitors get the whole page from the page cache (its add form holds no CSRF token); signed-in
    # ones get it rendered around the list of recent papers, kept per generation of all papers (profiled: the
    # list was two thirds of the page's time).
    generation, _ = versions.generation()
    return render(
        request,
        "papers/home.html",
        {
            "recent_papers": lambda: selectors.papers_recent(limit=12),  # called only when the fragment is built
            # With a per-process cache there is no shared generation: a fresh token keeps the list live.
            "papers_generation": generation if generation is not None else time.time_ns(),
            # Counting every row on each home page view is the page's main cost; a minute-old count is fine.
            "counts": cache.get_or_set("home:site_counts", selectors.site_counts, 60),
            "add_form": AddPaperForm(),
        },
    )


def paper_detail(request: HttpRequest, doi: str) -> HttpResponse:
    try:
        canonical = doi_lib.normalize_doi(doi)
    except doi_lib.InvalidDOI as exc:
        return render(request, "papers/doi_invalid.html", {"given": doi, "reason": str(exc)}, status=404)

    canonical_path = reverse("papers:detail", kwargs={"doi": canonical})
    if canonical != doi or page_cache.raw_path(request) not in (None, canonical_path):
        return HttpResponsePermanentRedirect(canonical_path)

    paper = Paper.objects.filter(doi=canonical).first()
    if paper is None:
        add_form = AddPaperForm(initial={"identifier": canonical})
        context = {"doi": canonical, "doi_url": doi_lib.doi_url(canonical), "add_form": add_form}
        return render(request, "papers/paper_missing.html", context, status=404)

    context = {
        "paper": paper,
        # Everything else on the page is the same for every visitor and cached per paper version in the template;
        # PaperPageParts loads it only when a fragment has to be rendered.
        "parts": PaperPageParts(paper, page_url=request.build_absolute_uri(canonical_path)),
        "cache_seconds": page_cache.PAGE_SECONDS,
        "api_url": reverse("api:paper-detail", kwargs={"doi": canonical}),
    }
    # Anonymous visitors' copies of this page are kept whole by page_cache.SharedPageMiddleware.
    return render(request, "papers/paper_detail.html", context)


class PaperPageParts:
    """What the cached fragments of a paper page show, loaded on first use (eight queries) and then kept.

    `sections` are the page's sections in order, papers' own and those other apps register (papers.extensions);
    each loads its data only when its fragment is rendered.
    """

    def __init__(self, paper: Paper, *, page_url: str):
        self._doi = paper.doi
        self._paper_row = paper
        self.page_url = page_url

    @cached_property
    def paper(self) -> Paper:
        return selectors.paper_get_for_page(doi=self._doi)

    @cached_property
    def _authors(self):
        return number_affiliations(self.paper.author_rows)

    @cached_property
    def editors(self):
        return self.paper.editor_rows

    @cached_property
    def funding(self):
        return list(self.paper.fundings.all())

    @property
    def authors(self):
        return self._authors[0]

    @property
    def affiliations(self):
        return self._authors[1]

    @cached_property
    def references(self):
        return list(self.paper.references.all())

    @cached_property
    def paper_topics(self):
        return list(self.paper.paper_topics.all())

    @cached_property
    def sections(self) -> list["LoadedSection"]:
        return [LoadedSection(section, self._paper_row) for section in extensions.sections()]

    @cached_property
    def enrichments(self) -> dict:
        return {row.kind: row for row in self.paper.enrichments.all()}

    @cached_property
    def updates(self):
        return list(self.paper.updates.all())

    @property
    def versions(self) -> list:
        return self.paper.version_links

    @property
    def published_versions(self) -> list:
        """For a preprint's banner: the versions it is a preprint of."""
        return [link for link in self.versions if link.kind == RelationKind.PREPRINT_OF]

    @property
    def retracted(self) -> bool:
        return any(u.kind == PaperUpdate.Kind.RETRACTION for u in self.updates)

    @cached_property
    def meta_tags(self):
        return highwire_tags(self.paper, page_url=self.page_url)

    @cached_property
    def jsonld(self):
        data = json.dumps(scholarly_article_jsonld(self.paper, page_url=self.page_url), ensure_ascii=False)
        return mark_safe(data.translate(_JSON_SCRIPT_ESCAPES))

    @cached_property
    def formatted_reference(self) -> str:
        return citation.formatted_reference(self.paper)


class LoadedSection:
    """One section of the page for the template: its registration, and its data loaded on first use."""

    def __init__(self, section: extensions.PageSection, paper: Paper):
        self.name, self.template, self.cached = section.name, section.template, section.cached
        self._load, self._paper = section.load, paper

    @cached_property
    def data(self):
        return self._load(self._paper)


def number_affiliations(authorships: list) -> tuple[list[tuple], list[str]]:
    """Number each distinct affiliation once, as journals print them: [(authorship, [1, 2]), ...], [names]."""
    numbers: dict[str, int] = {}
    rows = []
    for authorship in authorships:
        marks = [numbers.setdefault(name, len(numbers) + 1) for name in authorship.affiliations]
        rows.append((authorship, marks))
    return rows, list(numbers)


SEARCH_SORTS = {"relevance": None, "newest": "-published_date", "oldest": "published_date", "added": "-created_at"}


def search(request: HttpRequest) -> HttpResponse:
    """Full-text search with the API's filters; an identifier typed in goes straight to its paper."""
    cleaned = search_lib.clean_query(request.GET.get("q", ""))
    query = cleaned.text
    identifier_offer = None
    if query:
        shortcut = _identifier_shortcut(query)
        if isinstance(shortcut, Paper):
            return redirect(shortcut)
        identifier_offer = shortcut
    filters = PaperFilter({k: v for k, v in request.GET.items() if k != "q"}, queryset=Paper.objects.all())
    sort = request.GET.get("sort", "relevance" if query else "added")
    capped = False
    if not filters.is_valid():
        results = Paper.objects.none()
    elif query and SEARCH_SORTS.get(sort) is None:
        results, capped = search_lib.papers_ranked_capped(filters.qs, query)
    else:
        results = search_lib.papers_matching(filters.qs, query).order_by(SEARCH_SORTS.get(sort) or "-created_at", "-id")
    page = search_lib.CappedPaginator(results, 20, known_capped=capped).get_page(request.GET.get("page"))
    context = {
        "query": query,
        "page": page,
        "shortened": cleaned.shortened,
        "filters": filters,
        "sort": sort,
        "sorts": list(SEARCH_SORTS),
        "identifier_offer": identifier_offer,
        "has_filters": [
            (f"has_{c.name}", c.name, request.GET.get(f"has_{c.name}") == "true") for c in extensions.counts()
        ],
        # Filters other apps contribute (papers.extensions.register_filter): a text box each.
        "extra_filters": [(f.name, f.label, f.placeholder, request.GET.get(f.name, "")) for f in extensions.filters()],
        "add_form": AddPaperForm(initial={"identifier": query}) if identifier_offer else None,
        "querystring": _querystring(request, drop="page"),
    }
    return render(request, "papers/search.html", context)


def _identifier_shortcut(query: str):
    """The paper a typed identifier names; or the identifier to offer adding; or None for ordinary words."""
    try:
        identifier = parse_identifier(query)
    except InvalidIdentifier:
        return None
    if identifier.scheme == "pmid" and len(query.strip()) < 5:
        return None  # short numbers are more likely years or counts than PMIDs
    paper = Paper.objects.filter(**{identifier.scheme: identifier.value}).first()
    return paper or identifier


def _querystring(request: HttpRequest, *, drop: str) -> str:
    params = request.GET.copy()
    params.pop(drop, None)
    return params.urlencode()


def search_suggest(request: HttpRequest) -> JsonResponse:
    """Titles matching what is typed so far (every word, the last as a prefix), for the search box."""
    query = search_lib.clean_query(request.GET.get("q", "")).text
    papers = search_lib.papers_suggested(query) if len(query) >= 2 else []
    return JsonResponse(
        {
            "query": query,
            "suggestions": [{"title": p.title or p.doi, "doi": p.doi, "url": p.get_absolute_url()} for p in papers],
        }
    )


def paper_add(request: HttpRequest) -> HttpResponse:
    """Add a paper by what people paste. Only validates and queues: the metadata arrives in the background.

    A GET with an identifier (the home page's form without script: that page is shared, so it holds no CSRF
    token) only checks it and asks again, now with a token; adding stays a POST."""
    if request.method != "POST":
        asked = "identifier" in request.GET
        form = AddPaperForm(request.GET if asked else None)
        confirm = asked and form.is_valid()
        status = 400 if asked and not confirm else 200
        return render(request, "papers/paper_add.html", {"add_form": form, "confirm": confirm}, status=status)
    form = AddPaperForm(request.POST)
    if not form.is_valid():
        return render(request, "papers/paper_add.html", {"add_form": form}, status=400)
    limited = paper_add_limit_message(request)
    if limited:
        form.add_error(None, limited)
        return render(request, "papers/paper_add.html", {"add_form": form}, status=429)
    result = services.identifier_request_import(text=form.cleaned_data["identifier"])
    if result.paper and not result.created:
        messages.info(request, "That paper is already on PaperHub.")
    elif result.paper:
        messages.success(request, "Paper added. Its metadata is being fetched; this page fills in by itself.")
    return redirect(result.url)


@require_GET
@never_cache
def paper_add_token(request: HttpRequest) -> JsonResponse:
    """The CSRF token for the add form on a shared page, fetched by its script when the form is used.

    No CORS header: another site's script cannot read it, so its posts are still refused."""
    return JsonResponse({"csrfToken": get_token(request)})


@require_POST
@staff_member_required
def paper_refresh(request: HttpRequest, doi: str) -> HttpResponse:
    paper = get_object_or_404(Paper, doi=doi)
    services.paper_request_refresh(paper=paper)
    messages.success(request, "The metadata will be fetched again.")
    return redirect(paper)


def lookup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lookup = get_object_or_404(IdentifierLookup, pk=pk)
    if lookup.state == IdentifierLookup.State.RESOLVED and lookup.paper_id:
        return redirect(lookup.paper)
    return render(request, "papers/lookup_detail.html", {"lookup": lookup})


TAXON_SORTS = {"newest": "-published_date", "oldest": "published_date", "title": "title", "added": "-created_at"}


def taxonomy(request: HttpRequest) -> HttpResponse:
    return render(request, "papers/taxonomy.html", {"domains": browse.taxonomy_tree()})


def taxon_detail(request: HttpRequest, level: str, openalex_id: str) -> HttpResponse:
    model = browse.LEVELS.get(level)
    if model is None:
        raise Http404("No such taxonomy level")
    node = get_object_or_404(model, openalex_id=openalex_id)
    sort = request.GET.get("sort", "newest")
    papers = browse.papers_under(node).order_by(TAXON_SORTS.get(sort, "-published_date"), "-id")
    page = Paginator(papers, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "papers/taxon_detail.html",
        {
            "node": node,
            "level": level,
            "breadcrumb": browse.node_breadcrumb(node),
            "page": page,
            "sort": sort,
            "sorts": list(TAXON_SORTS),
            "children": _children(node),
            "child_level": {"domains": "fields", "fields": "subfields", "subfields": "topics"}.get(level),
            "feed_url": reverse("papers:topic_feed", kwargs={"openalex_id": node.openalex_id})
            if level == "topics"
            else "",
        },
    )


def _children(node):
    for attr in ("fields", "subfields", "topics"):
        if hasattr(node, attr):
            return list(getattr(node, attr).order_by("name"))
    return []


def author_detail(request: HttpRequest, orcid: str) -> HttpResponse:
    try:
        canonical = doi_lib.normalize_orcid(orcid)
    except doi_lib.InvalidORCID as exc:
        return render(request, "papers/doi_invalid.html", {"given": orcid, "reason": str(exc)}, status=404)
    if canonical != orcid:
        return HttpResponsePermanentRedirect(reverse("papers:author", kwargs={"orcid": canonical}))
    author, authorships = browse.author_papers(orcid=canonical)
    if author is None:
        raise Http404("No author with this ORCID iD is on PaperHub.")
    affiliations = sorted({a for authorship in authorships for a in authorship.affiliations})
    return render(
        request,
        "papers/author_detail.html",
        {"author": author, "authorships": authorships, "affiliations": affiliations},
    )


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /account/",
        "Disallow: /search",
        "Disallow: /api/v1/docs/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
