"""Sources: where the packages to scan come from (paths, environments)."""
