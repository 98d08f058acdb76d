"""The review page after another reviewer's decision (issue #19 item 4: each page < 200 ms).

Fills the database as ``bench_linkage_review`` does (the demo accounts and ``N`` persons of the synthetic
registry, default 6,000; ``--records 1000000`` or ``BENCH_RECORDS`` for the issue's scale) and runs one
deduplication run — or, on a kept ``BENCH_DATABASE_URL`` that already holds a finished run, uses it as it
is (the set-up takes minutes at 1M). Then, as two reviewers with the whole city in reach (the city
coordinator B, and A: a second coordinator account the benchmark adds):

* B's first cluster page with nothing kept in the process (the queue built: one per process and change
  of the whole registry) and B's cluster pages after it (median);
* ``BENCH_DECISIONS`` times (default 3): A decides the first cluster of A's queue (``cluster_decide``, all
  its records one person, then ``model_relearn`` re-scores every undecided pair — A's POST, timed apart),
  then B opens the first cluster of B's queue: the page that used to rebuild the queue (11.7 s at
  977,011 persons); median and max, budget 200 ms; then B's queue list, and the reach read again (as
  after ``QUEUE_KEPT_SECONDS``, which the decisions' loop holds off: a decision takes minutes at 1M).

It prints how many times the whole queue was read from the database (``selectors.queue_build``) during
the pages after decisions (0: the kept queue was brought up to date with the changed pairs and persons only), and
checks that B's queue after the decisions is the queue ``review_clusters`` builds.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from benchlib import Result

BUDGET_MS = 200
SECOND = "bench-coordinator-a"


def log(message: str) -> None:
    print(f"# {message}", flush=True)


def records_wanted() -> int:
    if "--records" in sys.argv:
        return int(sys.argv[sys.argv.index("--records") + 1])
    return int(os.environ.get("BENCH_RECORDS", 6_000))


def ensure_run(n: int):
    """(B, A): the run is made once per database (kept databases are reused as they are)."""
    from bench_linkage_review import ensure_data

    from lanhmanh.linkage import services
    from lanhmanh.linkage.models import DedupRun
    from lanhmanh.org.models import Role, User
    from lanhmanh.people.models import Person

    if not Person.objects.exists():
        ensure_data(n)
    if not DedupRun.objects.exists():
        start = time.perf_counter()
        run = services.run_execute(services.run_create())
        log(
            f"run: {run.job.status}, {run.records:,} records, {run.auto_merged:,} merged, "
            f"{run.queued:,} pairs queued, {time.perf_counter() - start:.0f} s"
        )
    b = User.objects.filter(roles__code=Role.CITY_COORDINATOR).exclude(username=SECOND).order_by("pk").first()
    a = User.objects.filter(username=SECOND).first()
    if a is None:
        a = User.objects.create_user(username=SECOND, password=None, agency=b.agency, first_name="A")
        a.roles.set(Role.objects.filter(code=Role.CITY_COORDINATOR))
    return b, a


def timed_get(client, url: str) -> float:
    t0 = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def run() -> list[Result]:
    from django.conf import settings
    from django.test import Client

    from lanhmanh.linkage import selectors, services
    from lanhmanh.people.models import Person

    n = records_wanted()
    b, a = ensure_run(n)
    persons = Person.objects.count()
    label = f"{round(persons / 1_000_000)}M" if persons >= 900_000 else f"{round(persons / 1000)}k"
    settings.REQUIRE_2FA = False  # the page's own cost (as the tests' client_for)
    client = Client()
    client.force_login(b)
    selectors.queue_forget()
    builds = []
    build = selectors.queue_build  # the whole queue read from the database

    def counted(number):
        builds.append(number)
        return build(number)

    selectors.queue_build = counted
    t0 = time.perf_counter()
    queue = selectors.review_queue(b)
    cold = (time.perf_counter() - t0) * 1000
    log(
        f"{persons:,} persons; {len(queue):,} clusters in B's queue; B's queue read with nothing kept: {cold:.0f} ms"
    )
    if not queue:
        return []
    client.post(f"/ho-so-trung/cum/{queue[0].anchor}/", {"purpose": "linkage", "detail": "benchmark"})
    c0 = time.process_time()
    warm = [timed_get(client, f"/ho-so-trung/cum/{c.anchor}/") for c in queue[:10]]
    warm_cpu = (time.process_time() - c0) * 1000 / len(warm)
    results = [
        Result(f"linkage_queue_change.{label}.cold_queue", cold, "ms", None),
        Result(f"linkage_queue_change.{label}.cluster_page.median", statistics.median(warm), "ms", BUDGET_MS),
        Result(f"linkage_queue_change.{label}.cluster_page.cpu_mean", warm_cpu, "ms", None),
    ]
    after, after_cpu, follow, follow_cpu, posts = [], [], [], [], []
    before = len(builds)
    # A decision takes minutes at 1M (``model_relearn`` rewrites every pending pair): the reach's periodic
    # re-read (``QUEUE_KEPT_SECONDS``) would fall on every page after one; it is timed apart below.
    kept_seconds, selectors.QUEUE_KEPT_SECONDS = selectors.QUEUE_KEPT_SECONDS, 10**9
    for _ in range(int(os.environ.get("BENCH_DECISIONS", 3))):
        cluster = selectors.cluster_get(a, selectors.review_queue(a)[0].anchor)
        t0 = time.perf_counter()
        services.cluster_decide(
            actor=a, cluster=cluster, groups=dict.fromkeys(cluster.members, "1"), seen=cluster.seen
        )
        services.model_relearn(actor=a)
        posts.append((time.perf_counter() - t0) * 1000)
        # B's next page: the first cluster of B's queue. Following A's decision (the kept queue brought up
        # to date) is part of the page's cost, timed apart too; CPU time of this process beside wall time.
        t0, c0 = time.perf_counter(), time.process_time()
        first = selectors.review_queue(b)[0].anchor
        t1, c1 = time.perf_counter(), time.process_time()
        client.get(f"/ho-so-trung/cum/{first}/")
        t2, c2 = time.perf_counter(), time.process_time()
        follow.append((t1 - t0) * 1000)
        follow_cpu.append((c1 - c0) * 1000)
        after.append((t2 - t0) * 1000)
        after_cpu.append((c2 - c0) * 1000)
    list_after = timed_get(client, "/ho-so-trung/")
    # The reach read again (as after ``QUEUE_KEPT_SECONDS``): the persons of every cluster, one query.
    selectors.QUEUE_KEPT_SECONDS = 0
    t0, c0 = time.perf_counter(), time.process_time()
    selectors.review_queue(b)
    reach_read, reach_cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    selectors.QUEUE_KEPT_SECONDS = kept_seconds
    rebuilt = len(builds) - before
    kept = [(c.anchor, c.members, round(c.value, 9)) for c in selectors.review_queue(b)]
    selectors.queue_build = build
    fresh = [(c.anchor, c.members, round(c.value, 9)) for c in selectors.review_clusters(b)]
    log(
        f"A's decisions (cluster_decide + model_relearn) {', '.join(f'{p:.0f}' for p in posts)} ms; "
        f"B's first cluster page after each {', '.join(f'{p:.0f}' for p in after)} ms "
        f"(CPU {', '.join(f'{p:.0f}' for p in after_cpu)} ms), of which following the change "
        f"{', '.join(f'{p:.0f}' for p in follow)} ms (CPU {', '.join(f'{p:.0f}' for p in follow_cpu)} ms); "
        f"queue list after them {list_after:.0f} ms; whole queue built {rebuilt} times; the reach read again "
        f"{reach_read:.0f} ms (CPU {reach_cpu:.0f} ms); "
        f"B's kept queue {'IS' if kept == fresh else 'is NOT'} the queue review_clusters builds "
        f"({len(kept):,} clusters)"
    )
    name = f"linkage_queue_change.{label}"
    results += [
        Result(f"{name}.page_after_decision.median", statistics.median(after), "ms", BUDGET_MS),
        Result(f"{name}.page_after_decision.max", max(after), "ms", None),
        Result(f"{name}.page_after_decision.cpu_median", statistics.median(after_cpu), "ms", None),
        Result(f"{name}.follow_decision.median", statistics.median(follow), "ms", None),
        Result(f"{name}.follow_decision.cpu_median", statistics.median(follow_cpu), "ms", None),
        Result(f"{name}.queue_page_after_decisions", list_after, "ms", None),
        Result(f"{name}.reach_read_again", reach_read, "ms", None),
        Result(f"{name}.decision_post.median", statistics.median(posts), "ms", None),
        Result(f"{name}.queue_built_after_decisions", rebuilt, "times", 0),
    ]
    return results


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    import run as runner

    runner.setup_django()
    over = 0
    for result in run():
        print(result.line(), flush=True)
        over += not result.within_budget
    sys.exit(1 if over else 0)
