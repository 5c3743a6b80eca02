"""Data comparison: data sources, the feed importer, supporting evidence."""
