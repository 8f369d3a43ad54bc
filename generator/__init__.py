"""Static site generator for volunteer mission boards."""

__version__ = "0.1.0"
