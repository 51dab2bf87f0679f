"""The pages in English or Dutch (Flask-Babel): the user's own choice, else what the
browser asks for (Accept-Language), else English. Dates and money follow the same language.
A customer's pages follow the document's language instead (see the signing pages)."""

from __future__ import annotations

from apiflask import APIFlask
from flask import g, request
from flask_babel import Babel, get_locale

from app.config import PROJECT_ROOT

LANGUAGES = ("en", "nl")
LOCALES = {"en": "en_GB", "nl": "nl_NL"}
AUTOMATIC = "auto"
"""The top bar's choice for "no language of my own: follow my browser"."""


def select_language() -> str:
    user = g.get("user")
    if user is not None and user.language in LANGUAGES:
        return str(user.language)
    return request.accept_languages.best_match(LANGUAGES) or "en"


def page_locale() -> str:
    """The Babel locale for formatting on the current page."""
    return LOCALES.get(str(get_locale() or "en"), "en_GB")


def init_app(app: APIFlask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "app" / "translations")
    Babel(app, locale_selector=select_language)

    @app.context_processor
    def _language() -> dict[str, str]:
        user = g.get("user")
        chosen = user.language if user is not None and user.language in LANGUAGES else None
        return {
            "current_language": str(get_locale() or "en"),
            "chosen_language": chosen or AUTOMATIC,
        }
