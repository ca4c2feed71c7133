"""Build hook: ship the top-level templates/ and static/ inside the wheel.

The design fixes templates/ and static/ at the top of the checkout; an installed wheel has no
checkout, so the build copies both into the package as tracker/_web/. create_app() looks for
the checkout folders first and falls back to the packaged copy.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent


class BuildPyWithWeb(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "tracker" / "_web"
        for folder in ("templates", "static"):
            if (ROOT / folder).is_dir():
                shutil.copytree(ROOT / folder, target / folder, dirs_exist_ok=True)


setup(
    cmdclass={"build_py": BuildPyWithWeb},
    package_data={"tracker": ["migrations/*.ini", "migrations/*.mako", "migrations/versions/*.py"]},
)
