"""Package indexes: read and write simple-index pages, pick files as pip does, keep vetted files."""
