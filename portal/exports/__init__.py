"""Exports, the platform part: CSV/XLSX files of any table, and the background job for long ones."""
