import pytest

from media_links.providers import InvalidVideoURL, parse_start_time, parse_video_url

YT = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("url", "provider", "video_id", "start"),
    [
        (f"https://www.youtube.com/watch?v={YT}", "youtube", YT, 0),
        (f"http://www.youtube.com/watch?v={YT}", "youtube", YT, 0),
        (f"https://youtube.com/watch?v={YT}&list=PL123&index=2", "youtube", YT, 0),
        (f"https://m.youtube.com/watch?v={YT}", "youtube", YT, 0),
        (f"www.youtube.com/watch?v={YT}", "youtube", YT, 0),
        (f"https://youtu.be/{YT}", "youtube", YT, 0),
        (f"https://youtu.be/{YT}?t=42", "youtube", YT, 42),
        (f"https://www.youtube.com/watch?v={YT}&t=1m30s", "youtube", YT, 90),
        (f"https://www.youtube.com/watch?v={YT}&t=1h2m3s", "youtube", YT, 3723),
        (f"https://www.youtube.com/watch?v={YT}#t=75", "youtube", YT, 75),
        (f"https://www.youtube.com/embed/{YT}?start=30", "youtube", YT, 30),
        (f"https://www.youtube-nocookie.com/embed/{YT}", "youtube", YT, 0),
        (f"https://www.youtube.com/shorts/{YT}", "youtube", YT, 0),
        (f"https://www.youtube.com/live/{YT}?si=abc", "youtube", YT, 0),
        ("https://vimeo.com/169850570", "vimeo", "169850570", 0),
        ("https://vimeo.com/169850570#t=65s", "vimeo", "169850570", 65),
        ("https://player.vimeo.com/video/169850570", "vimeo", "169850570", 0),
        ("https://vimeo.com/channels/staffpicks/169850570", "vimeo", "169850570", 0),
        ("https://vimeo.com/169850570/abc123def0", "vimeo", "169850570", 0),
    ],
)
def test_valid_addresses_parse_to_provider_id_and_start(url, provider, video_id, start):
    parsed = parse_video_url(url)
    assert (parsed.provider.name, parsed.video_id, parsed.start_seconds) == (provider, video_id, start)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Paste the address"),
        (f"https://youtube.com.evil.example/watch?v={YT}", "youtube.com.evil.example are not accepted"),
        (f"https://youtube.com@evil.example/watch?v={YT}", "hides its real host"),
        (f"https://evilyoutube.com/watch?v={YT}", "evilyoutube.com are not accepted"),
        (f"https://www.youtube.com.evil.example/watch?v={YT}", "are not accepted"),
        (f"https://142.250.74.78/watch?v={YT}", "142.250.74.78 are not accepted"),
        (f"https://[2a00:1450:4001::200e]/watch?v={YT}", "are not accepted"),
        (f"https://www.youtube.com:8443/watch?v={YT}", "do not name a port"),
        ("javascript:alert(1)", "not javascript: addresses"),
        ("data:text/html,<script>alert(1)</script>", "not data: addresses"),
        ("JAVASCRIPT:alert(document.domain)//www.youtube.com", "not javascript: addresses"),
        (f"ftp://www.youtube.com/watch?v={YT}", "not ftp: addresses"),
        ("https://www.youtube.com/watch?v=" + "a" * 600, "characters long"),
        ("https://www.yоutube.com/watch?v=dQw4w9WgXcQ", "spaces or characters"),  # Cyrillic о
        ("https://www.youtube.com/watch?v=short", "does not point at a video"),
        ("https://www.youtube.com/channel/UC123", "does not point at a video"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ<script>", "does not point at a video"),
        ("https://vimeo.com/about", "does not point at a video"),
        ("https://example.com/video.mp4", "example.com are not accepted"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=soon", "is not a start time"),
    ],
)
def test_anything_else_is_refused_with_a_clear_message(url, message):
    with pytest.raises(InvalidVideoURL, match=message.replace("(", r"\(").replace("?", r"\?")):
        parse_video_url(url)


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("90s", 90), ("1:30", 90), ("1:02:03", 3723), ("2m", 120)])
def test_start_times(text, seconds):
    assert parse_start_time(text) == seconds


def test_player_urls_are_the_privacy_enhanced_ones():
    youtube = parse_video_url(f"https://youtu.be/{YT}?t=42")
    assert youtube.provider.embed(youtube.video_id, 42).startswith(
        f"https://www.youtube-nocookie.com/embed/{YT}?start=42"
    )
    vimeo = parse_video_url("https://vimeo.com/169850570")
    assert "dnt=1" in vimeo.provider.embed(vimeo.video_id)
    assert youtube.canonical_url == f"https://www.youtube.com/watch?v={YT}"
