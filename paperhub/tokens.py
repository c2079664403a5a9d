"""API tokens: made, named and revoked by their owner on the account page."""

from django.utils import timezone

from .models import ApiToken


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Return the token row and the token itself, which is shown once and never stored."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100] or "Unnamed token", key_hash=ApiToken.hash_key(key), key_prefix=key[:10]
    )
    return token, key


def token_revoke(*, user, token_id: int) -> bool:
    return bool(
        ApiToken.objects.filter(user=user, id=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )
