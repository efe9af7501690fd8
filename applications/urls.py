from django.urls import path

from applications.views import calls, submissions

app_name = "applications"
urlpatterns = [
    path("calls/", calls.call_list_view, name="call_list"),
    path("calls/<slug:slug>/", calls.call_detail_view, name="call_detail"),
    path("calls/<slug:slug>/apply/", submissions.application_start_view, name="application_start"),
    path("applications/", submissions.my_applications_view, name="my_applications"),
    path("applications/<int:pk>/", submissions.application_detail_view, name="application_detail"),
    path("applications/<int:pk>/edit/", submissions.application_edit_view, name="application_edit"),
    path("applications/<int:pk>/edit/<slug:section>/", submissions.section_save_view, name="section_save"),
    path(
        "applications/<int:pk>/edit/<slug:section>/<int:item_id>/remove/",
        submissions.item_remove_view,
        name="item_remove",
    ),
    path(
        "applications/<int:pk>/team/<int:member_id>/invite/", submissions.team_invite_view, name="team_invite"
    ),
    path("applications/<int:pk>/submit/", submissions.application_submit_view, name="application_submit"),
    path(
        "applications/<int:pk>/withdraw/", submissions.application_withdraw_view, name="application_withdraw"
    ),
    path("applications/<int:pk>/pdf/", submissions.application_pdf_view, name="application_pdf"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_id>/",
        submissions.attachment_download_view,
        name="attachment_download",
    ),
    path("invitations/<str:token>/", submissions.accept_invitation_view, name="accept_invitation"),
]
