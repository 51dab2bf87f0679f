"""`python -m app.cli`, as `contractdesk`."""

from app.cli.main import main

main()
