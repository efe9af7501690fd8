from django.urls import path

from applications.views import call_detail_view, call_list_view

app_name = "applications"
urlpatterns = [
    path("", call_list_view, name="call_list"),
    path("<slug:slug>/", call_detail_view, name="call_detail"),
]
