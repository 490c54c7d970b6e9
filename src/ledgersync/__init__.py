"""ledgersync: push job-system documents into accounting packages, and say why not."""

__version__ = "0.1.0"
