"""depvet as a service: the index proxy."""
