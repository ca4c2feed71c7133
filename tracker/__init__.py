"""tracker: keeps a job seeker's professional relationships warm."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

_PACKAGE = Path(__file__).resolve().parent


def _web_folder(name: str) -> str:
    """templates/ and static/ from the checkout, else the copy packaged into the wheel."""
    checkout = _PACKAGE.parent / name
    return str(checkout if checkout.is_dir() else _PACKAGE / "_web" / name)


def create_app(test_config: dict[str, Any] | None = None, *, instance: str | Path | None = None) -> Flask:
    """Build the app. `test_config` overrides settings; `instance` overrides the instance folder."""
    from tracker import config
    from tracker.files import secure_instance
    from tracker.wiring import register_all

    instance_path = Path(instance) if instance else config.instance_path()
    instance_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=_web_folder("templates"),
        static_folder=_web_folder("static"),
    )
    app.config.update(config.load(instance_path, test_config))
    secure_instance(instance_path, app.config["SQLALCHEMY_DATABASE_URI"])
    register_all(app)
    from tracker import clock

    if (started := clock.start_from_environment()) is not None:
        app.logger.warning("the clock runs from %s (%s is set: for tests only)", started, clock.TEST_NOW_VARIABLE)
    return app
