"""tracker's role and how-met, readable in any address book as a trailer of NOTE.

X-TRACKER-ROLE / X-TRACKER-HOW-MET carry the values exactly; other address books keep
X- properties but do not show them, so export also appends to NOTE::

    <the user's note>

    [tracker]
    Role: recruiter
    How met: PyCon 2024

Import removes that trailer again. When the X-TRACKER-* properties are gone (the card
went through an address book that drops them) the trailer is the source instead.
"""

from __future__ import annotations

MARK = "[tracker]"
_KEYS = (("Role: ", 0), ("How met: ", 1))


def join_note(note: str, role: str, how_met: str) -> str:
    """The NOTE text to export: `note` plus the trailer when there is anything to say.

    A trailer is also added when the user's note itself contains the mark, so that
    import strips ours and leaves theirs intact.
    """
    if not role and not how_met and MARK not in note:
        return note
    lines = [MARK]
    if role:
        lines.append("Role: " + " ".join(role.split()))
    if how_met:
        lines.append("How met: " + " ".join(how_met.split()))
    trailer = "\n".join(lines)
    return f"{note}\n\n{trailer}" if note else trailer


def split_note(note: str, role: str | None, how_met: str | None) -> tuple[str, str, str]:
    """(note without the trailer, role, how_met); X-TRACKER values (not None) win."""
    at = note.rfind(MARK)
    found = ["", ""]
    if at != -1 and (at == 0 or note[at - 2 : at] == "\n\n"):
        tail = note[at + len(MARK) :]
        rows = tail.split("\n")[1:] if tail.startswith("\n") else ([] if not tail else None)
        if rows is not None:
            for row in rows:
                for key, slot in _KEYS:
                    if row.startswith(key):
                        found[slot] = row[len(key) :]
                        break
                else:
                    rows = None
                    break
        if rows is not None:
            note = note[: max(at - 2, 0)]
    return (
        note,
        role if role is not None else found[0],
        how_met if how_met is not None else found[1],
    )
