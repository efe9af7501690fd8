from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from applications.api import CallViewSet
from applications.api_submissions import ApplicationViewSet
from awards.api_awards import AwardViewSet
from awards.api_decisions import (
    ApplyDecisionsView,
    DecideRestView,
    DecisionView,
    FundingView,
    FundToBudgetView,
    FundTopView,
)
from awards.api_letters import (
    CallLetterBatchesView,
    LetterBatchRetryView,
    LetterBatchView,
    LetterDownloadView,
    LetterView,
)
from core.api_auth import ApiDocsView, TokenView
from core.api_schema import SchemaView
from core.health import healthz_view
from core.views import home_view
from portfolio.api import PortfolioView, ThreeSixtyGivingView
from reviews.api.assignment import AssignmentRunViewSet, AssignmentViewSet, CallAssignmentRunsView
from reviews.api.meeting import (
    ItemCloseView,
    ItemNotesView,
    ItemScoreView,
    MeetingCloseView,
    MeetingCurrentView,
    MeetingOpenView,
    MeetingView,
)
from reviews.api.pool import BidViewSet, ConflictViewSet, InvitationViewSet, ReviewerViewSet
from reviews.api.ranking import CallRankingView, CallTriageView
from reviews.api.reviews import ReviewFormViewSet, ReviewViewSet

admin.site.site_header = "Granted administration"
admin.site.site_title = "Granted"
admin.site.index_title = "Calls, applications, review and awards"
# A database error outside a view (e.g. while rendering a 404 page) is a clean 503, like inside one.
handler500 = "core.middleware.server_error"

# No ".json" variant of every route: the API speaks JSON only, and the variants passed a ``format``
# argument that the viewsets' actions do not take (GET /api/v1/applications/1/budget.json was a 500).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("calls", CallViewSet, basename="call")
router.register("applications", ApplicationViewSet, basename="application")
router.register("reviewers", ReviewerViewSet, basename="reviewer")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("conflicts", ConflictViewSet, basename="conflict")
router.register("bids", BidViewSet, basename="bid")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("assignment-runs", AssignmentRunViewSet, basename="assignment-run")
router.register("review-forms", ReviewFormViewSet, basename="review-form")
router.register("reviews", ReviewViewSet, basename="review")
router.register("awards", AwardViewSet, basename="award")

urlpatterns = [
    path("", home_view, name="home"),
    path("healthz", healthz_view, name="healthz"),
    path("", include("applications.urls")),
    path("review/", include("reviews.urls")),
    path("awards/", include("awards.urls")),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("priorities/", include("priorities.urls")),
    path("", include("portfolio.urls")),
    path("admin/", admin.site.urls),
    path(
        "api/v1/calls/<int:call_pk>/assignment-runs/",
        CallAssignmentRunsView.as_view(),
        name="call-assignment-runs",
    ),
    path("api/v1/calls/<int:call_pk>/meeting/", MeetingView.as_view(), name="call-meeting"),
    path("api/v1/calls/<int:call_pk>/meeting/open/", MeetingOpenView.as_view(), name="call-meeting-open"),
    path("api/v1/calls/<int:call_pk>/meeting/close/", MeetingCloseView.as_view(), name="call-meeting-close"),
    path(
        "api/v1/calls/<int:call_pk>/meeting/current/",
        MeetingCurrentView.as_view(),
        name="call-meeting-current",
    ),
    path(
        "api/v1/calls/<int:call_pk>/meeting/items/<int:item_pk>/scores/",
        ItemScoreView.as_view(),
        name="call-meeting-item-scores",
    ),
    path(
        "api/v1/calls/<int:call_pk>/meeting/items/<int:item_pk>/notes/",
        ItemNotesView.as_view(),
        name="call-meeting-item-notes",
    ),
    path(
        "api/v1/calls/<int:call_pk>/meeting/items/<int:item_pk>/close/",
        ItemCloseView.as_view(),
        name="call-meeting-item-close",
    ),
    path("api/v1/calls/<int:call_pk>/ranking/", CallRankingView.as_view(), name="call-ranking"),
    path("api/v1/calls/<int:call_pk>/triage/", CallTriageView.as_view(), name="call-triage"),
    path("api/v1/calls/<int:call_pk>/funding/", FundingView.as_view(), name="call-funding"),
    path(
        "api/v1/calls/<int:call_pk>/decisions/fund-top/",
        FundTopView.as_view(),
        name="call-decisions-fund-top",
    ),
    path(
        "api/v1/calls/<int:call_pk>/decisions/fund-to-budget/",
        FundToBudgetView.as_view(),
        name="call-decisions-fund-to-budget",
    ),
    path(
        "api/v1/calls/<int:call_pk>/decisions/decide-rest/",
        DecideRestView.as_view(),
        name="call-decisions-decide-rest",
    ),
    path(
        "api/v1/calls/<int:call_pk>/decisions/apply/",
        ApplyDecisionsView.as_view(),
        name="call-decisions-apply",
    ),
    path(
        "api/v1/calls/<int:call_pk>/decisions/<int:application_pk>/",
        DecisionView.as_view(),
        name="call-decision",
    ),
    path(
        "api/v1/calls/<int:call_pk>/letter-batches/",
        CallLetterBatchesView.as_view(),
        name="call-letter-batches",
    ),
    path("api/v1/letter-batches/<int:batch_pk>/", LetterBatchView.as_view(), name="letter-batch"),
    path(
        "api/v1/letter-batches/<int:batch_pk>/retry/",
        LetterBatchRetryView.as_view(),
        name="letter-batch-retry",
    ),
    path("api/v1/letters/<int:letter_pk>/", LetterView.as_view(), name="letter"),
    path("api/v1/letters/<int:letter_pk>/download/", LetterDownloadView.as_view(), name="letter-download"),
    path("api/v1/portfolio/", PortfolioView.as_view(), name="api-portfolio"),
    path("api/v1/open-data/360giving.json", ThreeSixtyGivingView.as_view(), name="api-360giving"),
    path("api/v1/priorities/", include("priorities.api.urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
