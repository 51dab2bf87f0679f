"""One model of a subscription contract: its term, its contract years and invoice
periods, the lines in force on each day, what each period is invoiced, and what an
amendment, an extension or a cancellation changes. Every document, view, invoicing event
and report is derived from it. Pure: facts in, figures out."""
