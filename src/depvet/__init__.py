"""depvet: vet Python dependencies without running them."""

__version__ = "0.1.0"
