"""Print DATABASE_URL (or the portal's default) with its user replaced by the app's role, portal_app."""

import os
from urllib.parse import urlsplit

url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pension_portal"))
host = url.hostname or "127.0.0.1"
port = f":{url.port}" if url.port else ""
print(url._replace(netloc=f"portal_app@{host}{port}").geturl())
