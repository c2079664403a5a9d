"""A local stand-in for every upstream PaperHub calls (Crossref to Semantic Scholar), replaying recorded responses.

Served paths mirror the real APIs under one prefix per service, so the app's clients append the same paths:
  /crossref/works/{doi}        -> papers/fixtures/upstream/crossref/*.json, by the DOI inside each file
  /crossref/works?filter=doi:A,doi:B&rows=N -> a work list of the recorded records of the DOIs asked for: the
      recorded list crossref/lists/works-list-rows2-work-list.json verbatim when exactly its two DOIs are asked for,
      else a CONSTRUCTED list (envelope modelled on that file's, ours) holding, in the order asked, the `message` of
      each single-work recording and the items of the recorded list; `select` is not applied. DOIs without a recording
      are left out, as Crossref leaves out DOIs it does not know. A filter other than `doi:` gets a 400 (empty body:
      no such answer was recorded). Scripts and calls for these lists use the service name "crossref-list", so a
      reference lookup running late in a worker never takes a failure scripted for an import, nor shows among its
      calls.
  /crossref/works?filter=type:peer-review,relation.type:is-review-of,relation.object:{doi}[&rows=N]
                               -> {"message-type": "work-list", …, "items": [the `message` of every recorded
      peer-review work (crossref/*.json of type peer-review) whose relation is-review-of names that DOI, compared
      without case]}: 10.7554/elife.55167 gets the recorded 10.7554/elife.55167.sa2, any other DOI an empty list.
      The envelope is CONSTRUCTED (no answer to this query was recorded): its keys copy the recorded work-list
      answer shared/upstream-samples/crossref/works-list-rows2-work-list.json (PROVENANCE.md). Other filters are the
      `doi:` lists above. Requests with this filter count as the service "crossref-reviews", so their
      scripts and calls are apart from imports' single-work lookups and from reference lookups' lists.
  /datacite/dois/{doi}         -> datacite/*.json
  /openalex/works/doi:{doi}    -> openalex/*.json
  /openalex/works?filter=doi:a|b|…&per-page=N -> {"meta": {…}, "results": [the recorded work of each DOI asked for
      that has one, in the order asked], "group_by": []}. The envelope is CONSTRUCTED (no list answer was recorded):
      its keys follow OpenAlex's documented list response; the works inside are the recordings, byte for byte
      re-serialised. DOIs without a recording are left out, as OpenAlex leaves out DOIs it does not know.
  /ncbi/idconv/?ids=a,b        -> the recorded ID-converter answer, its records narrowed to the ids asked for (and,
      for DOIs of a template served with `ids_of`, that recorded record with the DOI substituted)
  /youtube/oembed?url=…        -> oembed/youtube-oembed-{video id}-*.json
  /vimeo/oembed.json?url=…     -> oembed/vimeo-oembed-{video id}.json
  /europepmc/{PMCID}/fullTextXML -> europepmc/fulltextxml-*.xml, by the PMCID inside each file (PMC3258128, PMC8233371),
      as application/xml with an ETag (ours: a hash of the body; Europe PMC's own headers were not recorded); a request
      whose If-None-Match names it gets a 304. An unknown PMCID gets a 404 with an empty body (no 404 was recorded).
  POST /semanticscholar/paper/batch?fields=… {"ids": ["DOI:…", …]} -> a JSON list in the order asked: the recording
      below of each DOI that has one, null for the others. The list shape is the recorded batch answer's
      (s2/graph-v1-paper-batch-pmid-20516115.json); null for an unknown id is Semantic Scholar's documented answer,
      not a recording. Scripts and calls use the service "semanticscholar".
  /semanticscholar/paper/DOI:{doi} -> s2/graph-v1-paper-tldr-derived-*.json (derived from a recording: `paperId` and
      `tldr` kept, see PROVENANCE.md), by the DOI it was requested with (the body holds none), whatever `fields` asks.
  /pubtator/publications/export/biocjson?pmids=a,b[&full=true] -> {"PubTator3": [the recorded documents of the PMIDs
      asked for, in the order asked]} from pubtator/*.json, by the PMID inside each document; `full=true` picks the
      full-text recording (passages with `section_type`) where one exists, else the abstract one. The envelope is
      CONSTRUCTED: the documents are recorded (two of them bare, as PubTator answered in early 2024), the
      `{"PubTator3": [...]}` around them, and the grouping of several into one answer, are ours (PROVENANCE.md).
      Unknown PMIDs are simply absent, as PubTator leaves them out; none known gives `{"PubTator3": []}`.
  /openreview/notes?forum=ID&limit=L&offset=N     (API v2) and
  /openreview-v1/notes?forum=ID&limit=L&offset=N  (API v1) -> the recorded forums of openreview/, by forum id, as
      {"notes": [the page], "count": all}: v2 holds 00F7BfXLYJ (ICLR 2026), v1 B1CEaMbR- (2018), HJepJh0qKX (2019)
      and BkgzMCVtPB (2020). A first page that holds the whole recording is the recorded body itself (the 2018 file
      verbatim; the 2019/2020 wrappers' `response.json`). The 2026 file is a tracker's wrapper around genuine v2
      notes: `{"notes": replies, "count": 4}` around them is a CONSTRUCTED envelope (PROVENANCE.md). A forum not
      recorded on that version gets 404 with the recorded v2 NotFoundError body, on both versions (it names the
      note it was recorded for, g1SzIRLQXMM, whatever was asked). v2 answers limit > 1000 with its recorded 400.
      `fake.serve_openreview_forum(id, notes, version=2)` serves notes a test built (e.g. a long forum for paging).
  POST /openreview/login {"id", "password"} -> {"token": "fake-token-N"} for password OPENREVIEW_PASSWORD below,
      else 400 (no login exchange was recorded: both bodies are ours). Tokens stay valid until
      `fake.revoke_openreview_tokens()`; a request bearing a revoked or unknown token gets 401 (body ours).
      `fake.challenge_anonymous_openreview()` answers requests without a token with the recorded "Verifying your
      browser" page (200 text/html), as OpenReview does to anonymous clients it distrusts. Scripts for the login
      use the service name "openreview-login".

A DOI with no recording gets a 404: Crossref's with its recorded body ("Resource not found."), the others
(Semantic Scholar's too) with an empty body (none was recorded, and the clients do not read 404 bodies).

Tests script failures per service: `fake.script("crossref", Fail(503), Fail(429, retry_after=1))` makes
the next two Crossref answers fail, then replays resume. `fake.always(...)` fails every answer. `Fail` and
`Garbage` take a `content_type`, so a script can also answer with a recorded body of another kind (an errorBean,
an HTML page).

Opt-in load modes (off by default; `reset()` turns them off again), for benchmarks and fault drills that need
many papers:
  fake.serve_template("10.5555/bench.")  any DOI under this prefix (10.5555/bench.1, 10.5555/bench.2 …) is
      answered by Crossref and OpenAlex with a real recording (by default those of 10.1145/3448016.3452841) in
      which only the recorded DOI is replaced by the one asked for, wherever it occurs (DOI fields, doi.org and
      landing-page URLs). Nothing else is changed or invented: OpenAlex and MAG work ids, authors, references and
      topics stay the recording's, and the JSON is re-serialised compactly. NCBI needs no template: its answer
      is the recorded one narrowed to the ids asked for, so a synthetic DOI gets no records, as an unknown DOI
      does from the real converter.
  fake.set_latency(0.1)                  every answer waits this long first (handler threads sleep).
  fake.limit_rate(50)                    per service, at most 50 answers in any one-second sliding window; a
      request beyond that gets 429 with Retry-After: 1, as real APIs limit each service on its own.
      `fake.rate_limited` counts the 429s sent per service.
  fake.max_in_flight                     per service, the most GETs it was answering at once (since reset());
      "crossref*" counts Crossref's three services together (one upstream to the app), "openreview*" both versions.
  fake.advertise_concurrency(3)          Crossref's answers carry X-Concurrency-Limit: 3. CONSTRUCTED: no answer
      with that header was recorded; the name is the one clients report seeing from Crossref since its December
      2025 limits (concurrent requests per pool), the value is the test's.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = Path(__file__).resolve().parents[2] / "papers" / "fixtures" / "upstream"
TEMPLATE_DOI = "10.1145/3448016.3452841"  # recorded by both Crossref and OpenAlex, with references and topics
_TEMPLATE_MARK = "@@TEMPLATE-DOI@@"
# The derived Semantic Scholar files hold no DOI; each was requested by this one (PROVENANCE.md).
S2_RECORDED = {"10.1093/mind/lix.236.433": "graph-v1-paper-tldr-derived-10.1093_mind_lix.236.433.json"}
OPENREVIEW_PASSWORD = "fake-openreview-password"
CROSSREF_LIST = "lists/works-list-rows2-work-list.json"  # the one recorded Crossref work list (GET /works?rows=2)


@dataclass
class Fail:
    """Answer with this status (and Retry-After, and body) instead of the recording."""

    status: int
    retry_after: float | None = None
    body: bytes = b""
    content_type: str = "text/plain"


@dataclass
class Slow:
    """Wait `seconds` before answering normally."""

    seconds: float


@dataclass
class Drip:
    """Send the recorded body one byte every `interval` seconds."""

    interval: float = 1.0


@dataclass
class Garbage:
    """200 with a body that is not JSON."""

    body: bytes = b"<html><body>Service temporarily moved</body></html>"
    content_type: str = "application/json"


@dataclass
class Truncated:
    """200 with the first half of the recorded body."""


@dataclass
class Huge:
    """200 with `megabytes` of JSON-looking padding, streamed without Content-Length."""

    megabytes: int = 50


@dataclass
class Request:
    service: str
    path: str
    query: dict
    headers: dict
    at: float = field(default_factory=time.time)
    status: int = 0  # the status answered, once answered
    body: bytes = b""  # what a POST sent


def _with_doi_marked(value, doi: str):
    """The parsed recording with every occurrence of `doi` inside its strings replaced by a marker."""
    if isinstance(value, str):
        return re.sub(re.escape(doi), _TEMPLATE_MARK, value, flags=re.IGNORECASE)
    if isinstance(value, list):
        return [_with_doi_marked(item, doi) for item in value]
    if isinstance(value, dict):
        return {key: _with_doi_marked(item, doi) for key, item in value.items()}
    return value


def _openreview_recordings() -> tuple[dict[str, tuple[list, bytes]], dict[str, tuple[list, bytes]]]:
    """Recorded forums per API version: forum id -> (notes, the body to serve when one page holds them all)."""
    v1: dict[str, tuple[list, bytes]] = {}
    v2: dict[str, tuple[list, bytes]] = {}
    for path in sorted((FIXTURES / "openreview").glob("v[12]-*.json")):
        recording = json.loads(path.read_text(encoding="utf-8"))
        if "replies" in recording:  # the ICLR 2026 tracker record: CONSTRUCTED envelope around genuine notes
            notes = recording["replies"]
            body = json.dumps({"notes": notes, "count": len(notes)}, ensure_ascii=False).encode()
        elif "response" in recording:  # another project's fixture wrapper: its recorded body
            answer = recording["response"].get("json")
            if recording["response"].get("status") != 200 or not isinstance(answer, dict):
                continue
            notes, body = answer.get("notes", []), json.dumps(answer, ensure_ascii=False).encode()
        else:
            notes, body = recording.get("notes", []), path.read_bytes()
        forums = {n.get("forum") for n in notes}
        if len(forums) != 1 or None in forums:  # not one forum (the workshop's submission listing)
            continue
        (v2 if path.name.startswith("v2-") else v1)[forums.pop()] = (notes, body)
    return v1, v2


def _wrapped_body(name: str) -> tuple[int, bytes, str]:
    """A fixture wrapper's recorded answer: status, body, content type."""
    response = json.loads((FIXTURES / "openreview" / name).read_text(encoding="utf-8"))["response"]
    body = json.dumps(response["json"]).encode() if "json" in response else response["text"].encode()
    return response["status"], body, response["headers"]["content-type"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog (5) drops connections when dozens of worker threads connect at once.
    request_queue_size = 256


def _crossref_items(singles: dict[str, Path], recorded_list: dict) -> dict[str, dict]:
    """Every recorded Crossref work by DOI: the single-work recordings' messages and the recorded list's items."""
    items = {doi: json.loads(path.read_text(encoding="utf-8"))["message"] for doi, path in singles.items()}
    for item in recorded_list["message"]["items"]:
        items[item["DOI"].lower()] = item
    return items


def _pmcid_index() -> dict[str, Path]:
    index = {}
    for path in sorted((FIXTURES / "europepmc").glob("fulltextxml-*.xml")):
        match = re.search(rb'<article-id pub-id-type="pmcid">(?:PMC)?(\d+)</article-id>', path.read_bytes())
        if match:
            index[f"PMC{match.group(1).decode()}"] = path
    return index


def _pubtator_index() -> tuple[dict[str, dict], dict[str, dict]]:
    """Recorded PubTator3 documents by PMID: (abstract documents, full-text documents)."""
    abstracts, full_texts = {}, {}
    for path in sorted((FIXTURES / "pubtator").glob("*.json")):
        recording = json.loads(path.read_text(encoding="utf-8"))
        for document in recording.get("PubTator3", [recording]):
            pmid = str(document.get("pmid") or document.get("_id", "").split("|")[0])
            full = any("section_type" in (p.get("infons") or {}) for p in document.get("passages", []))
            (full_texts if full else abstracts)[pmid] = document
    return abstracts, full_texts


def _index(folder: str, doi_of) -> dict[str, Path]:
    index = {}
    for path in sorted((FIXTURES / folder).glob("*.json")):
        try:
            doi = doi_of(json.loads(path.read_text(encoding="utf-8")))
        except (KeyError, TypeError, ValueError):
            continue
        if doi:
            index[doi.lower().removeprefix("https://doi.org/")] = path
    return index


def _crossref_peer_reviews() -> list[dict]:
    """The recorded Crossref works of type peer-review (their `message`s)."""
    found = []
    for path in sorted((FIXTURES / "crossref").glob("*.json")):
        message = json.loads(path.read_text(encoding="utf-8")).get("message")
        if isinstance(message, dict) and message.get("type") == "peer-review":
            found.append(message)
    return found


# What PaperHub sends to ask for the reviews of a DOI: the three filters, the DOI last.
_REVIEWS_FILTER = re.compile(r"^type:peer-review,relation\.type:is-review-of,relation\.object:(?P<doi>.+)$")


class FakeUpstream:
    def __init__(self, port: int = 0) -> None:
        self.crossref = _index("crossref", lambda d: d["message"]["DOI"])
        self.crossref_list = (FIXTURES / "crossref" / CROSSREF_LIST).read_bytes()
        self.crossref_items = _crossref_items(self.crossref, json.loads(self.crossref_list))
        self.crossref_peer_reviews = _crossref_peer_reviews()
        self.datacite = _index("datacite", lambda d: d["data"]["attributes"]["doi"])
        self.openalex = _index("openalex", lambda d: d["doi"])
        self.idconv = [json.loads(p.read_text()) for p in sorted((FIXTURES / "ncbi").glob("idconv-*.json"))]
        self.europepmc = _pmcid_index()
        self.semanticscholar = {doi: FIXTURES / "s2" / name for doi, name in S2_RECORDED.items()}
        self.pubtator_abstracts, self.pubtator_full_texts = _pubtator_index()
        self.crossref_404 = (FIXTURES / "crossref" / "works-404-resource-not-found.txt").read_bytes()
        self.openreview_v1, self.openreview_v2 = _openreview_recordings()
        self.openreview_404 = _wrapped_body("v2-error-404-notfound-in-fixture-wrapper.json")
        self.openreview_400 = _wrapped_body("v2-error-400-validation-limit-in-fixture-wrapper.json")
        self.openreview_challenge = _wrapped_body("v2-anonymous-challenge-200-html-in-fixture-wrapper.json")
        self._openreview_built: dict[tuple[int, str], list] = {}
        self._openreview_tokens: set[str] = set()
        self._openreview_logins = 0
        self._openreview_challenge_anonymous = False
        self.requests: list[Request] = []
        self._scripts: dict[str, deque] = defaultdict(deque)
        self._always: dict[str, object] = {}
        self._lock = threading.Lock()
        self._templates: dict[str, dict[str, bytes]] = {}
        self._latency = 0.0
        self._rate_limit: int | None = None
        self._admitted: dict[str, deque] = defaultdict(deque)
        self.rate_limited: Counter = Counter()
        self._in_flight: Counter = Counter()
        self.max_in_flight: Counter = Counter()
        self._advertised_concurrency: int | None = None
        self._server = _Server(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- control

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self) -> dict[str, str]:
        """Settings that point PaperHub's clients here."""
        return {
            "CROSSREF_API_URL": f"{self.url}/crossref",
            "DATACITE_API_URL": f"{self.url}/datacite",
            "OPENALEX_API_URL": f"{self.url}/openalex",
            "NCBI_IDCONV_URL": f"{self.url}/ncbi/idconv/",
            "YOUTUBE_OEMBED_URL": f"{self.url}/youtube/oembed",
            "VIMEO_OEMBED_URL": f"{self.url}/vimeo/oembed.json",
            "EUROPEPMC_API_URL": f"{self.url}/europepmc",
            "SEMANTIC_SCHOLAR_API_URL": f"{self.url}/semanticscholar",
            "PUBTATOR_API_URL": f"{self.url}/pubtator",
            "OPENREVIEW_API_URL": f"{self.url}/openreview",
            "OPENREVIEW_API_V1_URL": f"{self.url}/openreview-v1",
            # Figure images: no recording exists, so tests script what this answers (Fail(200, body=…)).
            "EUROPEPMC_ARTICLES_URL": f"{self.url}/europepmc-articles",
        }

    def start(self) -> FakeUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, service: str, *behaviours) -> None:
        with self._lock:
            self._scripts[service].extend(behaviours)

    def always(self, service: str, behaviour) -> None:
        with self._lock:
            self._always[service] = behaviour

    def serve_template(self, prefix: str, doi: str = TEMPLATE_DOI, *, ids_of: str = "") -> None:
        """Answer DOIs starting with `prefix` with `doi`'s Crossref and OpenAlex recordings, that DOI substituted.
        With `ids_of` (a DOI the recorded ID-converter answers know), NCBI's converter answers each such DOI with
        that DOI's recorded record, the DOI substituted: its PMID and PMCID (shared by all of them)."""
        bodies = {}
        for service, index in (("crossref", self.crossref), ("openalex", self.openalex)):
            if doi in index:
                recording = json.loads(index[doi].read_text(encoding="utf-8"))
                bodies[service] = json.dumps(_with_doi_marked(recording, doi), ensure_ascii=False).encode()
        if ids_of:
            [record] = [r for rec in self.idconv for r in rec.get("records", []) if r.get("doi", "").lower() == ids_of]
            bodies["ncbi"] = json.dumps(_with_doi_marked(record, ids_of)).encode()
        with self._lock:
            self._templates[prefix.lower()] = bodies

    def serve_fulltext(self, pmcid: str, path: Path) -> None:
        """Answer Europe PMC's fullTextXML of `pmcid` with the JATS file `path` (until a new FakeUpstream)."""
        self.europepmc[pmcid] = path

    def serve_openreview_forum(self, forum_id: str, notes: list, *, version: int = 2) -> None:
        """Serve `notes` (built by a test) as forum `forum_id` on that API version, until reset()."""
        with self._lock:
            self._openreview_built[(version, forum_id)] = notes

    def revoke_openreview_tokens(self) -> None:
        with self._lock:
            self._openreview_tokens.clear()

    def challenge_anonymous_openreview(self) -> None:
        with self._lock:
            self._openreview_challenge_anonymous = True

    def set_latency(self, seconds: float) -> None:
        with self._lock:
            self._latency = seconds

    def limit_rate(self, per_second: int | float | dict[str, float] | None) -> None:
        """At most `per_second` answers per service in any one-second window (a number for every service, or a
        number per service: {"crossref": 40, "ncbi": 3}; a service left out is not limited); None lifts it.
        Crossref's lists and review searches count as Crossref, as Crossref counts them."""
        with self._lock:
            self._rate_limit = per_second
            self._admitted.clear()

    def advertise_concurrency(self, limit: int | None) -> None:
        """Crossref's answers carry X-Concurrency-Limit: `limit` (None: no such header, as recorded)."""
        with self._lock:
            self._advertised_concurrency = limit

    def _enter(self, service: str) -> None:
        with self._lock:
            for name in (service, service.split("-")[0] + "*"):
                self._in_flight[name] += 1
                self.max_in_flight[name] = max(self.max_in_flight[name], self._in_flight[name])

    def _leave(self, service: str) -> None:
        with self._lock:
            for name in (service, service.split("-")[0] + "*"):
                self._in_flight[name] -= 1

    def reset(self) -> None:
        with self._lock:
            self.max_in_flight.clear()
            self._advertised_concurrency = None
            self._scripts.clear()
            self._always.clear()
            self.requests.clear()
            self._templates.clear()
            self._latency = 0.0
            self._rate_limit = None
            self._admitted.clear()
            self.rate_limited.clear()
            self._openreview_built.clear()
            self._openreview_tokens.clear()
            self._openreview_logins = 0
            self._openreview_challenge_anonymous = False

    def calls(self, service: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.service == service]

    # -- serving

    def _next_behaviour(self, service: str):
        with self._lock:
            if self._scripts[service]:
                return self._scripts[service].popleft()
            return self._always.get(service)

    def _over_rate_limit(self, service: str) -> bool:
        """Count this request in its service's sliding one-second window; True when the window is full."""
        with self._lock:
            limit = self._rate_limit
            bucket = service.split("-")[0] if service.startswith("crossref") else service
            if isinstance(limit, dict):
                limit = limit.get(bucket)
            if limit is None:
                return False
            now, admitted = time.monotonic(), self._admitted[bucket]
            while admitted and admitted[0] <= now - 1.0:
                admitted.popleft()
            if len(admitted) >= limit:
                self.rate_limited[service] += 1
                return True
            admitted.append(now)
            return False

    def _templated(self, service: str, doi: str) -> bytes | None:
        with self._lock:
            templates = list(self._templates.items())
        for prefix, bodies in templates:
            if doi.startswith(prefix) and service in bodies:
                return bodies[service].replace(_TEMPLATE_MARK.encode(), json.dumps(doi)[1:-1].encode())
        return None

    def _recorded(self, service: str, rest: str, query: dict) -> tuple[int, bytes, str]:
        prefix = {"crossref": "works/", "openalex": "works/doi:"}.get(service)
        if prefix and rest.startswith(prefix):
            body = self._templated(service, unquote(rest.removeprefix(prefix)).lower())
            if body is not None:
                return 200, body, "application/json"
        if service == "crossref-list":
            return self._crossref_works_list(query)
        if service == "openalex" and rest == "works":
            return self._openalex_works_list(query)
        if service == "crossref-reviews":
            return self._crossref_reviews_of(query)
        if service == "crossref" and rest.startswith("works/"):
            path = self.crossref.get(unquote(rest.removeprefix("works/")).lower())
            if path is None:
                return 404, self.crossref_404, "text/plain"
        elif service == "datacite" and rest.startswith("dois/"):
            path = self.datacite.get(unquote(rest.removeprefix("dois/")).lower())
        elif service == "openalex" and rest.startswith("works/doi:"):
            path = self.openalex.get(unquote(rest.removeprefix("works/doi:")).lower())
        elif service == "ncbi":
            return 200, self._idconv(query.get("ids", [""])[0]), "application/json"
        elif service in ("youtube", "vimeo"):
            path = self._oembed(service, query.get("url", [""])[0])
        elif service == "europepmc" and rest.endswith("/fullTextXML"):
            path = self.europepmc.get(rest.removesuffix("/fullTextXML"))
            if path is not None:
                return 200, path.read_bytes(), "application/xml"
        elif service == "pubtator" and rest == "publications/export/biocjson":
            return 200, self._pubtator(query), "application/json"
        elif service in ("openreview", "openreview-v1") and rest == "notes":
            return self._openreview_notes(2 if service == "openreview" else 1, query)
        elif service == "semanticscholar" and rest.startswith("paper/DOI:"):
            path = self.semanticscholar.get(unquote(rest.removeprefix("paper/DOI:")).lower())
        else:
            path = None
        if path is None:
            return 404, b"", "text/plain"
        return 200, path.read_bytes(), "application/json"

    def _crossref_works_list(self, query: dict) -> tuple[int, bytes, str]:
        filters = [f for f in query.get("filter", [""])[0].split(",") if f]
        if not filters or not all(f.startswith("doi:") for f in filters):
            return 400, b"", "text/plain"
        dois = list(dict.fromkeys(f.removeprefix("doi:").lower() for f in filters))
        recorded = json.loads(self.crossref_list)
        if sorted(dois) == sorted(item["DOI"].lower() for item in recorded["message"]["items"]):
            return 200, self.crossref_list, "application/json"
        try:
            rows = int(query.get("rows", ["20"])[0])
        except ValueError:
            return 400, b"", "text/plain"
        items = [self.crossref_items[doi] for doi in dois if doi in self.crossref_items][:rows]
        envelope = {  # CONSTRUCTED, modelled on the recorded list's envelope (PROVENANCE.md)
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "facets": {},
                "total-results": len(items),
                "items": items,
                "items-per-page": rows,
                "query": {"start-index": 0, "search-terms": None},
            },
        }
        return 200, json.dumps(envelope, ensure_ascii=False).encode(), "application/json"

    def _openalex_works_list(self, query: dict) -> tuple[int, bytes, str]:
        filters = query.get("filter", [""])[0]
        if not filters.startswith("doi:") or "," in filters:
            return 400, b"", "text/plain"
        dois = list(dict.fromkeys(doi.lower() for doi in filters.removeprefix("doi:").split("|") if doi))
        results = []
        for doi in dois:
            templated = self._templated("openalex", doi)
            if templated is not None:
                results.append(json.loads(templated))
            elif doi in self.openalex:
                results.append(json.loads(self.openalex[doi].read_text(encoding="utf-8")))
        envelope = {  # CONSTRUCTED: OpenAlex's documented list shape around recorded works
            "meta": {"count": len(results), "db_response_time_ms": 1, "page": 1, "per_page": len(dois)},
            "results": results,
            "group_by": [],
        }
        return 200, json.dumps(envelope, ensure_ascii=False).encode(), "application/json"

    def _semanticscholar_batch(self, ids: list) -> bytes:
        """A list in the order asked: each DOI's recording (its tldr), null for the others (S2's documented answer
        for unknown ids; the recorded batch answer s2/graph-v1-paper-batch-pmid-20516115.json shows the list)."""
        answer = []
        for paper_id in ids:
            doi = str(paper_id).removeprefix("DOI:").lower()
            path = self.semanticscholar.get(doi)
            answer.append(json.loads(path.read_text(encoding="utf-8")) if path else None)
        return json.dumps(answer).encode()

    def _crossref_reviews_of(self, query: dict) -> tuple[int, bytes, str]:
        match = _REVIEWS_FILTER.match(query.get("filter", [""])[0])
        if not match:
            body = b'{"status":"failed","message":"the fake upstream answers only the reviews-of-a-DOI filter"}'
            return 400, body, "application/json"
        doi = match.group("doi").strip().lower()
        items = [
            message
            for message in self.crossref_peer_reviews
            if any(
                str(relation.get("id", "")).lower() == doi
                for relation in (message.get("relation") or {}).get("is-review-of", [])
            )
        ]
        rows = int(query.get("rows", ["20"])[0])
        # CONSTRUCTED envelope around recorded records: the keys of the recorded work-list answer.
        envelope = {
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "facets": {},
                "total-results": len(items),
                "items": items[:rows],
                "items-per-page": rows,
                "query": {"start-index": 0, "search-terms": None},
            },
        }
        return 200, json.dumps(envelope, ensure_ascii=False).encode(), "application/json"

    @staticmethod
    def etag(body: bytes) -> str:
        return f'"{hashlib.sha256(body).hexdigest()[:16]}"'

    def _oembed(self, service: str, url: str) -> Path | None:
        video_id = url.rsplit("=", 1)[-1] if service == "youtube" else url.rstrip("/").rsplit("/", 1)[-1]
        matches = sorted((FIXTURES / "oembed").glob(f"{service}-oembed-{video_id}*.json")) if video_id else []
        return matches[0] if matches else None

    def _pubtator(self, query: dict) -> bytes:
        pmids = [p.strip() for p in query.get("pmids", [""])[0].split(",") if p.strip()]
        full = query.get("full", [""])[0].lower() == "true"
        documents = []
        for pmid in dict.fromkeys(pmids):
            document = (self.pubtator_full_texts.get(pmid) if full else None) or self.pubtator_abstracts.get(pmid)
            if document is not None:
                documents.append(document)
        return json.dumps({"PubTator3": documents}, ensure_ascii=False).encode()

    def _openreview_notes(self, version: int, query: dict) -> tuple[int, bytes, str]:
        forum = query.get("forum", [""])[0]
        try:
            limit = int(query.get("limit", ["1000"])[0])
            offset = int(query.get("offset", ["0"])[0])
        except ValueError:
            return self.openreview_400
        if version == 2 and limit > 1000:
            return self.openreview_400
        with self._lock:
            built = self._openreview_built.get((version, forum))
        if built is not None:
            notes, body = built, b""
        else:
            notes, body = (self.openreview_v2 if version == 2 else self.openreview_v1).get(forum, (None, b""))
        if notes is None:
            return self.openreview_404
        page = notes[offset : offset + limit]
        if not (body and offset == 0 and len(page) == len(notes)):
            body = json.dumps({"notes": page, "count": len(notes)}, ensure_ascii=False).encode()
        return 200, body, "application/json; charset=utf-8"

    def _openreview_login(self, body: bytes) -> tuple[int, bytes]:
        try:
            credentials = json.loads(body)
        except ValueError:
            credentials = {}
        if not isinstance(credentials, dict) or credentials.get("password") != OPENREVIEW_PASSWORD:
            return 400, b'{"name": "LoginError", "message": "Invalid username or password", "status": 400}'
        with self._lock:
            self._openreview_logins += 1
            token = f"fake-token-{self._openreview_logins}"
            self._openreview_tokens.add(token)
        return 200, json.dumps({"token": token, "user": {"id": credentials.get("id")}}).encode()

    def _openreview_refusal(self, authorization: str) -> tuple[int, bytes, str] | None:
        """A 401 for a token we did not hand out (or revoked), the challenge page for no token when asked to."""
        with self._lock:
            tokens, challenge = set(self._openreview_tokens), self._openreview_challenge_anonymous
        if authorization:
            if authorization.removeprefix("Bearer ") not in tokens:
                body = b'{"name": "UnauthorizedError", "message": "Token expired or invalid", "status": 401}'
                return 401, body, "application/json; charset=utf-8"
            return None
        return self.openreview_challenge if challenge else None

    def _idconv(self, ids: str) -> bytes:
        wanted = {i.strip().lower() for i in ids.split(",") if i.strip()}
        answer = dict(self.idconv[0]) if self.idconv else {"status": "ok"}
        answer["records"] = [
            record
            for recording in self.idconv
            for record in recording.get("records", [])
            if wanted & {str(record.get(k, "")).lower() for k in ("doi", "pmid", "pmcid")}
        ]
        for doi in sorted(wanted):
            templated = self._templated("ncbi", doi)
            if templated is not None:
                answer["records"].append(json.loads(templated))
        return json.dumps(answer).encode()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                service, _, rest = parts.path.lstrip("/").partition("/")
                query = parse_qs(parts.query)
                if service == "crossref" and rest == "works":  # scripted and counted apart (the module's docstring)
                    reviews = _REVIEWS_FILTER.match(query.get("filter", [""])[0])
                    service = "crossref-reviews" if reviews else "crossref-list"
                fake._enter(service)
                try:
                    self._get(service, rest, query)
                finally:
                    fake._leave(service)

            def _get(self, service, rest, query):
                self.request_record = Request(service, rest, query, dict(self.headers))
                with fake._lock:
                    fake.requests.append(self.request_record)
                    latency = fake._latency
                limited = fake._over_rate_limit(service)
                if latency:
                    time.sleep(latency)
                if limited:
                    return self._send(429, b"Too many requests", "text/plain", {"Retry-After": "1"})
                behaviour = fake._next_behaviour(service)
                if isinstance(behaviour, Fail):
                    headers = {"Retry-After": str(int(behaviour.retry_after))} if behaviour.retry_after else {}
                    return self._send(behaviour.status, behaviour.body, behaviour.content_type, headers)
                if isinstance(behaviour, Slow):
                    time.sleep(behaviour.seconds)
                if isinstance(behaviour, Garbage):
                    return self._send(200, behaviour.body, behaviour.content_type)
                if isinstance(behaviour, Huge):
                    return self._send_huge(behaviour.megabytes)
                if service in ("openreview", "openreview-v1"):
                    refusal = fake._openreview_refusal(self.headers.get("Authorization", ""))
                    if refusal:
                        return self._send(*refusal)
                status, body, content_type = fake._recorded(service, rest, query)
                if isinstance(behaviour, Truncated) and status == 200:
                    body = body[: len(body) // 2]
                if isinstance(behaviour, Drip):
                    return self._send_drip(body, behaviour.interval)
                crossref = service in ("crossref", "crossref-list", "crossref-reviews")
                headers = {"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s"} if crossref else {}
                if crossref and fake._advertised_concurrency:
                    headers["X-Concurrency-Limit"] = str(fake._advertised_concurrency)
                if service == "europepmc" and status == 200:
                    headers["ETag"] = fake.etag(body)
                    if headers["ETag"] in self.headers.get("If-None-Match", ""):
                        return self._send(304, b"", content_type, headers)
                self._send(status, body, content_type, headers)

            def do_POST(self):
                # OpenReview's login (scripts for it use the service "openreview-login") and Semantic Scholar's
                # batch endpoint (the service "semanticscholar", like its GETs).
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if parts.path == "/semanticscholar/paper/batch":
                    return self._semanticscholar_batch(parts, body)
                self.request_record = Request("openreview-login", parts.path, {}, dict(self.headers))
                with fake._lock:
                    fake.requests.append(self.request_record)
                if parts.path != "/openreview/login":
                    return self._send(404, b"", "text/plain")
                behaviour = fake._next_behaviour("openreview-login")
                if isinstance(behaviour, Fail):
                    return self._send(behaviour.status, behaviour.body, behaviour.content_type)
                status, answer = fake._openreview_login(body)
                self._send(status, answer, "application/json; charset=utf-8")

            def _semanticscholar_batch(self, parts, body: bytes):
                query = parse_qs(parts.query)
                self.request_record = Request("semanticscholar", "paper/batch", query, dict(self.headers), body=body)
                with fake._lock:
                    fake.requests.append(self.request_record)
                    latency = fake._latency
                limited = fake._over_rate_limit("semanticscholar")
                if latency:
                    time.sleep(latency)
                if limited:
                    return self._send(429, b"Too many requests", "text/plain", {"Retry-After": "1"})
                behaviour = fake._next_behaviour("semanticscholar")
                if isinstance(behaviour, Fail):
                    headers = {"Retry-After": str(int(behaviour.retry_after))} if behaviour.retry_after else {}
                    return self._send(behaviour.status, behaviour.body, behaviour.content_type, headers)
                if isinstance(behaviour, Garbage):
                    return self._send(200, behaviour.body, behaviour.content_type)
                try:
                    ids = json.loads(body)["ids"]
                except (ValueError, KeyError, TypeError):
                    return self._send(400, b'{"error": "Unacceptable body"}', "application/json")
                self._send(200, fake._semanticscholar_batch(ids), "application/json")

            request_record: Request | None = None  # unset for methods other than GET and POST (answered 501)

            def send_response(self, code, message=None):
                if self.request_record is not None:
                    self.request_record.status = code
                super().send_response(code, message)

            def _send(self, status, body, content_type, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client stopped waiting (a timeout under test)

            def _send_huge(self, megabytes):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b" " * 65536
                try:
                    self.wfile.write(b'{"message": "')
                    for _ in range(megabytes * 16):
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should
                self.close_connection = True

            def _send_drip(self, body, interval):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(interval)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        return Handler
