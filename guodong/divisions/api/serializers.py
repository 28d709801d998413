from rest_framework import serializers

from guodong.divisions.models import Division


class DivisionSerializer(serializers.ModelSerializer[Division]):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Division
        fields = [
            "id",
            "code",
            "name",
            "level",
            "level_display",
            "parent",
            "pinyin_initials",
            "effective_from",
            "effective_to",
            "source",
        ]
        read_only_fields = fields
