"""The portal's pages for decisions, awards and letters (namespace ``awards``).

The chair's pages (funding scenario, applying, letter progress) are in ``awards.urls_chair``; the
applicant's award, letter downloads and the staff register in ``awards.urls_awards``.
"""

from awards import urls_awards, urls_chair

app_name = "awards"
urlpatterns = [*urls_chair.urlpatterns, *urls_awards.urlpatterns]
