"""Find (the header search) and the contacts list's search give the same people for text
beyond plain ASCII words: accents, case pairs outside ASCII, search-engine syntax, LIKE's
wildcards, short words (issue 17 changed Find to read the search index newest first; a
randomized comparison was dropped when it failed without a shrunk example, so these are the
cases it was meant to cover)."""
import html

from tests.web.test_find import _listed, db_user
from tracker.extensions import db
from tracker.models import User
from tracker.services.contacts import ContactInput, save_contact

NAMES = ["Ada Lövelace", "Zoë Çelik", "Straße Mann", "İlker Işık", "ÉMILE Zola", "Ana Double", "O'Brien Kate",
         "x_y z%w"]
QUERIES = ["a", "ab", "Z", "k", "ö", "Ö", "ss", "ß", "ﬁ", "ｌｏｖｅ", "i̇l", "\\", '"', "*", "-ada", "ada*", "^ada",
           "ada OR zoë", "NEAR(ada", "a\tda", "\u00a0ada", "lövelace", "LÖVELACE", "LOVELACE", "zoë", "ZOË", "çel",
           "strasse", "straße", "STRASSE", "ilker", "işık", "IŞIK", "émile", "Émile", "ana double", "double ana",
           "o'brien", "brien kate", "x_y", "z%w", "ÖVE", "ada ö", "le"]


def _in_list(page: str) -> set[str]:
    return {n for n in NAMES if n in page or html.escape(n) in page or n.replace("'", "&#39;") in page}


def test_find_and_the_contacts_search_agree_beyond_ascii_words(app, user_client):
    uid = db_user(app)
    with app.app_context():
        user = db.session.get(User, uid)
        for name in NAMES:
            save_contact(user, None, ContactInput(full_name=name))
        db.session.commit()
    differ = {}
    for q in QUERIES:
        found = {html.unescape(n) for n in _listed(user_client.get("/search", query_string={"q": q}).get_data(as_text=True))}
        listed = _in_list(user_client.get("/contacts/", query_string={"q": q}).get_data(as_text=True))
        if found != listed:
            differ[q] = (found, listed)
    assert differ == {}
    # The comparison sees matches at all: a word matches exactly its contacts on both pages.
    page = user_client.get("/search", query_string={"q": "lövelace"}).get_data(as_text=True)
    assert _listed(page) == ["Ada Lövelace"]
