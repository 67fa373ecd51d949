"""Tools of the claims agent: claim input (JSON, X12 837P), code tables, the rules and the denial-risk model."""
