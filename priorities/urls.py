from django.urls import path

from priorities.views import community, moderation, questions, rounds

app_name = "priorities"
urlpatterns = [
    path("", community.index_view, name="index"),
    path("join/", community.join_view, name="join"),
    path("mine/", community.my_priorities_view, name="mine"),
    path("rounds/<slug:slug>/", rounds.round_view, name="round"),
    path("rounds/<slug:slug>/propose/", questions.propose_view, name="propose"),
    path("rounds/<slug:slug>/phase/", rounds.round_transition_view, name="round_transition"),
    path("rounds/<slug:slug>/top-ten/", rounds.top_ten_record_view, name="top_ten_record"),
    path("questions/<int:pk>/", questions.question_view, name="question"),
    path("questions/<int:pk>/edit/", questions.draft_edit_view, name="draft_edit"),
    path("questions/<int:pk>/delete/", questions.draft_delete_view, name="draft_delete"),
    path("questions/<int:pk>/vote/", questions.vote_view, name="vote"),
    path("questions/<int:pk>/comment/", questions.comment_add_view, name="comment_add"),
    # Moderators (staff)
    path("moderate/", moderation.moderation_view, name="moderation"),
    path("questions/<int:pk>/moderate/", moderation.moderate_question_view, name="moderate_question"),
    path("comments/<int:pk>/hide/", moderation.comment_hide_view, name="comment_hide"),
]
