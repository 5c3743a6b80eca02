"""File imports, the platform part: upload screen, background job, readers for CSV/XLSX, the rejects file.

Each importer (the roster, the comparison feed) registers itself in its AppConfig.ready() with
`portal.contracts.register_importer`; this package runs whatever is registered."""
