"""Settings of the web process the fault tests start (``faults_web_servers.WebServer``): production's
(``config.settings`` with DEBUG off), except that WhiteNoise serves the static files from the apps'
folders. Production serves them hashed and compressed after ``collectstatic``, which takes about 90 s
here (Swagger UI and ReDoc) — too long for a test that only needs htmx and granted.js.
"""

from config.settings import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
