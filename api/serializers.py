from rest_framework import serializers


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, e.g. `required`, `invalid`.")
    message = serializers.CharField(help_text="Human-readable message.")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, returned by every endpoint for every error."""

    type = serializers.CharField(help_text="A URN identifying the problem type.")
    title = serializers.CharField(help_text="Short summary of the problem type.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(
        help_text="Explanation specific to this occurrence (at most 500 characters)."
    )
    code = serializers.CharField(help_text="Stable machine-readable code clients can act on.")


class ValidationProblemSerializer(ProblemSerializer):
    errors = serializers.DictField(
        child=FieldErrorSerializer(many=True),
        help_text="Errors per field path (`field`, `nested.field`, `items.0.field`); errors "
        "about the request as a whole are under `non_field_errors`.",
    )


class ApiRootSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    links = serializers.DictField(child=serializers.URLField())
