"""The papers admin: what staff type is stored the way imports store it."""

import pytest
from bs4 import BeautifulSoup

from papers.models import Paper
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory

pytestmark = pytest.mark.django_db


def form_data(soup):
    """Every field of the admin's change form with its current value, as a browser would send it."""
    form = soup.find("form", id="paper_form")
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "checkbox", "file"):
            continue
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        else:
            data[name] = field.get("value", "")
    return data


def test_a_title_typed_with_markup_is_stored_plain_with_its_cleaned_fragment(client):
    paper = PaperFactory(title="Old title")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/papers/paper/{paper.id}/change/"
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    assert soup.find("textarea", attrs={"name": "title_html"}) is None  # read-only: only papers.markup writes it
    data = form_data(soup)
    data["title"] = 'Growth of <i onclick="alert(1)">E. coli</i> &amp; <script>alert(2)</script>CO<sub>2</sub>'
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    paper.refresh_from_db()
    assert (paper.title, paper.title_html) == (
        "Growth of E. coli & CO2",
        "Growth of <i>E. coli</i> &amp; CO<sub>2</sub>",
    )
    assert Paper.objects.count() == 1


def test_staff_see_each_enrichment_in_words_and_can_check_one_again(client):
    from papers import enrichments
    from papers.models import Enrichment

    paper = PaperFactory(pmcid="")
    enrichments.enrichments_queue(paper=paper)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/papers/paper/{paper.id}/change/").content.decode()
    assert "no PubMed Central copy is known" in page, "the paper's change page lists its enrichments"
    listing = client.get("/admin/papers/enrichment/?state__exact=none").content.decode()
    assert "no PubMed Central copy is known" in listing

    Paper.objects.filter(id=paper.id).update(pmcid="PMC3258128")
    row = Enrichment.objects.get(paper=paper, kind="fulltext")
    response = client.post(
        "/admin/papers/enrichment/", {"action": "check_again", "_selected_action": [row.id]}, follow=True
    )
    assert "1 enrichment(s) queued." in response.content.decode()
    row.refresh_from_db()
    assert (row.state, row.input_key) == ("queued", "PMC3258128")


def test_staff_see_each_cited_doi_lookup_in_words_and_can_ask_again(client):
    from papers.models import ReferenceLookup

    row = ReferenceLookup.objects.create(
        doi="10.5555/never.recorded", state="unknown", detail="Crossref does not know this DOI.", upstream_status=200
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/papers/referencelookup/?state__exact=unknown").content.decode()
    assert "10.5555/never.recorded" in listing and "Crossref does not know this DOI." in listing
    response = client.post(
        "/admin/papers/referencelookup/", {"action": "look_up_again", "_selected_action": [row.id]}, follow=True
    )
    assert "1 DOI(s) queued for a Crossref lookup." in response.content.decode()
    row.refresh_from_db()
    assert row.state == "queued"
