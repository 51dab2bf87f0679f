"""The interactive API documentation at /api/docs: Swagger UI 5 (OpenAPI 3.1), its files
served by the service itself from the `flask-swagger-ui` package, so that it works on
networks without a CDN. The page is our own template, with no inline script or style, so it
works under the same Content-Security-Policy as every other page."""

from __future__ import annotations

from importlib.resources import files

from apiflask import APIFlask
from flask import Blueprint, render_template

ASSETS = "/api/docs/assets"

bp = Blueprint(
    "api_docs_assets",
    __name__,
    static_folder=str(files("flask_swagger_ui") / "dist"),
    static_url_path=ASSETS,
)


def init_app(app: APIFlask) -> None:
    app.config.update(
        SWAGGER_UI_CSS=f"{ASSETS}/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS=f"{ASSETS}/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS=f"{ASSETS}/swagger-ui-standalone-preset.js",
        DOCS_FAVICON=f"{ASSETS}/favicon-32x32.png",
        SWAGGER_UI_CONFIG={"persistAuthorization": True, "tryItOutEnabled": False},
    )
    app.register_blueprint(bp)
    app.view_functions["openapi.docs"] = lambda: render_template(
        "api_docs.html", title=app.title, version=app.version
    )
