"""HTTP shapes of the API, one module per capability."""
