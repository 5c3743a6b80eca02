"""What recording announces to the capabilities above it. They connect in CertificationConfig.ready(), so
recording never imports them (visits, for one, records certifications at the door)."""

from django.dispatch import Signal

# Sent inside the recording transaction, after a certification that counts: `certification`, `actor`.
# A receiver that raises rolls the whole record back.
certification_counted = Signal()
