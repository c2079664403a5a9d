"""Security headers on every page kind; HSTS once the site is served over HTTPS."""

import pytest

from tests.manage import last_lines, run_manage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/api/v1/papers/", "/healthz", "/accounts/login/"])
def test_headers_on_every_kind_of_page(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_hsts_and_https_redirect_in_production_settings():
    """A subprocess with the production switches on: HTTP redirects to HTTPS, HTTPS answers carry HSTS."""
    script = (
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='paperhub.example')\n"
        "r = c.get('/robots.txt')\n"
        "print(r.status_code, r.get('Location'))\n"
        "r = c.get('/robots.txt', secure=True)\n"
        "print(r.status_code, r.get('Strict-Transport-Security'))\n"
    )
    env = {
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "paperhub.example",
        "SECURE_SSL_REDIRECT": "true",
    }
    result = run_manage("shell", "-c", script, env=env)
    lines = last_lines(result, 2)
    assert lines[0] == "301 https://paperhub.example/robots.txt", result.stdout + result.stderr
    assert lines[1] == "200 max-age=31536000; includeSubDomains; preload", result.stdout + result.stderr
