"""Median CPU ms (in this process) of the touchpoints' arm of the company's and the contact's
timeline keys statement (services/timeline.py), on a benchmark account: run it with PYTHONPATH
at two trees, alternately, on copies of one account.

    PYTHONPATH=$PWD python tests/perf/timeline_keys.py sqlite:////tmp/x/bench-L.sqlite3 COMPANY_ID CONTACT_ID
"""
import statistics, sys, tempfile, time
from tracker import create_app
from tracker.extensions import db
from tracker.models import User
from tracker.services import timeline as tl
url, company, contact = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance=tempfile.mkdtemp())
with app.app_context():
    user = db.session.scalars(db.select(User)).first()
    out = []
    for scope in (tl.Scope(user, company_id=company), tl.Scope(user, contact_id=contact)):
        shape = tl._shape(scope)
        stmt = tl._keys_statement(shape, False, ("touchpoint",))
        params = tl._params(scope) | {"n": 31}
        conn = db.session.connection()
        for _ in range(5):
            conn.execute(stmt, params).all()
        cpu = []
        for _ in range(40):
            t = time.process_time(); conn.execute(stmt, params).all(); cpu.append((time.process_time() - t) * 1000)
        out.append(f"{shape} {statistics.median(cpu):.3f} ms")
    print(url[-20:], " | ".join(out))
