"""Routes of the research-priorities API, included under ``/api/v1/priorities/``."""

from rest_framework.routers import SimpleRouter

from priorities.api.views import QuestionViewSet, RoundViewSet

router = SimpleRouter()
router.register("questions", QuestionViewSet, basename="priority-question")
router.register("rounds", RoundViewSet, basename="priority-round")

urlpatterns = router.urls
