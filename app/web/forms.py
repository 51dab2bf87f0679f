"""A document form generated from a template's data schema (JSON Schema from the kind's
model), and the form's fields read back into data of the same shape.

Field names are the data's paths joined by dots (`term.start`, `lines.2.sku`), so an
error's JSON pointer (`/data/lines/2/sku`) names its field directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import get_locale, gettext
from werkzeug.datastructures import MultiDict

from app.assembly.schemas import DocumentData

EMPTY_ROWS = 2
"""Blank rows offered under a list's filled ones (the page has no script to add rows)."""

SKIPPED = frozenset({"clause_positions"})
"""Fields the form leaves to the API: playbook positions are chosen with legal."""


@dataclass
class FormField:
    name: str
    label: str
    widget: str  # text, textarea, integer, decimal, date, checkbox, select, group, rows
    required: bool = False
    help: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[FormField] = field(default_factory=list)
    rows: int = 0
    default: Any = None


def _resolve(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return _resolve(definitions[ref.rsplit("/", 1)[-1]], definitions)
    options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1 and "type" not in schema:
        return {**schema, **_resolve(options[0], definitions)}
    return schema


def _english_label(name: str, schema: dict[str, Any]) -> str:
    return str(schema.get("title") or name.replace("_", " ").capitalize())


def _label(name: str, schema: dict[str, Any]) -> str:
    return gettext(_english_label(name, schema))


def _help(schema: dict[str, Any]) -> str:
    description = str(schema.get("description", ""))
    return gettext(description) if description else ""


def _widget(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if kind == "boolean":
        return "checkbox"
    if kind == "integer":
        return "integer"
    if schema.get("format") == "date":
        return "date"
    if "pattern" in schema and "\\d" in schema["pattern"]:
        return "decimal"
    if schema.get("maxLength", 0) > 500:
        return "textarea"
    return "text"


def build_fields(
    schema: dict[str, Any],
    *,
    values: dict[str, Any],
    choices: dict[str, list[tuple[str, str]]],
    prefix: str = "",
    definitions: dict[str, Any] | None = None,
) -> list[FormField]:
    """The fields of an object schema, in the model's order. `choices` gives the options
    for fields that pick from the service's records (the account), by field name."""
    definitions = schema.get("$defs", {}) if definitions is None else definitions
    required = set(schema.get("required", []))
    fields = []
    for name, raw in schema.get("properties", {}).items():
        if not prefix and name in SKIPPED:
            continue
        path = f"{prefix}{name}"
        spec = _resolve(raw, definitions)
        if raw.get("form") is False or spec.get("form") is False:
            continue  # comes with a file, not typed (see FILE_ONLY in the schemas)
        label, help_text = _label(name, spec), _help(spec)
        if path in choices:
            fields.append(
                FormField(
                    path,
                    label,
                    "select",
                    name in required,
                    "",
                    choices[path],
                    default=spec.get("default"),
                )
            )
        elif spec.get("type") == "object" and "properties" in spec:
            children = build_fields(
                spec, values=values, choices=choices, prefix=f"{path}.", definitions=definitions
            )
            fields.append(
                FormField(path, label, "group", name in required, help_text, [], children)
            )
        elif spec.get("type") == "array":
            item = _resolve(spec["items"], definitions)
            filled = len(values.get(path, []) or [])
            count = filled + EMPTY_ROWS
            columns = build_fields(
                item, values={}, choices={}, prefix=f"{path}.#.", definitions=definitions
            )
            fields.append(
                FormField(path, label, "rows", name in required, help_text, [], columns, count)
            )
        elif "enum" in spec:
            options = [(str(v), _choice_label(spec, v)) for v in spec["enum"]]
            fields.append(
                FormField(
                    path,
                    label,
                    "select",
                    name in required,
                    help_text,
                    options,
                    default=spec.get("default"),
                )
            )
        else:
            fields.append(
                FormField(
                    path,
                    label,
                    _widget(spec),
                    name in required,
                    help_text,
                    default=spec.get("default"),
                )
            )
    return fields


def _choice_label(spec: dict[str, Any], value: object) -> str:
    """An option as the user reads it: an ISO code with its name in the page's language
    (from the locale data, not the catalogue), any other choice through the catalogue."""
    if spec.get("x-iso") in ("country", "currency"):
        locale = get_locale()
        names = locale.territories if spec["x-iso"] == "country" else locale.currencies
        name = names.get(str(value)) if locale is not None else None
        return f"{value} – {name}" if name else str(value)
    return gettext(_option_label(value))


def _option_label(value: object) -> str:
    """A choice's English label: `calendar-years` -> "Calendar years"."""
    return str(value).replace("-", " ").replace("_", " ").capitalize()


def _blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    return value in ("", None, False)


def read_form(form: MultiDict[str, str], fields: list[FormField]) -> dict[str, Any]:
    """The data a form describes: empty optional fields and blank rows left out."""
    data: dict[str, Any] = {}

    def read(items: list[FormField], prefix: str, target: dict[str, Any]) -> None:
        for item in items:
            key = item.name.removeprefix(prefix).rsplit(".", 1)[-1]
            full = prefix + key
            if item.widget == "group":
                group: dict[str, Any] = {}
                read(item.children, f"{full}.", group)
                if not _blank(group) or item.required:
                    target[key] = group
            elif item.widget == "rows":
                depth = full.count(".") + 1
                indices = sorted(
                    {
                        int(name.split(".")[depth])
                        for name in form
                        if name.startswith(f"{full}.") and name.split(".")[depth].isdigit()
                    }
                )
                rows = []
                for index in indices:
                    row: dict[str, Any] = {}
                    columns = [
                        FormField(c.name.replace("#", str(index)), c.label, c.widget, c.required)
                        for c in item.children
                    ]
                    read(columns, f"{full}.{index}.", row)
                    if not _blank(row):
                        rows.append(row)
                target[key] = rows
            elif item.widget == "checkbox":
                target[key] = form.get(full) == "yes"
            else:
                value = form.get(full, "").strip()
                if value == "":
                    continue
                target[key] = int(value) if item.widget == "integer" and value.isdigit() else value

    read(fields, "", data)
    return data


def field_name(pointer: str) -> str:
    """`/data/lines/2/sku` -> `lines.2.sku`."""
    return pointer.removeprefix("/data").strip("/").replace("/", ".") or "form"


def label_of(fields: list[FormField], name: str) -> str:
    """The label of the field named (`term.start`, `lines.2.sku`) as the page shows it;
    a row's field says its row: "Lines 3: Product"."""
    for item in fields:
        if item.name == name:
            return item.label
        if item.widget == "group" and name.startswith(f"{item.name}."):
            return label_of(item.children, name)
        if item.widget == "rows" and name.startswith(f"{item.name}."):
            index, _, column = name.removeprefix(f"{item.name}.").partition(".")
            if not index.isdigit():
                break
            columns = {c.name.rsplit(".", 1)[-1]: c.label for c in item.children}
            row = f"{item.label} {int(index) + 1}"
            return f"{row}: {columns[column]}" if column in columns else row
    return name


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Data as field values by field name, to fill a form in again."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    if isinstance(data, list) and data and isinstance(data[0], dict):
        out = {prefix.rstrip("."): data}
        for index, value in enumerate(data):
            out.update(flatten(value, f"{prefix}{index}."))
        return out
    return {prefix.rstrip("."): data}


def _texts(schema: dict[str, Any], definitions: dict[str, Any]) -> Iterator[str]:
    for name, raw in schema.get("properties", {}).items():
        if name in SKIPPED:
            continue
        spec = _resolve(raw, definitions)
        yield _english_label(name, spec)
        if spec.get("description"):
            yield str(spec["description"])
        if spec.get("form") is not False and raw.get("form") is not False and "x-iso" not in spec:
            yield from (_option_label(v) for v in spec.get("enum", []))
        if spec.get("type") == "array":
            yield from _texts(_resolve(spec["items"], definitions), definitions)
        elif spec.get("type") == "object":
            yield from _texts(spec, definitions)


def extract_labels(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extractor (see babel.cfg): the labels and help texts of the generated forms
    come from the document data models, not from literals, so they are collected here for
    the catalogue."""
    seen: set[str] = set()
    models, index = [DocumentData], 0
    while index < len(models):
        models += models[index].__subclasses__()
        index += 1
    for model in models[1:]:
        schema = model.model_json_schema()
        for text in _texts(schema, schema.get("$defs", {})):
            if text not in seen:
                seen.add(text)
                yield 1, "gettext", text, []
