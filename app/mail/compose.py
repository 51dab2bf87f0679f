"""The words of each message: one Jinja template per kind gives the subject, the plain-text
part and the HTML part, in the recipient's language (the pages' catalogues, EN/NL/ZH).

The same template is rendered twice, once by an environment that escapes for HTML and once
by one that does not; `html` tells the few layout macros which form to write. No images,
no tracking: links are plain absolute links built on the configured public URL.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.config import PROJECT_ROOT

LANGUAGES = ("en", "nl", "zh")
TRANSLATIONS = PROJECT_ROOT / "app" / "translations"


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str
    language: str


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "en"


@functools.lru_cache(maxsize=4)
def _translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [language])


@functools.lru_cache(maxsize=8)
def _environment(language: str, html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("app.mail", "templates"),
        autoescape=select_autoescape(default=html, default_for_string=html),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(_translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["html"] = html
    return env


def compose(kind: str, language: str, context: dict[str, Any]) -> Composed:
    language = language_of(language)
    text_template = _environment(language, False).get_template(f"{kind}.jinja")
    subject = "".join(text_template.blocks["subject"](text_template.new_context(context))).strip()
    return Composed(
        subject=" ".join(subject.split()),
        text=re.sub(r"\n{3,}", "\n\n", text_template.render(context)).strip() + "\n",
        html=_environment(language, True).get_template(f"{kind}.jinja").render(context),
        language=language,
    )


def translated(language: str, msgid: str, **params: Any) -> str:
    """One sentence from the catalogues in the language (for the notices' headlines)."""
    return _translations(language_of(language)).gettext(msgid) % params
