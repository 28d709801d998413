from rest_framework import serializers

from guodong.accounts.models import User
from guodong.core.api import ScopedRelatedField
from guodong.orgs.models import Organization


class UserSerializer(serializers.ModelSerializer[User]):
    organization = ScopedRelatedField(queryset=Organization.objects.all())
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "email",
            "role",
            "organization",
            "is_active",
            "password",
        ]


class TokenRequestSerializer(serializers.Serializer[dict[str, str]]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer[dict[str, str]]):
    token = serializers.CharField()
