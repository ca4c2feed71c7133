"""`tracker import-vcard`, `import-linkedin`, `export-vcard`, as an administrator runs them."""
from __future__ import annotations

from tests.test_cli import run

CARDS = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n"
         "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nameless\r\nEND:VCARD\r\n")


def test_import_dry_run_import_again_and_export(tmp_path):
    run(tmp_path, "db", "upgrade")
    run(tmp_path, "create-user", "jo@example.com", "--password-stdin", stdin="correct horse battery\n")
    (tmp_path / "a.vcf").write_text(CARDS, newline="")
    dry = run(tmp_path, "import-vcard", str(tmp_path / "a.vcf"), "--user", "jo@example.com", "--dry-run")
    assert dry.returncode == 0 and "1 new (would be created)" in dry.stdout and "Card 2" in dry.stdout
    first = run(tmp_path, "import-vcard", str(tmp_path / "a.vcf"), "--user", "jo@example.com")
    assert "Created 1, merged 0, unchanged 0, skipped 0, problems 1." in first.stdout, first.stderr
    assert "Card 2: Card 2 has no name, email or phone." in first.stdout
    again = run(tmp_path, "import-vcard", str(tmp_path / "a.vcf"), "--user", "jo@example.com")
    assert "Created 0, merged 0, unchanged 1" in again.stdout
    out = tmp_path / "out.vcf"
    exported = run(tmp_path, "export-vcard", "--user", "jo@example.com", "-o", str(out), "--version", "4.0")
    assert exported.returncode == 0 and out.read_bytes().count(b"VERSION:4.0\r\n") == 1
    missing = run(tmp_path, "import-vcard", str(tmp_path / "a.vcf"), "--user", "nobody@example.com")
    assert missing.returncode != 0 and "No account" in missing.stderr
