"""Adding papers through the web form (the worker tests follow the import itself)."""

import pytest
from bs4 import BeautifulSoup

from papers.models import IdentifierLookup, Paper
from tests.callbacks import queued_work
from tests.papers.factories import PaperFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a DOI, an arXiv id, a PMID or a PMCID."),
        ("not a doi", "is not a DOI"),
        ("10.12/abc", "not a DOI prefix"),
        ("arXiv:banana", "not an arXiv id"),
        ("x" * 2001, "far too long"),
        ("PMID: 0", "PMIDs start at 1"),
        ("PMC0", "PMCIDs start at PMC1"),
        ("arXiv:9999.99999", "cannot be an arXiv id"),
        ("10.5555/abc\u200b", "U+200B"),
        ("\u202e10.5555/abc", "U+202E"),
        ("10.5555/абв", "U+0430"),
    ],
)
def test_invalid_input_gets_a_message_keeps_the_text_and_creates_nothing(client, text, message):
    response = client.post("/add", {"identifier": text})
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert message in soup.select_one(".field-errors").get_text()
    assert soup.select_one("input[name=identifier]").get("value", "") == text[:2000] or len(text) > 2000
    assert Paper.objects.count() == 0 and IdentifierLookup.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    [
        "10.5555/ABC",
        "doi:10.5555/abc",
        "https://doi.org/10.5555/Abc",
        "http://dx.doi.org/10.5555/abc",
        "10.5555/abc.",
        "10.5555/abc);",
        "https://doi.org/10.5555/abc/?utm_source=x#abstract",
    ],
)
def test_a_doi_already_here_leads_to_its_page_without_duplicate(client, text):
    PaperFactory(doi="10.5555/abc")
    response = client.post("/add", {"identifier": text}, follow=True)
    assert response.redirect_chain == [("/doi/10.5555/abc", 302)]
    assert "already on PaperHub" in response.content.decode()
    assert Paper.objects.count() == 1


