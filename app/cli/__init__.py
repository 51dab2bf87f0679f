"""`contractdesk`, the command line: an entry point like the web app, so it lives apart
from the capabilities it drives (`main` holds the top-level commands)."""

from app.cli.main import main

__all__ = ["main"]
