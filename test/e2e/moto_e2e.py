"""The harness's moto launcher (test/harness/moto_launcher.py) plus two more moto 5.2.1 fixes the
end-to-end suite needs, and an optional debug log. Started by test/e2e/helpers.ts as

    python3 test/e2e/moto_e2e.py <harness launcher> -H 127.0.0.1 -p PORT

(through `startMoto({ python: <a two-line sh wrapper> })`). It loads the harness launcher as a module
(all of its patches apply), adds the ones below on top, then runs its main().

(Fix A, ListExecutions and DescribeExecution without stateMachineAliasArn / stateMachineVersionArn,
moved into the harness launcher, which every moto of the suite runs.)

Fix B - Choice timestamp comparisons reject fractional seconds.
  IsTimestamp.string_to_timestamp parses only "%Y-%m-%dT%H:%M:%SZ", so "2026-11-29T13:04:05.678Z"
  (what $$.Execution.StartTime and every StartDate are) is "not a timestamp" and TimestampLessThanPath
  is always false. AWS accepts RFC 3339 timestamps, fractions included. Parse them.

Fix C - DescribeJobs races SubmitJob.
  BatchBackend.describe_jobs iterates `self._jobs.items()` while request threads add jobs, so under
  load a DescribeJobs fails with HTTP 500 "RuntimeError: dictionary changed size during iteration".
  A `.sync` Batch task polls DescribeJobs every 0.5 s; the interpreter's boto client then raises
  KeyError('RequestId') (the error page has none), the Task fails with an interpreter error no Retry
  names, and a Distributed Map item fails (States.ExceedToleratedFailureThreshold). Seen in about one
  run in four of the 10 x 10 nested foreach (120 jobs, 25 at a time). Look the requested jobs up in a
  copy of the dict (copying is atomic under the GIL); this also makes each poll O(jobs asked) instead
  of O(all jobs ever submitted).

FLOWC_E2E_MOTO_DEBUG=1 also logs why Distributed Map items fail (the interpreter logs it at DEBUG).
"""

from __future__ import annotations

import datetime
import logging
import runpy
import sys
from typing import Any

launcher_path = sys.argv[1]
launcher = runpy.run_path(launcher_path, run_name="flowc_moto_launcher")  # patches; main() not run

from moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations import (  # noqa: E402
    is_operator as _is_operator,
)

# --- Fix B ------------------------------------------------------------------------------------------
_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z")


def _string_to_timestamp(string: str) -> datetime.datetime | None:
    if not isinstance(string, str) or "T" not in string:
        return None
    for fmt in _FORMATS:
        try:
            t = datetime.datetime.strptime(string, fmt)
        except ValueError:
            continue
        if t.tzinfo is not None:  # compare as naive UTC, as the original does for "...Z"
            t = t.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return t
    return None


_is_operator.IsTimestamp.string_to_timestamp = staticmethod(_string_to_timestamp)  # type: ignore[method-assign]

# --- Fix C ------------------------------------------------------------------------------------------
from moto.batch.models import BatchBackend  # noqa: E402


def _describe_jobs(self: Any, jobs: list[str] | None) -> list[dict[str, Any]]:
    snapshot = dict(self._jobs)
    if not jobs:
        return [job.describe() for job in snapshot.values()]
    by_arn: dict[str, Any] | None = None
    result = []
    for ident in jobs:
        job = snapshot.get(ident)
        if job is None:
            by_arn = by_arn if by_arn is not None else {j.arn: j for j in snapshot.values()}
            job = by_arn.get(ident)
        if job is not None:
            result.append(job.describe())
    return result


BatchBackend.describe_jobs = _describe_jobs  # type: ignore[method-assign]

# --- Debug ------------------------------------------------------------------------------------------
if __import__("os").environ.get("FLOWC_E2E_MOTO_DEBUG") == "1":
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s] %(message)s"))
    for name in (
        "moto.stepfunctions.parser.asl.component.state.exec.state_map",
        "moto.stepfunctions.parser.backend.execution_worker",
    ):
        log = logging.getLogger(name)
        log.setLevel(logging.DEBUG)
        log.addHandler(handler)

if __name__ == "__main__":
    sys.argv = [launcher_path, *sys.argv[2:]]
    launcher["main"]()
