"""The chair's pages: the funding scenario on the ranked list, applying decisions, letter progress."""

from django.urls import path

from awards.views import chair

urlpatterns = [
    path("calls/<slug:slug>/decisions/", chair.funding_view, name="funding"),
    path("calls/<slug:slug>/decisions/fund-top/", chair.fund_top_view, name="funding_fund_top"),
    path("calls/<slug:slug>/decisions/fund-down/", chair.fund_down_view, name="funding_fund_down"),
    path("calls/<slug:slug>/decisions/rest/", chair.decide_rest_view, name="funding_decide_rest"),
    path("calls/<slug:slug>/decisions/apply/", chair.apply_view, name="funding_apply"),
    path("calls/<slug:slug>/decisions/<int:pk>/", chair.funding_row_view, name="funding_row"),
    path("calls/<slug:slug>/decisions/<int:pk>/set/", chair.decision_set_view, name="funding_decide"),
    path("calls/<slug:slug>/decisions/<int:pk>/clear/", chair.decision_clear_view, name="funding_clear"),
    path("calls/<slug:slug>/letters/", chair.letters_view, name="letters"),
    path("calls/<slug:slug>/letters/regenerate/", chair.letters_regenerate_view, name="letters_regenerate"),
    path("batches/<int:pk>/", chair.batch_view, name="batch"),
    path("batches/<int:pk>/progress/", chair.batch_progress_view, name="batch_progress"),
    path("batches/<int:pk>/retry/", chair.batch_retry_view, name="batch_retry"),
]
