"""The data classes that are not dataclasses, as discovery tells them:
pydantic models (pydantic is not imported here), NamedTuples and TypedDicts.

Loaded by the gateway as the module `_graft_records`, before `types.py`.
"""

import typing


def is_pydantic_model(cls):
    """A pydantic `BaseModel` subclass, told by its bases' modules (pydantic is not imported here)."""
    return any(
        base.__name__ == "BaseModel" and (base.__module__ or "").split(".")[0] == "pydantic" for base in cls.__mro__
    )


def is_named_tuple(cls):
    return issubclass(cls, tuple) and isinstance(getattr(cls, "_fields", None), tuple)


def is_typed_dict(cls):
    return issubclass(cls, dict) and hasattr(cls, "__required_keys__") and hasattr(cls, "__total__")


def required_keys(cls):
    """A TypedDict's required keys; `NotRequired[...]` and `Required[...]` read
    from the annotations too (a string annotation hides them from `__required_keys__`)."""
    required = set(cls.__required_keys__)
    try:
        extras = typing.get_type_hints(cls, include_extras=True)
    except Exception:  # noqa: BLE001 - then the class's own account
        return required
    for name, hint in extras.items():
        origin = typing.get_origin(hint)
        if origin is getattr(typing, "NotRequired", None):
            required.discard(name)
        elif origin is getattr(typing, "Required", None):
            required.add(name)
    return required


# JSON Schema keywords of a pydantic field's checks (`gt=0`, `min_length=1`...), kept for OpenAPI.
CONSTRAINTS = frozenset({
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
})


def model_properties(cls):
    """A pydantic model's JSON schema properties by field name, or {} when it has none."""
    try:
        return cls.model_json_schema(by_alias=False).get("properties", {})
    except Exception:  # noqa: BLE001 - a model pydantic cannot describe: no constraints known
        return {}
