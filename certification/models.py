"""Every certification model, re-exported from its capability package.

The app label stays `certification`, so tables and migrations do not move; `makemigrations --check` in
`make test` proves the models here are exactly the ones the migrations describe. Import models from here.
"""

from certification.api.models import (  # noqa: F401
    ChannelClient,
    ChannelRecord,
    RecordStatus,
    ReviewStatus,
)
from certification.comparison.models import (  # noqa: F401
    DataSource,
    SupportingEvidence,
)
from certification.decisions.models import (  # noqa: F401
    DeadlineExtension,
    DeathCase,
    DeathCaseOrigin,
    DeathCaseStatus,
    DecisionBatch,
    DecisionKind,
    DecisionStatus,
    ExtendedDeadline,
    PaymentDecision,
    PaymentDecisionQuerySet,
    PaymentFile,
    SuspensionExclusion,
)
from certification.queues.models import (  # noqa: F401
    FAILED_CONTACT_OUTCOMES,
    ContactAttempt,
    ContactKind,
    ContactOutcome,
)
from certification.recording.models import (  # noqa: F401
    EXTERNAL_CHANNELS,
    Certification,
    CertificationQuerySet,
    Channel,
    EvidenceFile,
    EvidenceFileQuerySet,
    Outcome,
)
from certification.reminders.models import (  # noqa: F401
    JobRun,
    MessageStage,
    MessageStatus,
    MessageTemplate,
    OutboxMessage,
    SendAttempt,
    SkipReason,
)
from certification.reports.models import (  # noqa: F401
    ReportSnapshot,
)
from certification.visits.models import (  # noqa: F401
    OPEN_VISIT_STATUSES,
    HomeVisit,
    HomeVisitQuerySet,
    VisitOutcome,
    VisitReason,
    VisitSource,
    VisitStatus,
    VisitTeam,
    VisitTeamQuerySet,
)
