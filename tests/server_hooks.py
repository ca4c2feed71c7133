"""`python -m tests.server_hooks serve ...` is `python -m tracker serve ...` with holds patched
into the services, so that a test stops a background job at a known moment instead of racing
it with a poll. The app carries no test code; LiveServer (tests/browser/conftest.py) starts its
server through this module when the test sets one of the variables below. gunicorn forks its
workers from the process that ran `install`, so they hold too.

- HOLD_APPLY names a file. After an import's first chunk is written (flushed, not committed),
  the apply writes how many items it has done into that file and waits ten minutes: the test
  kills the server there (tests/test_import_faults.py, test_mail_import_faults.py).
- HOLD_MAIL_READING names a file. While it exists, the reading of a mail file waits after each
  chunk it committed, at most two minutes (tests/browser/test_mail_import.py shows the progress
  page of a three-message file).
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

HOLD_APPLY = "TRACKER_TEST_HOLD_APPLY"
HOLD_MAIL_READING = "TRACKER_TEST_HOLD_MAIL_READING"
VARIABLES = frozenset({HOLD_APPLY, HOLD_MAIL_READING})

log = logging.getLogger("tests.server_hooks")


def install(environ=os.environ) -> None:
    from tracker.extensions import db
    from tracker.services import import_runner, mail_staging

    # Each hold reads its own variable: one closure variable shared by both would be rebound.
    if apply_marker := environ.get(HOLD_APPLY):
        reporter_of = import_runner._progress_reporter

        def held_reporter(job_id: int):
            progress = reporter_of(job_id)

            def report(done: int) -> None:
                if progress is not None:
                    progress(done)
                db.session.flush()
                written = Path(apply_marker + ".tmp")
                written.write_text(str(done))
                written.replace(apply_marker)  # whole, at once: the test reads it as soon as it exists
                log.warning("import apply held after %s items (%s is set: for tests only)", done, HOLD_APPLY)
                time.sleep(600)  # the test kills the process here

            return report

        import_runner._progress_reporter = held_reporter

    if reading_marker := environ.get(HOLD_MAIL_READING):
        stage = mail_staging.stage

        def held_stage(user, job, mails, commit):
            def held() -> None:
                commit()
                deadline = time.monotonic() + 120
                while Path(reading_marker).exists() and time.monotonic() < deadline:
                    time.sleep(0.1)

            return stage(user, job, mails, held)

        mail_staging.stage = held_stage


if __name__ == "__main__":
    install()
    from tracker.cli import main

    main()
