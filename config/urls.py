from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from applications.api import CallViewSet
from applications.api_submissions import ApplicationViewSet
from core.health import healthz_view
from core.views import home_view
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

router = DefaultRouter()
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

urlpatterns = [
    path("", home_view, name="home"),
    path("healthz", healthz_view, name="healthz"),
    path("", include("applications.urls")),
    path("review/", include("reviews.urls")),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
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
    path("api/v1/", include(router.urls)),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
