"""Uploads read in bounded work: every limit (`limits`), a zip's central directory checked
before anything inflates (`zips`), XML parts scanned as a stream before a library loads
them (`xml_scan`, `ooxml`), and delimited text read with any line ending (`delimited`)."""
