"""Settings of the load benchmark (``bench/load.py``): production's, plus one bare view.

Everything comes from ``config.settings`` (the same middleware, sessions and templates); only the
URLconf differs, adding ``/bench/bare/`` (``bench/load_urls.py``), and static files are stored
under hashed names from a manifest, as production stores them, even though the benchmark sets
TESTING=1 to keep a developer's ``.env`` out of the run. Production's storage also compresses each
file (gzip, Brotli) at collectstatic: minutes on a busy machine, and no page measured here serves a
static file, so the benchmark leaves compression out.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load_urls"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"  # noqa: F405
