"""At 200 % zoom (a 1280-pixel window showing 640 CSS pixels) nothing needs horizontal scrolling."""

import pytest

from tests.applications.factories import complete_draft
from tests.browser.conftest import CHROMIUM
from tests.factories import PASSWORD, CallFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_pages_reflow_at_200_percent_zoom(page, live_server, transactional_db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call = CallFactory(title="Remyelination Challenge with a rather long title that must wrap", slug="remy")
    draft = complete_draft(call=call)
    draft.pi.set_password(PASSWORD)
    draft.pi.save()
    UserFactory(email="someone@example.org")
    page.set_viewport_size({"width": 640, "height": 900})

    public = ["/", "/calls/", f"/calls/{call.slug}/", "/accounts/login/", "/accounts/register/"]
    for path in public:
        page.goto(live_server.url + path)
        assert page.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways at 200 % zoom"

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", draft.pi.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    for path in ["/applications/", f"/applications/{draft.pk}/edit/", "/accounts/"]:
        page.goto(live_server.url + path)
        assert page.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways at 200 % zoom"
