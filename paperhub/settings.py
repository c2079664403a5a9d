"""PaperHub settings: one file, every value read from the environment (see the README's table).

With no environment at all it runs on SQLite and a file-system broker under var/, which is what
`make run` wants; production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

# A local install's configuration file (`make run` writes var/local.env, see paperhub/local_env.py), read only
# when PAPERHUB_ENV_FILE names it: manage.py names the checkout's own, `make run` names it for its worker and beat.
# Variables already in the environment win over the file.
ENV_FILE = os.environ.get("PAPERHUB_ENV_FILE", "")
if ENV_FILE:
    if not Path(ENV_FILE).is_file():
        raise ImproperlyConfigured(f"PAPERHUB_ENV_FILE names {ENV_FILE}, which is not a file.")
    load_dotenv(ENV_FILE, override=False)

VAR_DIR = Path(os.environ.get("PAPERHUB_VAR_DIR") or BASE_DIR / "var")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")
    SECRET_KEY = "insecure-development-key-only-used-with-debug"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Serve static files the same way under runserver as under gunicorn.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "paperhub",
    "papers",
    "reviews",
    "media_links",
    "fulltext",
    "entities",
    "review_imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag (a hash of the body unless the page cache set one) and 304s for If-None-Match / If-Modified-Since on
    # every GET: feeds and API lists as well as pages.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cache-Control for every response that has none: private for sessions and tokens, public (revalidate) else.
    "paperhub.cache_headers.CacheControlMiddleware",
    # CORS_URLS_REGEX keeps it to the API: outside the caches below, so a kept answer gets its headers too.
    "corsheaders.middleware.CorsMiddleware",
    # Anonymous callers' paper records and lists come whole from the cache before DRF (and before the page
    # cache, which would look their addresses up once more).
    "papers.api.response_cache.SharedApiResponseMiddleware",
    # Anonymous visitors' paper, search and taxonomy pages come whole from the cache before the rest runs.
    "papers.page_cache.SharedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "paperhub.urls"
WSGI_APPLICATION = "paperhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'paperhub.sqlite3'}")
if DATABASE_URL.startswith("sqlite:"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as an embedded database that several processes write at once (`make run`'s site, worker and beat):
    # a write transaction takes the lock when it begins and waits up to the busy timeout for it, instead of
    # failing with "database is locked" when it tries to write; WAL lets readers go on beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 30),
        "init_command": "PRAGMA journal_mode=WAL",
    }
    # Django's backend, but able to rebuild papers_paper (see paperhub/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "paperhub.sqlite"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis in production so every web process shares one cache; local memory needs no server.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whether every process sees one cache: only then can a worker's change reach what a web process has cached.
PAPERHUB_SHARED_CACHE = CACHE_URL.startswith(("redis://", "rediss://"))

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): sign in with an email address, verified before the first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/h/ip", "reset_password": "20/m/ip,5/m/key"}
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PaperHub] "
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# ORCID sign-in appears only when client credentials are configured (https://orcid.org/developer-tools).
ORCID_CLIENT_ID = env_str("ORCID_CLIENT_ID")
ORCID_CLIENT_SECRET = env_str("ORCID_CLIENT_SECRET")
if ORCID_CLIENT_ID and ORCID_CLIENT_SECRET:
    INSTALLED_APPS.append("allauth.socialaccount.providers.orcid")
    SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            "APPS": [{"client_id": ORCID_CLIENT_ID, "secret": ORCID_CLIENT_SECRET}],
            "BASE_DOMAIN": env_str("ORCID_BASE_DOMAIN", "orcid.org"),
            "MEMBER_API": False,
        }
    }

# Mail goes to the console unless an SMTP server is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PaperHub <noreply@localhost>")

# Content-Security-Policy on every page: no inline script, nothing from other origins unless listed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # Video players, loaded only when a visitor presses play (see media_links/providers.py).
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Submission limits, counted in the shared cache so they hold across web processes.
RATELIMIT_USE_CACHE = "default"
REVIEW_RATE_LIMIT_USER = env_str("REVIEW_RATE_LIMIT_USER", "10/h")
REVIEW_RATE_LIMIT_IP = env_str("REVIEW_RATE_LIMIT_IP", "30/h")
REVIEW_MAX_LENGTH = 60_000
# A refused form says why and shows the text back, instead of Django's bare page.
CSRF_FAILURE_VIEW = "paperhub.views.csrf_failure"
# Papers added (form and API together) per account and per IP: each add sends several upstream requests.
PAPER_ADD_RATE_LIMIT_USER = env_str("PAPER_ADD_RATE_LIMIT_USER", "120/h")
PAPER_ADD_RATE_LIMIT_IP = env_str("PAPER_ADD_RATE_LIMIT_IP", "300/h")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Files the site stores itself (figures of full texts). Served by PaperHub's own view from the default storage,
# so any storage backend works behind it.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security headers; HTTPS-only settings switch on with SECURE_SSL_REDIRECT behind a TLS proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if SECURE_SSL_REDIRECT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Celery. The default broker keeps messages in files under var/, so `make run` needs no server;
# production points CELERY_BROKER_URL at Redis or RabbitMQ.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    for _folder in (_queue_dir, _processed_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task not acknowledged within this time goes back to the queue (its worker died). It must exceed the
    # longest retry countdown, or a waiting retry would be delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once it finished, and a worker takes one at a time:
# a worker killed mid-task hands its task back to the broker instead of losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# When the broker connection drops, stop running tasks: unacknowledged, they are delivered again (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Two queues, and every worker consumes both (no -Q needed), taking from each in turn: "bulk" holds the imports
# queued many at a time (`manage.py import_dois`), "celery" everything else. The enrichments of papers already
# imported, a visitor's single add and a submitted video do not wait behind a bulk load's thousands of imports:
# before, 1,000 queued DOIs held every topics and PubMed-id batch back until the last import had run.
CELERY_TASK_DEFAULT_QUEUE = "celery"
PAPERHUB_BULK_QUEUE = "bulk"
# Each queue its own exchange and key, named after it (Celery would bind both to the default "celery" key).
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name), routing_key=name) for name in ("celery", PAPERHUB_BULK_QUEUE))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "paperhub.api.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": [
        "paperhub.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["paperhub.api.AnonThrottle", "paperhub.api.UserThrottle"],
    "DEFAULT_PAGINATION_CLASS": "paperhub.api.CursorPage",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "paperhub.api.ContentNegotiation",
    "EXCEPTION_HANDLER": "paperhub.api.api_exception_handler",
    "PAGE_SIZE": 25,
}
API_THROTTLE_ANON = env_str("API_THROTTLE_ANON", "120/min")
API_THROTTLE_USER = env_str("API_THROTTLE_USER", "600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "PaperHub API",
    "DESCRIPTION": (
        "Papers by DOI with their metadata, references, citations, topics, public peer reviews and videos. "
        "Reading is open; writing needs a token from /account/tokens (header Authorization: Bearer YOUR_TOKEN) or a "
        "signed-in session with its CSRF token. Every error has the shape of the Error schema."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from this site (no CDN), its start-up script from a URL (no inline script for the CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "paperhub.api.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ModerationStatusEnum": "paperhub.moderation.ModerationStatus",
        "FetchStateEnum": "papers.models.FetchState",
        # Reviews show every platform; people posting one choose among all but "journal".
        "ReviewPlatformEnum": "reviews.models.Platform",
        "PastedReviewPlatformEnum": "reviews.models.PASTE_PLATFORM_CHOICES",
        "ReviewKindEnum": "reviews.models.ReviewKind",
        "KindEnum": "media_links.models.VideoKind",  # the name videos' kind had before reviews had one
        "ForumImportStateEnum": "review_imports.models.ForumImport.State",
        "ForumImportMatchEnum": "review_imports.models.ForumImport.Match",
    },
}
# CORS: any site may read the API from a browser; nothing else crosses origins.
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Retry-After", "Location")

PAPERHUB_SITE_NAME = env_str("PAPERHUB_SITE_NAME", "PaperHub")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO; our client logs the failures that matter.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

# Upstream APIs. Each URL is the API root as the public one is, so clients append the same paths;
# tests point them at a local fake upstream that replays recorded responses.
CROSSREF_API_URL = env_str("CROSSREF_API_URL", "https://api.crossref.org").rstrip("/")
DATACITE_API_URL = env_str("DATACITE_API_URL", "https://api.datacite.org").rstrip("/")
OPENALEX_API_URL = env_str("OPENALEX_API_URL", "https://api.openalex.org").rstrip("/")
OPENALEX_API_KEY = env_str("OPENALEX_API_KEY")
NCBI_IDCONV_URL = env_str("NCBI_IDCONV_URL", "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/")
# Full text (open access only) and one-line summaries, for the fulltext app.
EUROPEPMC_API_URL = env_str("EUROPEPMC_API_URL", "https://www.ebi.ac.uk/europepmc/webservices/rest").rstrip("/")
SEMANTIC_SCHOLAR_API_URL = env_str("SEMANTIC_SCHOLAR_API_URL", "https://api.semanticscholar.org/graph/v1").rstrip("/")
SEMANTIC_SCHOLAR_API_KEY = env_str("SEMANTIC_SCHOLAR_API_KEY")
# Entity annotations (genes, chemicals, diseases …) for the entities app.
PUBTATOR_API_URL = env_str("PUBTATOR_API_URL", "https://www.ncbi.nlm.nih.gov/research/pubtator3-api").rstrip("/")
# Public peer reviews from OpenReview (review_imports): API v2 first, v1 for forums that only it holds (before 2024).
OPENREVIEW_API_URL = env_str("OPENREVIEW_API_URL", "https://api2.openreview.net").rstrip("/")
OPENREVIEW_API_V1_URL = env_str("OPENREVIEW_API_V1_URL", "https://api.openreview.net").rstrip("/")
# Optional account: anonymous requests may meet a browser check; with these the client logs in for a token.
OPENREVIEW_USERNAME = env_str("OPENREVIEW_USERNAME")
OPENREVIEW_PASSWORD = env_str("OPENREVIEW_PASSWORD")
PAPERHUB_CONTACT_EMAIL = env_str("PAPERHUB_CONTACT_EMAIL")
UPSTREAM_TIMEOUT_SECONDS = float(env_int("UPSTREAM_TIMEOUT_SECONDS", 10))
UPSTREAM_MAX_RESPONSE_BYTES = env_int("UPSTREAM_MAX_RESPONSE_BYTES", 10 * 1024 * 1024)
# Requests per second for each upstream, held across every worker process through the cache (Redis).
# Crossref's documented limits since 1 December 2025 (blog "Announcing changes to REST API rate limits", and its
# REST API "Access and authentication" page): single records 10/s with 3 at once in the polite pool (a mailto in
# the User-Agent: PAPERHUB_CONTACT_EMAIL), 5/s with 1 at once in the public pool; lists 3/s (polite), 1/s (public).
# The limits it advertises on each answer lower these further.
_CROSSREF_POLITE = bool(PAPERHUB_CONTACT_EMAIL)
UPSTREAM_RATE_LIMITS = {
    "crossref": float(env_str("CROSSREF_RATE_LIMIT", "10" if _CROSSREF_POLITE else "5")),
    "datacite": float(env_str("DATACITE_RATE_LIMIT", "20")),
    "openalex": float(env_str("OPENALEX_RATE_LIMIT", "10")),
    "ncbi": float(env_str("NCBI_RATE_LIMIT", "3")),
    "europepmc": float(env_str("EUROPEPMC_RATE_LIMIT", "10")),  # Europe PMC asks for politeness, names no number
    # 1/s is what Semantic Scholar grants a key; without one the shared pool is smaller still and 429s are common.
    "semanticscholar": float(env_str("SEMANTIC_SCHOLAR_RATE_LIMIT", "1")),
    # PubTator3 asks for at most 3 requests per second (its API page; client libraries keep to it).
    "pubtator": float(env_str("PUBTATOR_RATE_LIMIT", "3")),
    # OpenReview allows roughly 60 note requests a minute anonymously; one a second stays under it.
    "openreview": float(env_str("OPENREVIEW_RATE_LIMIT", "1")),
}
# Requests in flight at once for each upstream, held across every worker process and host through the cache
# (Redis); an advertised X-Concurrency-Limit lowers it. Only Crossref documents a number; for the others the cap
# is the rate limit rounded up (no more at once than a second's worth), which bounds slow answers piling up.
UPSTREAM_CONCURRENCY = {
    "crossref": env_int("CROSSREF_CONCURRENCY", 3 if _CROSSREF_POLITE else 1),
    "datacite": env_int("DATACITE_CONCURRENCY", 20),
    "openalex": env_int("OPENALEX_CONCURRENCY", 10),
    "ncbi": env_int("NCBI_CONCURRENCY", 3),
    "europepmc": env_int("EUROPEPMC_CONCURRENCY", 10),
    "semanticscholar": env_int("SEMANTIC_SCHOLAR_CONCURRENCY", 1),
    "pubtator": env_int("PUBTATOR_CONCURRENCY", 3),
    "openreview": env_int("OPENREVIEW_CONCURRENCY", 1),
}
UPSTREAM_CONCURRENCY_DEFAULT = 10  # upstreams not named above (the oEmbed providers), as their rate default
for _upstream, _cap in UPSTREAM_CONCURRENCY.items():
    if _cap < 0:
        raise ImproperlyConfigured(f"The concurrency cap for {_upstream} must be 0 (no cap) or more, not {_cap}.")
# A slot is leased for longer than http._request lets a request run (connect, redirects, the body's deadline of
# twice the timeout), so that a worker killed mid-request holds it this long at most.
UPSTREAM_SLOT_LEASE_SECONDS = float(env_int("UPSTREAM_SLOT_LEASE_SECONDS", int(4 * UPSTREAM_TIMEOUT_SECONDS + 10)))
# How long a request waits for a free slot before failing as unavailable (its task retries later).
UPSTREAM_SLOT_WAIT_SECONDS = float(env_int("UPSTREAM_SLOT_WAIT_SECONDS", 30))
if UPSTREAM_SLOT_LEASE_SECONDS <= 0 or UPSTREAM_SLOT_WAIT_SECONDS < 0:
    raise ImproperlyConfigured("UPSTREAM_SLOT_LEASE_SECONDS must be above 0 and UPSTREAM_SLOT_WAIT_SECONDS 0 or more.")
PAPERHUB_IMPORT_MAX_RETRIES = env_int("PAPERHUB_IMPORT_MAX_RETRIES", 6)
PAPERHUB_RETRY_BASE_SECONDS = float(env_str("PAPERHUB_RETRY_BASE_SECONDS", "4"))
PAPERHUB_RETRY_MAX_SECONDS = float(env_str("PAPERHUB_RETRY_MAX_SECONDS", "600"))
PAPERHUB_REFRESH_AFTER_DAYS = env_int("PAPERHUB_REFRESH_AFTER_DAYS", 30)
PAPERHUB_STUCK_AFTER_MINUTES = env_int("PAPERHUB_STUCK_AFTER_MINUTES", 15)
# A paper whose metadata never arrived (no upstream knows the DOI) is removed after this many days without a
# change, unless someone attached a review or video; 0 keeps them.
PAPERHUB_REMOVE_UNRESOLVED_AFTER_DAYS = env_int("PAPERHUB_REMOVE_UNRESOLVED_AFTER_DAYS", 30)
# Characters of a paper's full text that search indexes (papers.services.paper_set_body_text), cut at a word.
# 100,000 holds a long article whole (60-100k) and is where a tsvector's word positions run out (16,383 at about
# 6.1 characters a word, measured on the recorded PMC body): text past it could only be matched, never placed.
# Its tsvector is about 35 KB, far below PostgreSQL's 1 MB cap; tokenising it takes about 33 ms per write.
PAPERHUB_SEARCH_BODY_MAX_CHARS = env_int("PAPERHUB_SEARCH_BODY_MAX_CHARS", 100_000)

# References known only by their DOI get their title, authors, container and year from Crossref, many DOIs (from any
# papers) per `/works?filter=doi:…` request: at most this many, and fewer when their URL would pass Crossref's
# 4096-byte request line (papers.clients.crossref). Crossref's `rows` stops at 1000.
REFERENCES_LOOKUP_BATCH_SIZE = env_int("REFERENCES_LOOKUP_BATCH_SIZE", 100)
if not 1 <= REFERENCES_LOOKUP_BATCH_SIZE <= 1000:
    raise ImproperlyConfigured(
        "REFERENCES_LOOKUP_BATCH_SIZE must be between 1 and 1000 (the most rows Crossref answers), "
        f"not {REFERENCES_LOOKUP_BATCH_SIZE}"
    )
# DOIs queued within this many seconds (a paper's whole reference list, papers imported together) share requests.
REFERENCES_LOOKUP_WAIT_SECONDS = env_int("REFERENCES_LOOKUP_WAIT_SECONDS", 5)
# A found record is asked again after this many days; a DOI Crossref does not know (or a failed lookup) after these.
REFERENCES_LOOKUP_REFRESH_DAYS = env_int("REFERENCES_LOOKUP_REFRESH_DAYS", 180)
REFERENCES_LOOKUP_UNKNOWN_DAYS = env_int("REFERENCES_LOOKUP_UNKNOWN_DAYS", 90)

CELERY_BEAT_SCHEDULE = {
    "papers-refresh-stale": {"task": "papers.tasks.papers_refresh_stale", "schedule": 3600.0},
    "papers-requeue-stuck": {"task": "papers.tasks.papers_requeue_stuck", "schedule": 300.0},
    "papers-remove-unresolved": {"task": "papers.tasks.papers_remove_unresolved", "schedule": 3600.0},
    # Cited DOIs never looked up, due again, or left running by a dead worker: queued, and a batch started.
    "reference-lookups-sweep": {"task": "papers.tasks.reference_lookups_sweep", "schedule": 3600.0},
    # Imported OpenReview forums: each has its own next check (hours while discussed, weeks once quiet).
    "review-imports-refresh-due": {"task": "review_imports.tasks.forum_imports_refresh_due", "schedule": 900.0},
}

# Videos. oEmbed endpoints are called only by the worker, with canonical URLs the site builds itself.
YOUTUBE_OEMBED_URL = env_str("YOUTUBE_OEMBED_URL", "https://www.youtube.com/oembed")
VIMEO_OEMBED_URL = env_str("VIMEO_OEMBED_URL", "https://vimeo.com/api/oembed.json")
VIDEO_RATE_LIMIT_USER = env_str("VIDEO_RATE_LIMIT_USER", "20/h")
VIDEO_RATE_LIMIT_IP = env_str("VIDEO_RATE_LIMIT_IP", "60/h")
# Rejected video links (not a video address, already linked) are counted apart, and bounded more loosely.
VIDEO_REJECTED_RATE_LIMIT_USER = env_str("VIDEO_REJECTED_RATE_LIMIT_USER", "100/h")
VIDEO_REJECTED_RATE_LIMIT_IP = env_str("VIDEO_REJECTED_RATE_LIMIT_IP", "300/h")
VIDEO_RECHECK_AFTER_DAYS = env_int("VIDEO_RECHECK_AFTER_DAYS", 7)
# More providers, as JSON: [{"name", "label", "hosts": [...], "id_pattern", "canonical_url": "...{id}...",
#  "embed_url": "...{id}...{start}...", "oembed_setting": "NAME_OF_A_SETTING_HOLDING_ITS_OEMBED_URL"}]
VIDEO_EXTRA_PROVIDERS = [
    {**entry, "hosts": tuple(entry["hosts"])} for entry in json.loads(env_str("VIDEO_EXTRA_PROVIDERS", "[]"))
]
for _entry in VIDEO_EXTRA_PROVIDERS:
    _embed_origin = "https://" + urlsplit(_entry["embed_url"]).netloc
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"].append(_embed_origin)
# Full text and summaries (the fulltext app). JATS files larger than this are refused, by import_jats too.
# Europe PMC's article site, where figure images are (…/PMC123/bin/name.jpg); the worker copies them from there.
EUROPEPMC_ARTICLES_URL = env_str("EUROPEPMC_ARTICLES_URL", "https://europepmc.org/articles").rstrip("/")
FULLTEXT_MAX_XML_BYTES = env_int("FULLTEXT_MAX_XML_BYTES", 20 * 1024 * 1024)
FULLTEXT_FIGURE_MAX_BYTES = env_int("FULLTEXT_FIGURE_MAX_BYTES", 5 * 1024 * 1024)
FULLTEXT_FETCH_FIGURES = env_bool("FULLTEXT_FETCH_FIGURES", True)
# Beat asks again: "not open access" after this many days (embargoes end), a stored text (ETag) after these.
FULLTEXT_RECHECK_NONE_DAYS = env_int("FULLTEXT_RECHECK_NONE_DAYS", 30)
FULLTEXT_RECHECK_DONE_DAYS = env_int("FULLTEXT_RECHECK_DONE_DAYS", 90)
SUMMARY_RECHECK_NONE_DAYS = env_int("SUMMARY_RECHECK_NONE_DAYS", 60)
# Reviews registered with Crossref (the reviews app): journals register them around publication, post-publication
# reviews (F1000, Copernicus) trickle in later; beat asks Crossref again after this many days.
CROSSREF_REVIEWS_RECHECK_NONE_DAYS = env_int("CROSSREF_REVIEWS_RECHECK_NONE_DAYS", 60)
CROSSREF_REVIEWS_RECHECK_DONE_DAYS = env_int("CROSSREF_REVIEWS_RECHECK_DONE_DAYS", 90)
# Entities (PubTator3): papers queued within this many seconds share one call of up to 100 PMIDs.
# Batched enrichments (topics from OpenAlex, PubMed ids from NCBI, summaries from Semantic Scholar): how long a
# queued row waits for others to share its upstream call.
# Sum each task's CPU time and queries in the cache (paperhub/task_stats.py); the ingest benchmark reads them.
PAPERHUB_TASK_STATS = env_bool("PAPERHUB_TASK_STATS", False)
# JATS trees a worker process holds at once: conversion is CPU-bound, so under the GIL a second one at a time only
# adds its memory.
FULLTEXT_CONVERSIONS_PER_PROCESS = env_int("FULLTEXT_CONVERSIONS_PER_PROCESS", 1)
ENRICHMENT_BATCH_WAIT_SECONDS = float(env_str("ENRICHMENT_BATCH_WAIT_SECONDS", "2"))
OPENALEX_BATCH_SIZE = env_int("OPENALEX_BATCH_SIZE", 50)  # DOIs per filter=doi:a|b|… call (OpenAlex allows 100)
SUMMARY_BATCH_SIZE = env_int("SUMMARY_BATCH_SIZE", 500)  # DOIs per Semantic Scholar batch call (its limit)
NCBI_BATCH_SIZE = env_int("NCBI_BATCH_SIZE", 100)  # papers per batch; the converter takes 200 ids a call
ENTITIES_BATCH_WAIT_SECONDS = float(env_str("ENTITIES_BATCH_WAIT_SECONDS", "5"))
ENTITIES_RECHECK_NONE_DAYS = env_int("ENTITIES_RECHECK_NONE_DAYS", 14)
CELERY_BEAT_SCHEDULE["enrichments-recheck"] = {"task": "papers.tasks.enrichments_recheck", "schedule": 600.0}
CELERY_BEAT_SCHEDULE["fulltext-rerender-outdated"] = {
    "task": "fulltext.tasks.fulltext_rerender_outdated",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["videos-recheck-availability"] = {
    "task": "media_links.tasks.videos_recheck_availability",
    "schedule": 6 * 3600.0,
}
