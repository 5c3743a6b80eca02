"""The portal plus the stock Django admin, for the side-by-side search in bench_city.py (never deployed).

    gunicorn city_admin:application --pythonpath bench     (bench_city.py starts it on port 8111)

The admin's Pensioner changelist is what a team would get out of the box: search_fields on the name, the
ID number and the phone, Django's default paginator (an exact count), the default ordering.
"""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "city_admin_settings"

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
