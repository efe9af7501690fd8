"""A Celery worker in which rendering certain letters kills the process doing it, as the kernel's
out-of-memory killer would: ``python -m tests.integration.faults_poison_worker worker ...``.

The letter ids are read from the file named by ``FAULTS_POISON_FILE`` at each render, so a test can
cure the letter without restarting the worker. The process dies (SIGKILL, nothing caught, nothing
cleaned up) right after the letter's PDF is written to storage and its row updated, before the
commit: the worst moment, leaving a file no row points at.
"""

import os
import signal
import sys
from pathlib import Path


def poisoned() -> set[int]:
    path = Path(os.environ["FAULTS_POISON_FILE"])
    return {int(x) for x in path.read_text().split()} if path.exists() else set()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from awards.services import letters
    from config.celery import app

    store = letters._store

    def store_then_die(letter, pdf: bytes) -> None:
        store(letter, pdf)
        if letter.pk in poisoned():
            os.kill(os.getpid(), signal.SIGKILL)

    letters._store = store_then_die
    app.worker_main(argv=sys.argv[1:])


if __name__ == "__main__":
    main()
