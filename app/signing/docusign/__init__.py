"""DocuSign as the signature provider, through the official `docusign-esign` SDK."""
