"""The periods a document states, as the API shows them: the subscription period a quote
prices or a licence's term, and the invoice periods."""

from __future__ import annotations

from typing import Any

from app.documents.models import Document


def subscription_period(doc: Document) -> dict[str, str] | None:
    """The subscription period a quote prices, or a licence's term; none for other kinds
    (and quotes made before quotes kept it)."""
    if doc.kind == "quote":
        kept: dict[str, str] | None = doc.totals.get("subscription")
        return kept
    years = doc.totals.get("years") or []
    if doc.kind == "licence" and years:
        return {"start": years[0]["starts"], "end": years[-1].get("ends") or years[-1]["starts"]}
    return None


def invoice_periods(doc: Document) -> list[dict[str, Any]]:
    """A licence's invoice periods; a quote's one, its subscription period, invoiced once
    in advance."""
    totals = doc.totals
    if doc.kind == "quote" and totals.get("subscription"):
        period = totals["subscription"]
        return [
            {
                "number": 1,
                "start": period["start"],
                "end": period["end"],
                "invoice_on": period["start"],
                **{k: totals[k] for k in ("net", "tax", "total")},
            }
        ]
    return [
        {
            "number": year["year"],
            "start": year["starts"],
            "end": year.get("ends") or year["starts"],
            "invoice_on": year.get("invoice_on") or year["starts"],
            "net": year.get("net") or year["subtotal"],
            "tax": year["tax"],
            "total": year["total"],
        }
        for year in totals.get("years", [])
    ]
