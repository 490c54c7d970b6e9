"""QuickBooks Online connector."""
