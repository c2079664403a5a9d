"""Video URLs parsed strictly into (provider, video id, start time). Pure: no network, no database.

Only hosts on the allow-list are accepted, matched exactly; the site builds every URL it later uses
(canonical page, oEmbed query, player) from the provider and id, never from what the user typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

MAX_URL_LENGTH = 500


class InvalidVideoURL(ValueError):
    """Not a video PaperHub can link; the message says why."""


@dataclass(frozen=True)
class Provider:
    name: str  # key stored on the video
    label: str
    hosts: tuple[str, ...]
    id_pattern: str
    canonical_url: str  # with {id}
    embed_url: str  # with {id} and {start}
    oembed_setting: str  # the settings name of its oEmbed endpoint

    def canonical(self, video_id: str) -> str:
        return self.canonical_url.format(id=video_id)

    def embed(self, video_id: str, start: int = 0) -> str:
        return self.embed_url.format(id=video_id, start=start)

    @property
    def oembed_endpoint(self) -> str:
        return getattr(settings, self.oembed_setting, "") or ""


@dataclass(frozen=True)
class ParsedVideo:
    provider: Provider
    video_id: str
    start_seconds: int = 0

    @property
    def canonical_url(self) -> str:
        return self.provider.canonical(self.video_id)


YOUTUBE = Provider(
    name="youtube",
    label="YouTube",
    hosts=(
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtu.be",
        "www.youtube-nocookie.com",
        "youtube-nocookie.com",
    ),
    id_pattern=r"[A-Za-z0-9_-]{11}",
    canonical_url="https://www.youtube.com/watch?v={id}",
    # The privacy-enhanced player: no cookies until the visitor plays the video.
    embed_url="https://www.youtube-nocookie.com/embed/{id}?start={start}&autoplay=1&rel=0",
    oembed_setting="YOUTUBE_OEMBED_URL",
)
VIMEO = Provider(
    name="vimeo",
    label="Vimeo",
    hosts=("vimeo.com", "www.vimeo.com", "player.vimeo.com"),
    id_pattern=r"\d{1,12}",
    canonical_url="https://vimeo.com/{id}",
    # dnt=1: Vimeo's player sets no tracking cookies.
    embed_url="https://player.vimeo.com/video/{id}?dnt=1&autoplay=1#t={start}s",
    oembed_setting="VIMEO_OEMBED_URL",
)


def providers() -> list[Provider]:
    """The built-in providers plus those added in settings.VIDEO_EXTRA_PROVIDERS."""
    extra = [Provider(**entry) for entry in getattr(settings, "VIDEO_EXTRA_PROVIDERS", [])]
    return [YOUTUBE, VIMEO, *extra]


def provider_named(name: str) -> Provider | None:
    return next((p for p in providers() if p.name == name), None)


def embed_hosts() -> list[str]:
    """Origins the player iframes come from, for the Content-Security-Policy's frame-src."""
    return sorted({f"https://{urlsplit(p.embed_url).hostname}" for p in providers()})


def parse_video_url(text: str) -> ParsedVideo:
    value = (text or "").strip()
    if not value:
        raise InvalidVideoURL("Paste the address of the video.")
    if len(value) > MAX_URL_LENGTH:
        raise InvalidVideoURL(f"That address is {len(value):,} characters long; video addresses are far shorter.")
    if any(ord(ch) < 33 or ord(ch) > 126 for ch in value):
        raise InvalidVideoURL("The address contains spaces or characters that no YouTube or Vimeo address has.")
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):(?!\d)", value)  # "javascript:…", not "host:8443"
    if "://" not in value and scheme:
        value = f"{scheme.group(1)}://{value[scheme.end() :]}"
    parts = urlsplit(value if "://" in value else f"https://{value}")
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidVideoURL(f"Only web addresses (https://…) are accepted, not {parts.scheme}: addresses.")
    if parts.username or parts.password or "@" in parts.netloc:
        raise InvalidVideoURL("The address hides its real host behind an “@”; paste the video's own address.")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None:
        raise InvalidVideoURL("Video addresses do not name a port.")
    host = (parts.hostname or "").lower()
    provider = next((p for p in providers() if host in p.hosts), None)
    if provider is None:
        names = ", ".join(p.label for p in providers())
        raise InvalidVideoURL(f"Videos from {host or 'that address'} are not accepted; PaperHub links {names} videos.")
    video_id = _video_id(provider, parts)
    if not video_id or not re.fullmatch(provider.id_pattern, video_id):
        raise InvalidVideoURL(f"This {provider.label} address does not point at a video.")
    return ParsedVideo(provider, video_id, _start_seconds(parts))


def _video_id(provider: Provider, parts) -> str:
    path = parts.path.rstrip("/")
    query = parse_qs(parts.query)
    if provider is YOUTUBE:
        if parts.hostname.lower() == "youtu.be":
            return path.lstrip("/")
        if path == "/watch":
            return (query.get("v") or [""])[0]
        match = re.fullmatch(r"/(?:embed|shorts|live|v)/([^/]+)", path)
        return match.group(1) if match else ""
    if provider is VIMEO:
        match = re.fullmatch(r"/(?:video/)?(\d+)(?:/[0-9a-f]+)?", path) or re.fullmatch(r"/channels/[\w-]+/(\d+)", path)
        return match.group(1) if match else ""
    match = re.search(provider.id_pattern, path)
    return match.group(0) if match else ""


def _start_seconds(parts) -> int:
    query = parse_qs(parts.query)
    raw = (query.get("t") or query.get("start") or [""])[0]
    if not raw and parts.fragment.startswith("t="):
        raw = parts.fragment[2:]
    return parse_start_time(raw) if raw else 0


def parse_start_time(text: str) -> int:
    """90, 90s, 1m30s, 1h2m3s or 1:30 / 1:02:03 to seconds; InvalidVideoURL when it is none of these."""
    value = (text or "").strip().lower()
    if not value:
        return 0
    if re.fullmatch(r"\d{1,6}s?", value):
        return int(value.rstrip("s"))
    if (match := re.fullmatch(r"(?:(\d{1,2})h)?(?:(\d{1,3})m)?(?:(\d{1,5})s)?", value)) and any(match.groups()):
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    if re.fullmatch(r"\d{1,2}(:\d{1,2}){1,2}", value):
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return total
    raise InvalidVideoURL(f"“{text[:20]}” is not a start time; write it as 90, 1:30 or 1m30s.")
