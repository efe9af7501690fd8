from django.urls import path

from portfolio import views, views_public

app_name = "portfolio"
urlpatterns = [
    path("portfolio/", views.portfolio_view, name="portfolio"),
    path("portfolio/analytics/", views.analytics_view, name="analytics"),
    path("portfolio/exports/", views.exports_view, name="exports"),
    path(
        "portfolio/calls/<slug:slug>/<slug:register>.<str:fmt>",
        views.register_export_view,
        name="register_export",
    ),
    path("portfolio/projects/", views_public.projects_manage_view, name="projects"),
    path("portfolio/projects/<int:pk>/publish/", views_public.project_publish_view, name="project_publish"),
    path(
        "portfolio/projects/<int:pk>/unpublish/",
        views_public.project_unpublish_view,
        name="project_unpublish",
    ),
    path("funded-projects/", views_public.funded_projects_view, name="funded_projects"),
    path("open-data/360giving.csv", views_public.open_data_csv_view, name="open_data_csv"),
]
