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
