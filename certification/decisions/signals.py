"""What decisions announce to the capabilities above them (connected in CertificationConfig.ready())."""

from django.dispatch import Signal

# Sent after the commit of a batch's approval or rejection: `batch`. Receivers cannot undo the decision.
batch_decided = Signal()
