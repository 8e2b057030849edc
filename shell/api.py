"""The API endpoints of the project itself (who am I); each app has its own api.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.models import Agency, User


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "kind"]


class MeSerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "job_title", "agency", "roles"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(role.value for role in user.roles)


class MeView(APIView):
    """Who the caller is: their account, agency and roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
