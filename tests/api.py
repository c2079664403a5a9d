"""What API tests share: a client holding a user's token, and the one error shape every error has."""

from rest_framework.test import APIClient

from paperhub.tokens import token_create


def token_client(user) -> APIClient:
    client = APIClient()
    _, key = token_create(user=user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def assert_error(response, status: int, code: str) -> dict:
    """The response is the API's error shape with this status and code; returns its `error` object."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and error["code"] == code and error["message"]
    return error
