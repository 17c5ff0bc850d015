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


def tagged_union(component_name: str, branches: dict, *, field: str, **kwargs):
    """A documented union (``oneOf``) whose branches each accept only their own tag values.

    Without that, a branch with fewer required fields also matches another branch's objects
    (a numeric question is a valid true/false question), and ``oneOf`` requires exactly one
    match, so valid responses fail validation in every client that checks them.
    """
    from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field

    values_of: dict[type, list[str]] = {}
    for value, serializer in branches.items():
        values_of.setdefault(serializer, []).append(value)
    tagged: dict[type, type] = {}
    for serializer, values in values_of.items():
        base_field = serializer._declared_fields[field]
        tag_field = extend_schema_field({"type": "string", "enum": values})(
            type(f"{serializer.__name__}Tag", (serializers.CharField,), {})
        )
        tagged[serializer] = type(
            serializer.__name__,
            (serializer,),
            {field: tag_field(help_text=base_field.help_text), "__module__": serializer.__module__},
        )
    return PolymorphicProxySerializer(
        component_name=component_name,
        serializers={value: tagged[serializer] for value, serializer in branches.items()},
        resource_type_field_name=field,
        **kwargs,
    )
