"""A renewal keeps its pipeline figures beside its record: priced whenever it is written,
so that the renewal pipeline adds stored values up instead of pricing every renewal."""

from __future__ import annotations

from app.assembly.subscription.renewal_values import stored_values
from app.documents.models import RENEWAL, Document


def store_renewal_figures(document: Document) -> None:
    """Price a renewal's first year and whole term from its record (others keep None)."""
    if document.relation != RENEWAL:
        return
    values = stored_values(document.data, document.totals)
    document.renewal_starts_on = values.starts_on
    document.renewal_net_annual = values.net_annual
    document.renewal_net_term = values.net_term
