"""HTTP shapes of the API, one module per capability."""

# Text stored as given (a file's name) holds no control characters: PostgreSQL refuses NUL.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"
