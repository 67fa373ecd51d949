"""Issue 11, rows 1, 4 and 6 of the red-team table: against a real `handoff serve`, requests that share
one API token or one session cookie run side by side (they used to hang the whole server), /healthz
answers while a 3.5 MB X12 file is parsed, and concurrent wrong passwords cannot outrun the lockout.

No timing asserts: each request must finish within a generous bound that proves "not hung"; the
figures (p99, /healthz while parsing) are printed and kept as test properties."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
import httpx
from api.services.auth import create_token
from store import org as org_store
from tests.live_server import handoff_serve

HUNG = 10.0  # seconds: a request slower than this is a hang, not a slow answer
EXAMPLE_837 = (  # the TR3's example 1 (a public sample), one segment a line
    "ISA*03*9876543210*01*9876543210*30*000000005      *30*12345          *131031*1147*^*00501*000000907*1*T*:~"
    "GS*HC*000000005*54321*20131031*1147*1*X*005010X222A2~"
    "ST*837*0021*005010X222A2~"
    "BHT*0019*00*244579*20061015*1023*CH~"
    "NM1*41*2*PREMIER BILLING SERVICE*****46*TGJ23~"
    "PER*IC*JERRY*TE*3055552222*EX*231~"
    "NM1*40*2*KEY INSURANCE COMPANY*****46*66783JJT~"
    "HL*1**20*1~"
    "PRV*BI*PXC*203BF0100Y~"
    "NM1*85*2*BEN KILDARE SERVICE*****XX*1912301953~"
    "N3*234 SEAWAY ST~"
    "N4*MIAMI*FL*331110000~"
    "REF*EI*587654321~"
    "NM1*87*2~"
    "N3*2345 OCEAN BLVD~"
    "N4*MIAMI*FL*33111~"
    "HL*2*1*22*1~"
    "SBR*P**2222-SJ******CI~"
    "NM1*IL*1*SMITH*JANE****MI*JS00111223333~"
    "NM1*PR*2*KEY INSURANCE COMPANY*****PI*999996666~"
    "HL*3*2*23*0~"
    "PAT*19~"
    "NM1*QC*1*SMITH*TED~"
    "N3*236 N MAIN ST~"
    "N4*MIAMI*FL*33413~"
    "DMG*D8*19730501*M~"
    "CLM*26463774*100.00***11:B:1*Y*A*Y*I~"
    "REF*D9*17312345600006351~"
    "HI*BK:0340*BF:V7389~"
    "LX*1~"
    "SV1*HC:99213*40.00*UN*1.00***1~"
    "DTP*472*D8*20061003~"
    "LX*2~"
    "SV1*HC:87070*15.00*UN*1.00***1~"
    "DTP*472*D8*20061003~"
    "LX*3~"
    "SV1*HC:99214*35.00*UN*1.00***2~"
    "DTP*472*D8*20061010~"
    "LX*4~"
    "SV1*HC:86663*10.00*UN*1.00***2~"
    "DTP*472*D8*20061010~"
    "SE*40*0021~"
    "GE*1*1~"
    "IEA*1*000000907~"
)


def _token(runtime, username: str) -> str:
    with runtime.pool.connection() as conn:
        user, _ = org_store.get_user_by_username(conn, username=username)
        return create_token(conn, user=user, name="concurrency")[1]


# One client with room for every concurrent request: what is timed is the server, not the client's
# set-up (a fresh httpx client per request builds an SSL context first).
_CLIENT = httpx.Client(timeout=HUNG, limits=httpx.Limits(max_connections=40, max_keepalive_connections=40))


def _timed_get(url: str, **kw) -> tuple[int, float]:
    started = time.perf_counter()
    r = _CLIENT.get(url, **kw)
    return r.status_code, time.perf_counter() - started


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def _burst(n: int, call) -> list[tuple[int, float]]:
    barrier = threading.Barrier(n)

    def one(_):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_twenty_requests_with_one_token_and_one_cookie_run_side_by_side(runtime, demo_org, settings, record_property):
    token = _token(runtime, "nurse")
    with handoff_serve(settings) as base:
        login = httpx.post(f"{base}/api/v1/auth/login", json={"username": "frontdesk", "password": "handoff-demo"},
                           timeout=HUNG)
        assert login.status_code == 200, login.text
        cookie = {"Cookie": f"handoff_session={login.cookies['handoff_session']}"}
        figures = {}
        for name, kw in (("token", {"headers": {"Authorization": f"Bearer {token}"}}), ("cookie", {"headers": cookie})):
            for _round in range(2):  # twice: the second round finds last_used/last_seen already fresh
                results = _burst(20, lambda kw=kw: _timed_get(f"{base}/api/v1/auth/me", **kw))
                assert [s for s, _ in results] == [200] * 20
            seconds = [t for _, t in results]
            figures[name] = {"p99_s": round(_p99(seconds), 3), "median_s": round(statistics.median(seconds), 3)}
            # The server still answers everyone else.
            assert _timed_get(f"{base}/healthz")[0] == 200
    print(f"\nconcurrency figures: {figures}")
    record_property("concurrency", figures)


def big_837p(target_bytes: int) -> bytes:
    """A valid 837P of about `target_bytes`: the TR3 example's subscriber/claim loop repeated with
    new HL numbers and claim ids."""
    segs = [s.strip() for s in EXAMPLE_837.split("~") if s.strip()]
    i2 = next(i for i, s in enumerate(segs) if s.startswith("HL*2*"))
    ise = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    head, body, tail = segs[:i2], segs[i2:ise], segs[ise:]
    out, k, size = list(head), 0, sum(len(s) + 1 for s in head + tail)
    while size < target_bytes:
        for s in body:
            if s.startswith("HL*2*"):
                s = f"HL*{2 + 2 * k}*1*22*1"
            elif s.startswith("HL*3*"):
                s = f"HL*{3 + 2 * k}*{2 + 2 * k}*23*0"
            elif s.startswith("CLM*"):
                s = s.replace("CLM*26463774", f"CLM*C{k:08d}", 1)
            out.append(s)
            size += len(s) + 1
        k += 1
    n_st = len(out) - next(i for i, s in enumerate(out) if s.startswith("ST*")) + 1
    tail = [f"SE*{n_st}*0021" if s.startswith("SE*") else s for s in tail]
    return ("~\n".join(out + tail) + "~\n").encode()


def test_healthz_answers_while_a_large_x12_file_is_parsed(runtime, demo_org, settings, record_property):
    data = big_837p(3_500_000)
    token = _token(runtime, "biller")
    with handoff_serve(settings) as base:
        def upload():
            try:
                httpx.post(f"{base}/api/v1/claims?unit=primary-care", content=data, timeout=300,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/edi-x12"})
            except httpx.HTTPError:
                pass  # the server is stopped before it finishes: only /healthz meanwhile matters

        threading.Thread(target=upload, daemon=True).start()
        time.sleep(3)  # the body is sent and parsing has begun
        seconds = []
        for _ in range(10):
            status, took = _timed_get(f"{base}/healthz")
            assert status == 200
            seconds.append(took)
            time.sleep(0.2)
    figures = {"healthz_max_s": round(max(seconds), 3), "healthz_median_s": round(statistics.median(seconds), 3),
               "x12_bytes": len(data)}
    print(f"\nhealthz while parsing a {len(data):,}-byte 837P: {figures}")
    record_property("healthz_while_parsing", figures)


def test_concurrent_wrong_passwords_cannot_outrun_the_lockout(runtime, demo_org, settings, record_property):
    with handoff_serve(settings) as base:
        results = _burst(20, lambda: _CLIENT.post(f"{base}/api/v1/auth/login", json={
            "username": "nurse", "password": "not-the-password"}).status_code)
    assert set(results) == {401}
    with runtime.pool.connection() as conn:
        events = conn.execute("SELECT action, count(*) AS n FROM audit_events WHERE actor = 'nurse' "
                              "GROUP BY action").fetchall()
    counts = {e["action"]: e["n"] for e in events}
    print(f"\n20 concurrent wrong passwords: {counts}")
    record_property("lockout", counts)
    # A failed check is logged as auth.sign_in_failed; every attempt past the fifth is a lockout.
    assert counts.get("auth.sign_in_failed", 0) <= 5
    assert counts.get("auth.sign_in_failed", 0) + counts.get("auth.locked_out", 0) == 20


def test_no_async_route_or_dependency_holds_a_database_connection(runtime):
    """A route or dependency that is `async def` runs on the event loop; one that also takes a
    database connection does its synchronous queries there and stalls every other request. Found in
    the revenue routes (X12 files and the auths CSV were stored from `async def`)."""
    import inspect

    from fastapi.routing import APIRoute

    from api.app import create_app
    from api.deps import get_conn

    def offenders(dependant, where):
        takes_conn = any(d.call is get_conn for d in dependant.dependencies)
        if takes_conn and inspect.iscoroutinefunction(dependant.call):
            yield where
        for d in dependant.dependencies:
            yield from offenders(d, f"{where} -> {getattr(d.call, '__name__', d.call)}")

    app = create_app(runtime=runtime, worker=False)
    routes = []
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):  # an included router (FastAPI >= 0.120)
            routes += [ctx.original_route for ctx in route.effective_route_contexts()]
        else:
            routes.append(route)
    routes = [r for r in routes if isinstance(r, APIRoute)]
    assert len(routes) > 80  # the walk reached the included routers
    bad = [x for r in routes for x in offenders(r.dependant, f"{sorted(r.methods)} {r.path}")]
    assert not bad, "\n".join(bad)
