"""The corpus in tests/data/corpus is what its provenance says: every file listed in
manifest.json is here with its recorded bytes (no line-ending conversion by git), every
source's licence text is here, and no data file is here without a record."""
from __future__ import annotations

import hashlib
import json

from tests.conftest import CORPUS

MANIFEST = json.loads((CORPUS / "manifest.json").read_text())


def test_every_listed_file_is_here_byte_for_byte():
    assert len(MANIFEST) > 90
    for entry in MANIFEST:
        data = (CORPUS / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]
        assert len(data) == entry["size"], entry["file"]


def test_every_data_file_is_listed_and_licensed():
    listed = {entry["file"] for entry in MANIFEST}
    data = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("[iv]c*/*/*") if p.is_file()}
    assert data == listed
    licence_files = [p.name for p in (CORPUS / "licenses").iterdir()]
    for source in {entry["file"].split("/")[1] for entry in MANIFEST}:
        assert any(name.startswith(source + ".") for name in licence_files), f"no licence text for {source}"
    assert "Mozilla Public License" in (CORPUS / "licenses" / "ical.js.LICENSE.txt").read_text()
    assert (CORPUS / "PROVENANCE.md").is_file()
