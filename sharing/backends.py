from typing import Any

from django.contrib.auth.backends import ModelBackend


class AgencyAwareModelBackend(ModelBackend):
    """Django's backend, loading the signed-in user with their agency in one query per request
    (every page shows the agency in its header)."""

    def get_user(self, user_id: Any) -> Any:
        user = self._user_class().objects.select_related("agency").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _user_class() -> Any:
        from django.contrib.auth import get_user_model

        return get_user_model()
