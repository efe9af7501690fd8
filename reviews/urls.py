from django.urls import path

from reviews.views import assignment, chair, meeting, ranking, reviewer, workspace

app_name = "reviews"
urlpatterns = [
    # Reviewers
    path("", reviewer.reviewing_home_view, name="home"),
    path("profile/", reviewer.profile_view, name="profile"),
    path("invitations/<int:pk>/accept/", reviewer.invitation_accept_view, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", reviewer.invitation_decline_view, name="invitation_decline"),
    path("calls/<slug:slug>/bids/", reviewer.bid_list_view, name="bids"),
    path("calls/<slug:slug>/bids/<int:pk>/", reviewer.bid_save_view, name="bid_save"),
    path(
        "calls/<slug:slug>/bids/<int:pk>/conflict/", reviewer.conflict_declare_view, name="conflict_declare"
    ),
    path("assignments/", reviewer.my_assignments_view, name="my_assignments"),
    path("assignments/<int:assignment_id>/", workspace.workspace_view, name="workspace"),
    path(
        "assignments/<int:assignment_id>/save/", workspace.workspace_autosave_view, name="workspace_autosave"
    ),
    path(
        "assignments/<int:assignment_id>/decline/",
        workspace.workspace_decline_view,
        name="workspace_decline",
    ),
    path(
        "assignments/<int:assignment_id>/conflict/",
        workspace.workspace_conflict_view,
        name="workspace_conflict",
    ),
    path("conflicts/", reviewer.my_conflicts_view, name="my_conflicts"),
    # Staff and chairs
    path("manage/", chair.manage_index_view, name="manage"),
    path("calls/<slug:slug>/pool/", chair.pool_view, name="pool"),
    path("calls/<slug:slug>/pool/invite/", chair.pool_invite_view, name="pool_invite"),
    path("calls/<slug:slug>/conflicts/", chair.conflicts_view, name="conflicts"),
    path("calls/<slug:slug>/conflicts/detect/", chair.conflicts_detect_view, name="conflicts_detect"),
    path("calls/<slug:slug>/conflicts/set/", chair.conflict_set_view, name="conflict_set"),
    path("calls/<slug:slug>/conflicts/<int:pk>/lift/", chair.conflict_lift_view, name="conflict_lift"),
    path("calls/<slug:slug>/assignment/", assignment.assignment_view, name="assignment"),
    path("calls/<slug:slug>/assignment/start/", assignment.run_start_view, name="run_start"),
    path("runs/<int:pk>/", assignment.run_detail_view, name="run"),
    path("runs/<int:pk>/progress/", assignment.run_progress_view, name="run_progress"),
    path("runs/<int:pk>/add/", assignment.run_add_view, name="run_add"),
    path("runs/<int:pk>/publish/", assignment.run_publish_view, name="run_publish"),
    path(
        "runs/<int:pk>/assignments/<int:assignment_pk>/remove/", assignment.run_remove_view, name="run_remove"
    ),
    path("runs/<int:pk>/assignments/<int:assignment_pk>/swap/", assignment.run_swap_view, name="run_swap"),
    path("runs/<int:pk>/assignments/<int:assignment_pk>/pin/", assignment.run_pin_view, name="run_pin"),
    # The panel meeting (committee, chair and staff)
    path("calls/<slug:slug>/meeting/", meeting.meeting_view, name="meeting"),
    path("calls/<slug:slug>/meeting/current/", meeting.meeting_current_view, name="meeting_current"),
    path("calls/<slug:slug>/meeting/tally/", meeting.meeting_tally_view, name="meeting_tally"),
    path("calls/<slug:slug>/meeting/open/", meeting.meeting_open_view, name="meeting_open"),
    path("calls/<slug:slug>/meeting/close/", meeting.meeting_close_view, name="meeting_close"),
    path(
        "calls/<slug:slug>/meeting/items/<int:pk>/current/",
        meeting.item_current_view,
        name="meeting_item_current",
    ),
    path(
        "calls/<slug:slug>/meeting/items/<int:pk>/score/",
        meeting.item_score_view,
        name="meeting_item_score",
    ),
    path(
        "calls/<slug:slug>/meeting/items/<int:pk>/notes/",
        meeting.item_notes_view,
        name="meeting_item_notes",
    ),
    path(
        "calls/<slug:slug>/meeting/items/<int:pk>/close/",
        meeting.item_close_view,
        name="meeting_item_close",
    ),
    # The committee's ranking and triage
    path("calls/<slug:slug>/ranking/", ranking.ranking_view, name="ranking"),
    path("calls/<slug:slug>/ranking/ranking.csv", ranking.ranking_csv_view, name="ranking_csv"),
    path("calls/<slug:slug>/ranking/ranking.xlsx", ranking.ranking_xlsx_view, name="ranking_xlsx"),
    path("calls/<slug:slug>/ranking/line/", ranking.triage_line_view, name="triage_line"),
    path("calls/<slug:slug>/ranking/<int:pk>/triage/", ranking.triage_override_view, name="triage_override"),
    path(
        "calls/<slug:slug>/reviewers/<int:user_id>/scores/",
        ranking.reviewer_scores_view,
        name="reviewer_scores",
    ),
]