def test_new_doi_is_created_pending_and_queued(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/add", {"identifier": "arXiv:2311.16162"})
    assert response["Location"] == "/doi/10.48550/arxiv.2311.16162"
    assert Paper.objects.get().fetch_state == "pending"
    assert len(queued_work(callbacks)) == 1


def test_known_pmid_leads_straight_to_its_paper(client):
    PaperFactory(doi="10.5555/pubmed", pmid="123456")
    assert client.post("/add", {"identifier": "123456"})["Location"] == "/doi/10.5555/pubmed"
    assert IdentifierLookup.objects.count() == 0


def test_unknown_pmcid_starts_a_lookup_with_a_self_refreshing_page(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/add", {"identifier": "PMC4559886"})
    lookup = IdentifierLookup.objects.get()
    assert (lookup.scheme, lookup.value, lookup.state) == ("pmcid", "PMC4559886", "pending")
    assert len(queued_work(callbacks)) == 1
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "Looking up the DOI of PMCID PMC4559886" in page
    IdentifierLookup.objects.filter(id=lookup.id).update(
        state="failed", error="NCBI knows no DOI for PMCID PMC4559886."
    )
    page = client.get(response["Location"]).content.decode()
    assert "NCBI knows no DOI" in page and 'http-equiv="refresh"' not in page


def test_unknown_doi_404_page_offers_the_add_form_prefilled(client):
    soup = BeautifulSoup(client.get("/doi/10.5555/not.here").content, "html.parser")
    form = soup.select_one("form.add-form")
    assert form["action"] == "/add" and form["method"] == "post"
    assert form.select_one("input[name=identifier]")["value"] == "10.5555/not.here"


def test_home_page_has_the_add_form(client):
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    assert soup.select_one("form.add-form input[name=identifier]") is not None


def test_failed_paper_shows_reason_and_retry_only_to_staff(client, admin_client):
    paper = PaperFactory(fetch_state="failed", fetch_error="Crossref: server error (500).")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Fetching the metadata failed." in html and "Crossref: server error (500)." in html
    assert "Retry now" not in html
    assert "Retry now" in admin_client.get(paper.get_absolute_url()).content.decode()
    assert client.post(f"/doi/{paper.doi}/refresh").status_code == 302  # to the admin login
    assert Paper.objects.get(id=paper.id).fetch_state == "failed"


def test_staff_retry_queues_the_import(admin_client, django_capture_on_commit_callbacks):
    paper = PaperFactory(fetch_state="failed", fetch_error="Crossref: server error (500).")
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(f"/doi/{paper.doi}/refresh")
    assert response["Location"] == paper.get_absolute_url()
    assert len(queued_work(callbacks)) == 1


def test_add_form_needs_csrf(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/add", {"identifier": "10.5555/abc"}).status_code == 403
    assert Paper.objects.count() == 0


def test_the_shared_home_pages_add_form_holds_no_token():
    from django.test import Client

    soup = BeautifulSoup(Client().get("/").content, "html.parser")
    form = soup.select_one("form.add-form")
    assert (form["action"], form["method"], form["data-token-url"]) == ("/add", "get", "/add/token")
    assert soup.select("input[name=csrfmiddlewaretoken]") == []


def test_without_script_the_home_form_asks_again_with_a_token_then_adds(django_capture_on_commit_callbacks):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    asked = strict.get("/add", {"identifier": "https://doi.org/10.5555/Shared.Add"})
    assert asked.status_code == 200 and Paper.objects.count() == 0, "a GET adds nothing"
    soup = BeautifulSoup(asked.content, "html.parser")
    assert "Press Add paper to add https://doi.org/10.5555/Shared.Add" in soup.select_one(".confirm-add").get_text()
    form = soup.select_one("form.add-form")
    assert (form["action"], form["method"]) == ("/add", "post")
    assert form.select_one("input[name=identifier]")["value"] == "https://doi.org/10.5555/Shared.Add"
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]
    with django_capture_on_commit_callbacks() as callbacks:
        added = strict.post("/add", {"identifier": "https://doi.org/10.5555/Shared.Add", "csrfmiddlewaretoken": token})
    assert (added.status_code, added["Location"]) == (302, "/doi/10.5555/shared.add")
    assert Paper.objects.filter(doi="10.5555/shared.add").exists() and len(queued_work(callbacks)) == 1


def test_without_script_a_bad_identifier_is_said_before_asking_again(client):
    response = client.get("/add", {"identifier": "not a doi"})
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert "is not a DOI" in soup.select_one(".field-errors").get_text() and not soup.select(".confirm-add")
    assert Paper.objects.count() == 0 and IdentifierLookup.objects.count() == 0


def test_with_script_the_fetched_token_adds(django_capture_on_commit_callbacks):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    answer = strict.get("/add/token")
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    token = answer.json()["csrfToken"]
    with django_capture_on_commit_callbacks() as callbacks:
        added = strict.post("/add", {"identifier": "10.5555/scripted", "csrfmiddlewaretoken": token})
    assert (added.status_code, added["Location"]) == (302, "/doi/10.5555/scripted")
    assert len(queued_work(callbacks)) == 1


def test_a_cross_site_post_is_refused_even_with_a_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    # Another site's script may send the request but may not read the answer: no CORS header on it.
    answer = strict.get("/add/token", HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in answer
    token = answer.json()["csrfToken"]
    refused = strict.post(
        "/add",
        {"identifier": "10.5555/cross.site", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://elsewhere.example",
    )
    assert (
        refused.status_code == 403 and "could not confirm that the form came from this site" in refused.content.decode()
    )
    assert strict.post("/add", {"identifier": "10.5555/cross.site"}).status_code == 403, "no token"
    assert not Paper.objects.filter(doi="10.5555/cross.site").exists()


def test_adds_per_ip_are_limited_with_a_clear_message(client, settings):
    settings.PAPER_ADD_RATE_LIMIT_IP = "3/h"
    statuses = [client.post("/add", {"identifier": f"10.5555/limit.{n}"}).status_code for n in range(3)]
    response = client.post("/add", {"identifier": "10.5555/limit.over"})
    assert statuses == [302, 302, 302] and response.status_code == 429
    soup = BeautifulSoup(response.content, "html.parser")
    message = soup.select_one(".form-errors").get_text()
    assert "Too many papers added from your network: at most 3 per hour" in message
    assert soup.select_one("input[name=identifier]")["value"] == "10.5555/limit.over"
    assert not Paper.objects.filter(doi="10.5555/limit.over").exists()


def test_adds_per_account_are_limited_and_anonymous_visitors_do_not_share_one_bucket(client, settings):
    from tests.reviews.factories import UserFactory

    settings.PAPER_ADD_RATE_LIMIT_USER = "2/h"
    # Anonymous adds count only against the IP, never against an "anonymous account" shared by everyone.
    for n in range(3):
        assert client.post("/add", {"identifier": f"10.5555/anon.{n}"}).status_code == 302
    client.force_login(UserFactory())
    for n in range(2):
        assert client.post("/add", {"identifier": f"10.5555/mine.{n}"}).status_code == 302
    response = client.post("/add", {"identifier": "10.5555/mine.over"})
    assert response.status_code == 429
    assert "Too many papers added from your account: at most 2 per hour" in response.content.decode()


def test_the_form_and_the_api_count_adds_in_one_bucket(client, settings):
    from paperhub.tokens import token_create
    from tests.reviews.factories import UserFactory

    settings.PAPER_ADD_RATE_LIMIT_USER = "2/h"
    user = UserFactory()
    client.force_login(user)
    assert client.post("/add", {"identifier": "10.5555/both.1"}).status_code == 302
    assert client.post("/add", {"identifier": "10.5555/both.2"}).status_code == 302
    key = token_create(user=user, name="t")[1]
    response = client.post(
        "/api/v1/papers/",
        {"doi": "10.5555/both.3"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 429
    assert "at most 2 per hour" in response.json()["error"]["message"]


def test_a_refused_add_has_an_error_summary_linking_to_the_field(client):
    soup = BeautifulSoup(client.post("/add", {"identifier": "not a doi"}).content, "html.parser")
    summary = soup.select_one("[data-error-summary]")
    assert [a["href"] for a in summary.select("a")] == ["#id_identifier"]
    assert "is not a DOI" in summary.get_text()
    assert soup.select_one("#id_identifier-error") is not None
    assert soup.select_one('script[src$="js/error-summary.js"]') is not None
