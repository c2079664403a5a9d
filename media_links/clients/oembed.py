"""oEmbed (https://oembed.com/): what a provider says about a video, asked with the canonical URL we built."""

from __future__ import annotations

from dataclasses import dataclass

from paperhub import http

from ..providers import ParsedVideo


@dataclass
class VideoInfo:
    title: str
    channel: str
    channel_url: str
    duration_seconds: int | None


def fetch_video_info(video: ParsedVideo) -> VideoInfo:
    """Raises UpstreamNotFound for private or removed videos (the providers answer 401, 403 or 404)."""
    endpoint = video.provider.oembed_endpoint
    if not endpoint:
        raise http.UpstreamBadResponse(video.provider.label, "no oEmbed endpoint is configured")
    response = http.get_json(
        video.provider.label,
        endpoint,
        params={"url": video.canonical_url, "format": "json"},
        follow_redirects=False,
        not_found_statuses=(401, 403, 404, 410),
    )
    data = response.data if isinstance(response.data, dict) else {}
    if not data.get("title"):
        raise http.UpstreamBadResponse(video.provider.label, "the oEmbed answer has no title")
    duration = data.get("duration")
    return VideoInfo(
        title=str(data["title"])[:300],
        channel=str(data.get("author_name") or "")[:200],
        channel_url=str(data.get("author_url") or "")[:500]
        if str(data.get("author_url", "")).startswith("https://")
        else "",
        duration_seconds=int(duration) if isinstance(duration, int | float) and duration >= 0 else None,
    )
