"""Loading a large, realistic book of business for measuring the service at scale."""
