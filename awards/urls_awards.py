"""The awardee's award (accept or decline), letter downloads and the staff award register."""

from django.urls import path

from awards.views import awards

urlpatterns = [
    path("", awards.my_awards_view, name="my_awards"),
    path("register/", awards.register_view, name="register"),
    path("register.csv", awards.register_csv_view, name="register_csv"),
    path("letters/<int:pk>/download/", awards.letter_download_view, name="letter_download"),
    path("<int:pk>/", awards.award_detail_view, name="award_detail"),
    path("<int:pk>/accept/", awards.award_accept_view, name="award_accept"),
    path("<int:pk>/decline/", awards.award_decline_view, name="award_decline"),
]
