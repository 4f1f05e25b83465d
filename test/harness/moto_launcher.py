#!/usr/bin/env python3
"""moto 5.2.1 with the patches flowc's tests need, then moto's own server.

Usage: MOTO_PORT=PORT python3 test/harness/moto_launcher.py -H 127.0.0.1 -p PORT

MOTO_PORT must equal the listen port: the Step Functions interpreter calls the
other services back through http://localhost:$MOTO_PORT.

Every patch below is small and says why it exists. test/harness/README.md lists
them all, with what was verified. Environment variables read here:

  FLOWC_MOTO_JOB_LOG_DIR        where each Batch job's stdout/stderr go
                                (default: a fresh temp dir, printed at start)
  FLOWC_MOTO_JOB_CWD            working directory of Batch job processes
                                (default: the launcher's cwd)
  FLOWC_MOTO_JOB_KILL_GRACE     seconds between SIGTERM and SIGKILL when a job is
                                terminated or times out (default 2)
  FLOWC_MOTO_EXIT_ON_STDIN_EOF  "1": exit (killing all job processes) when stdin
                                closes, i.e. when the test process that spawned
                                us dies, however it died.
"""

from __future__ import annotations

import atexit
import copy
import datetime
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from typing import Any

import moto  # noqa: F401

if moto.__version__ != "5.2.1":  # the patches reach into moto's internals
    print(
        f"[flowc-moto] WARNING: patches were written for moto 5.2.1, found {moto.__version__}",
        file=sys.stderr,
    )

LOG = logging.getLogger("flowc-moto")


def _say(msg: str) -> None:
    print(f"[flowc-moto] {msg}", file=sys.stderr, flush=True)


def _aws_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value


# ---------------------------------------------------------------------------
# Bug 1: optimised integrations (batch:submitJob, ecs:runTask, states:startExecution)
# and aws-sdk:* integrations pass Step Functions' PascalCase parameters straight
# to boto (upstream getmoto/moto#10076): boto's JSON/REST serialisers drop keys
# that are not in the operation's shape (`jobName`, `stateMachineArn`, ...), so
# the call fails ('JobName', missing parameters). moto vendors LocalStack's
# interpreter but stubs out StateTaskService._normalise_parameters/_response,
# which in LocalStack convert the keys along the botocore shapes (request:
# PascalCase -> boto casing; response: boto casing -> PascalCase, streaming
# bodies -> str). Restore LocalStack's version, for every service integration
# (for query/PascalCase services like S3, SQS, SNS, DynamoDB, Lambda it is the
# identity on the request and keeps response keys as they were).
# ---------------------------------------------------------------------------
import botocore.session
from botocore import xform_name

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service as _sts,
)

_botocore_session = botocore.session.get_session()
_model_lock = threading.Lock()
_op_cache: dict[tuple[str, str], Any] = {}


def _operation_model(service: str, snake_action: str) -> Any:
    key = (service, snake_action)
    with _model_lock:
        if key not in _op_cache:
            model = None
            try:
                service_model = _botocore_session.get_service_model(service)
                for op_name in service_model.operation_names:
                    if xform_name(op_name) == snake_action:
                        model = service_model.operation_model(op_name)
                        break
            except Exception as ex:  # unknown service: leave parameters as they are
                LOG.warning("no botocore model for %s.%s: %s", service, snake_action, ex)
            _op_cache[key] = model
        return _op_cache[key]


def _normalise_parameters(
    self: Any,
    parameters: dict,
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    service = self._get_boto_service_name(boto_service_name=boto_service_name)
    action = self._get_boto_service_action(service_action_name=service_action_name)
    op = _operation_model(service, action)
    if op is not None and op.input_shape is not None:
        self._to_boto_request(parameters, op.input_shape)


def _normalise_response(
    self: Any,
    response: Any,
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    service = self._get_boto_service_name(boto_service_name=boto_service_name)
    action = self._get_boto_service_action(service_action_name=service_action_name)
    op = _operation_model(service, action)
    if op is not None and op.output_shape is not None:
        self._from_boto_response(response, op.output_shape)
    # boto parses timestamps into datetime objects, which then sit in the state
    # data: DescribeExecution of an execution whose output holds one fails with
    # HTTP 500 "Object of type datetime is not JSON serializable" (e.g. the
    # output of states:startExecution.sync, or an unselected aws-sdk:s3:getObject
    # LastModified). AWS gives epoch milliseconds in optimised integrations
    # (e.g. StartDate of startExecution.sync) and ISO-8601 strings in aws-sdk ones.
    _dates_to_json(response, iso=isinstance(self, _AwsSdkService))


def _dates_to_json(value: Any, iso: bool) -> Any:
    def conv(v: Any) -> Any:
        if isinstance(v, datetime.datetime):
            if v.tzinfo is None:
                v = v.replace(tzinfo=datetime.timezone.utc)
            return _aws_time(v) if iso else int(v.timestamp() * 1000)
        return _dates_to_json(v, iso)

    if isinstance(value, dict):
        for k in list(value):
            value[k] = conv(value[k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            value[i] = conv(v)
    return value


from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk as _stsa,
)

_AwsSdkService = _stsa.StateTaskServiceAwsSdk
_sts.StateTaskService._normalise_parameters = _normalise_parameters
_sts.StateTaskService._normalise_response = _normalise_response

# aws-sdk error names: AWS prefixes the error with the service's name in SDK
# casing ("S3.NoSuchKeyException"); moto knows only dynamodb and sfn and falls
# back to the resource's name ("s3.NoSuchKeyException").
_stsa._SERVICE_ERROR_NAMES.setdefault("s3", "S3")


# ---------------------------------------------------------------------------
# Bug 4: the interpreter's exceptions (moto.stepfunctions.parser.api:
# InvalidDefinition, ResourceNotFound, ...) carry their AWS code as the class
# attribute `code` (LocalStack style) but subclass moto's AWSError, which reads
# `TYPE` (None there). So responses say {"__type": null} and the JS SDK v3 throws
# "TypeError: Cannot read properties of null (reading 'indexOf')". Fall back to
# the class's `code` (or its name) and `status_code`. Also let them be raised
# without a message (`raise InvalidToken()` would be a TypeError otherwise).
# ---------------------------------------------------------------------------
from moto.core.exceptions import AWSError

_orig_awserror_init = AWSError.__init__


def _awserror_init(
    self: Any, message: str = "", exception_type: str | None = None, status: int | None = None
) -> None:
    cls = type(self)
    if exception_type is None and getattr(cls, "TYPE", None) is None:
        code = getattr(cls, "code", None)
        exception_type = code if isinstance(code, str) else cls.__name__
        if status is None:
            status_code = getattr(cls, "status_code", None)
            status = status_code if isinstance(status_code, int) else None
    _orig_awserror_init(self, message or "", exception_type, status)


AWSError.__init__ = _awserror_init  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# Bugs 2 and 3 (+ versions and aliases): StepFunctionsParserBackend.start_execution
#  - deep-copies the whole StateMachine, which drags the backend and the running
#    executions (threads, RLocks) along: the second StartExecution in an
#    account/region fails with HTTP 500 "cannot pickle '_thread.RLock'"
#    (getmoto/moto#10077). Copy only what an execution needs.
#  - without `name`, the ARN ends in ":None" (and the second unnamed run is an
#    ExecutionAlreadyExists). Generate a uuid like AWS.
#  - a version ARN (`<arn>:3`) runs, but the execution is recorded on the
#    version object, so DescribeExecution (which looks executions up on the
#    unqualified machine by name) cannot find it; an alias ARN (`<arn>:prod`)
#    is rejected. Resolve alias -> version (the highest-weight route) -> its
#    definition, and record every execution on the unqualified machine.
# ---------------------------------------------------------------------------
from moto.stepfunctions.models import StateMachineInstance
from moto.stepfunctions.parser.api import InvalidExecutionInput
from moto.stepfunctions.parser.backend.execution import Execution
from moto.stepfunctions.parser.models import StepFunctionsParserBackend


def _resolve_run_target(backend: Any, arn: str) -> tuple[Any, Any]:
    """(unqualified machine, the instance whose definition runs)"""
    parts = arn.split(":")
    if len(parts) == 8 and not parts[-1].isnumeric():  # alias ARN
        alias = backend.describe_state_machine_alias(arn)
        route = max(alias.routing_configuration, key=lambda r: r.get("weight", 0))
        arn = route["stateMachineVersionArn"]
        parts = arn.split(":")
    target = backend.describe_state_machine(arn)
    if len(parts) == 8:  # version ARN
        base = backend.describe_state_machine(":".join(parts[:7]))
        return base, target
    return target, target


def _start_execution(
    self: Any,
    state_machine_arn: str,
    name: str | None = None,
    execution_input: str | None = None,
    trace_header: Any = None,
) -> Any:
    base, target = _resolve_run_target(self, state_machine_arn)
    name = name or str(uuid.uuid4())
    self._validate_name(name)
    existing = base._handle_name_input_idempotency(name, execution_input)
    if existing is not None:
        return existing

    input_data = "{}" if execution_input is None else execution_input
    try:
        json.loads(input_data)
    except Exception as ex:
        raise InvalidExecutionInput(str(ex))

    # What Execution reads from the machine: arn, name, definition, roleArn,
    # sm_type. $$.StateMachine.Id is the unqualified machine ARN.
    snapshot = StateMachineInstance(
        arn=base.arn,
        name=base.name,
        definition=copy.deepcopy(target.definition),
        roleArn=target.roleArn,
    )
    snapshot.sm_type = base.sm_type
    execution_arn = (
        f"arn:{self.partition}:states:{self.region_name}:{self.account_id}"
        f":execution:{base.name}:{name}"
    )
    execution = Execution(
        name=name,
        sm_type=base.sm_type,
        role_arn=target.roleArn,
        exec_arn=execution_arn,
        account_id=self.account_id,
        region_name=self.region_name,
        state_machine=snapshot,
        start_date=datetime.datetime.now(tz=datetime.timezone.utc),
        cloud_watch_logging_session=None,
        input_data=input_data,
        trace_header=trace_header,
        activity_store={},
    )
    # What AWS reports of an execution started through an alias or a version (see below).
    qualified = len(state_machine_arn.split(":")) == 8
    execution.flowc_version_arn = target.arn if qualified else None
    execution.flowc_alias_arn = state_machine_arn if qualified and not state_machine_arn.split(":")[-1].isnumeric() else None
    base.executions.append(execution)
    execution.start()
    return execution


StepFunctionsParserBackend.start_execution = _start_execution  # type: ignore[method-assign]

# The mock (non-executing) backend has the same alias problem; not patched, the
# harness always runs in execution mode.


# ---------------------------------------------------------------------------
# Bug 5: ListStateMachineVersions, PublishStateMachineVersion and
# DeleteStateMachineVersion are not implemented (HTTP 500 NotImplementedError).
# Versions made with publish=true on Create/UpdateStateMachine are kept in
# StateMachine.versions; serve the three actions from there.
# ---------------------------------------------------------------------------
from moto.core.responses import ActionResult, EmptyResult
from moto.stepfunctions.exceptions import InvalidArn, StateMachineDoesNotExist
from moto.stepfunctions.responses import StepFunctionResponse


class ConflictException(AWSError):
    TYPE = "ConflictException"
    STATUS = 400


def _unqualified_machine(backend: Any, arn: str) -> Any:
    sm = next((x for x in backend.state_machines if x.arn == arn), None)
    if sm is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    return sm


def _list_state_machine_versions(self: Any) -> ActionResult:
    arn = self._get_param("stateMachineArn")
    max_results = self._get_int_param("maxResults") or 1000
    next_token = self._get_param("nextToken")
    sm = _unqualified_machine(self.stepfunction_backend, arn)
    versions = sorted(sm.versions.values(), key=lambda v: v.version, reverse=True)
    start = int(next_token) if next_token else 0
    page = versions[start : start + max_results]
    response: dict[str, Any] = {
        "stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page
        ]
    }
    if start + max_results < len(versions):
        response["nextToken"] = str(start + max_results)
    return ActionResult(response)


def _publish_state_machine_version(self: Any) -> ActionResult:
    arn = self._get_param("stateMachineArn")
    description = self._get_param("description")
    sm = _unqualified_machine(self.stepfunction_backend, arn)
    latest = sm.latest_version
    # AWS: publishing again without a change since the latest version returns
    # that version instead of making a new one.
    if not (
        latest is not None
        and latest.definition == sm.definition
        and latest.roleArn == sm.roleArn
    ):
        sm.publish(description=description)
    version = sm.latest_version
    return ActionResult(
        {"creationDate": version.creation_date, "stateMachineVersionArn": version.arn}
    )


def _delete_state_machine_version(self: Any) -> EmptyResult:
    version_arn = self._get_param("stateMachineVersionArn")
    parts = version_arn.split(":")
    if len(parts) != 8 or not parts[-1].isnumeric():
        raise InvalidArn(f"Invalid State Machine Version Arn: '{version_arn}'")
    sm = next(
        (x for x in self.stepfunction_backend.state_machines if x.arn == ":".join(parts[:7])),
        None,
    )
    if sm is None:
        return EmptyResult()  # AWS: deleting a missing version succeeds
    number = int(parts[-1])
    for alias in sm.aliases.values():
        if any(r["stateMachineVersionArn"] == version_arn for r in alias.routing_configuration):
            raise ConflictException(
                f"Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{alias.arn}]"
            )
    sm.versions.pop(number, None)
    if sm.latest_version is not None and sm.latest_version.version == number:
        sm.latest_version = sm.versions[max(sm.versions)] if sm.versions else None
    # latest_version_number is kept: AWS never reuses a version number.
    return EmptyResult()


StepFunctionResponse.list_state_machine_versions = _list_state_machine_versions  # type: ignore[attr-defined]
StepFunctionResponse.publish_state_machine_version = _publish_state_machine_version  # type: ignore[attr-defined]
StepFunctionResponse.delete_state_machine_version = _delete_state_machine_version  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Executions forget the alias or version they were started through: AWS's
# DescribeExecution and ListExecutions return stateMachineAliasArn and
# stateMachineVersionArn for them (and the "Execution Status Change" event's
# detail carries the same fields), and ListExecutions accepts an alias or version
# ARN to list only the executions started through it. moto returns neither field
# and rejects a qualified ARN. The start above records both; serve them here.
# (Pages of a qualified listing are offsets into the filtered list.)
# ---------------------------------------------------------------------------
from moto.stepfunctions.parser.api import ExecutionStatus as _ExecutionStatus

_orig_describe_execution = StepFunctionResponse.describe_execution


def _started_through(execution: Any) -> dict[str, str]:
    out = {}
    if getattr(execution, "flowc_version_arn", None):
        out["stateMachineVersionArn"] = execution.flowc_version_arn
    if getattr(execution, "flowc_alias_arn", None):
        out["stateMachineAliasArn"] = execution.flowc_alias_arn
    return out


def _describe_execution(self: Any) -> ActionResult:
    result = _orig_describe_execution(self)
    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    return ActionResult({**result.result, **_started_through(execution)})  # type: ignore[dict-item]


def _list_executions(self: Any) -> ActionResult:
    arn = self._get_param("stateMachineArn")
    parts = arn.split(":")
    base_arn = ":".join(parts[:7])
    state_machine = self.stepfunction_backend.describe_state_machine(base_arn)
    if len(parts) == 8:  # the qualifier must exist, as on AWS
        if parts[-1].isnumeric():
            self.stepfunction_backend.describe_state_machine(arn)
        else:
            self.stepfunction_backend.describe_state_machine_alias(arn)
    results = self.stepfunction_backend.list_executions(base_arn, status_filter=self._get_param("statusFilter"), max_results=1_000_000)[0]
    if len(parts) == 8:
        field = "flowc_version_arn" if parts[-1].isnumeric() else "flowc_alias_arn"
        results = [e for e in results if getattr(e, field, None) == arn]
    start = int(self._get_param("nextToken") or 0)
    size = self._get_int_param("maxResults") or 100
    page = results[start : start + size]
    executions = []
    for execution in page:
        item = {"executionArn": execution.execution_arn, "name": execution.name, "startDate": execution.start_date, "stateMachineArn": state_machine.arn, "status": execution.status}
        if execution.status in [_ExecutionStatus.SUCCEEDED, _ExecutionStatus.FAILED, _ExecutionStatus.ABORTED]:
            item["stopDate"] = execution.stop_date
        executions.append({**item, **_started_through(execution)})
    more = start + size < len(results)
    return ActionResult({"executions": executions, **({"nextToken": str(start + size)} if more else {})})


StepFunctionResponse.describe_execution = _describe_execution  # type: ignore[method-assign]
StepFunctionResponse.list_executions = _list_executions  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# Speed: the interpreter re-parses every JSONPath with jsonpath_ng (a PLY parser
# built anew per call, ~13 ms) each time a path is evaluated, so a Map whose
# ItemSelector has a few paths spends ~25-50 ms per item under the GIL, and a
# nested Distributed Map over 20x3 items took 15 s instead of 4 s. The parsed
# expressions are immutable: cache them.
# ---------------------------------------------------------------------------
import functools

from moto.stepfunctions.parser.asl.component.common.path import result_path as _result_path
from moto.stepfunctions.parser.asl.utils import json_path as _json_path

_json_path.parse = functools.lru_cache(maxsize=8192)(_json_path.parse)
_result_path.parse = functools.lru_cache(maxsize=8192)(_result_path.parse)


# ---------------------------------------------------------------------------
# JSONPath results: moto's extract_json returns a list whenever the match sits
# under an array index (its fix for getmoto/moto#7825), so `$.Executions[0].Name`
# gives ["name"] where AWS gives "name". Keep lists for indefinite paths
# ([*], slices, filters, unions, .., .*) and return the single match of a
# definite path as is, like AWS.
# ---------------------------------------------------------------------------
import re

import moto.stepfunctions.parser.asl.parse.asl_parser  # noqa: F401  (imports every component)

_orig_extract_json = _json_path.extract_json
_INDEFINITE_PATH = re.compile(
    r"\[\s*\*\s*\]|\.\*|\.\.|\[\s*\?|\[[^\]'\"]*:[^\]'\"]*\]|\[[^\]'\"]*,[^\]'\"]*\]"
)


def _extract_json(path: str, data: Any) -> Any:
    if not _INDEFINITE_PATH.search(path):
        matches = _json_path.parse(path).find(data)
        if len(matches) == 1:
            return matches[0].value
    return _orig_extract_json(path, data)


for _mod in list(sys.modules.values()):
    if getattr(_mod, "__name__", "").startswith("moto.stepfunctions.parser") and getattr(
        _mod, "extract_json", None
    ) is _orig_extract_json:
        _mod.extract_json = _extract_json  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Context object times: $$.Execution.StartTime is a datetime object (the
# execution's start_date), so any state output that carries it cannot be
# serialised (DescribeExecution answers HTTP 500 "Object of type datetime is not
# JSON serializable"). $$.State.EnteredTime is isoformat ("+00:00"). AWS gives
# both as "2024-01-02T03:04:05.678Z".
# ---------------------------------------------------------------------------
from moto.stepfunctions.parser.asl.component.state import state as _state_mod
from moto.stepfunctions.parser.asl.eval import evaluation_details as _eval_details


_orig_exec_details_init = _eval_details.ExecutionDetails.__init__


def _exec_details_init(self: Any, arn: Any, name: Any, role_arn: Any, inpt: Any, start_time: Any) -> None:
    _orig_exec_details_init(self, arn, name, role_arn, inpt, _aws_time(start_time))


_eval_details.ExecutionDetails.__init__ = _exec_details_init  # type: ignore[method-assign]
_orig_state_data = _state_mod.StateData
_state_mod.StateData = lambda **kw: _orig_state_data(  # type: ignore[misc]
    **{**kw, **({"EnteredTime": _aws_time(kw["EnteredTime"])} if "EnteredTime" in kw else {})}
)


# ---------------------------------------------------------------------------
# Retried .sync tasks time out at once: StateTaskServiceCallback makes ONE task
# token per state (not per attempt) and _eval_sync always starts a thread waiting
# for that token's callback. The first attempt ends with interrupt_all() on the
# endpoint, so in every retry the waiter returns at once, as "timed out": unless
# the job has already finished at the first poll, the attempt fails with
# States.Timeout (TaskTimedOut in the history) after ~0.5 s. A .sync/.sync:2
# task never gets a task token callback on AWS; do not wait for one. TimeoutSeconds
# still applies (the state's frame ends; see ExecutionState._evaluate_with_timeout).
# ---------------------------------------------------------------------------
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback as _stsc,
)

_orig_callback_eval_sync = _stsc.StateTaskServiceCallback._eval_sync


class _SyncAbandoned(TimeoutError):
    """The state's frame ended (TimeoutSeconds, stopped execution) while polling."""


def _callback_eval_sync(
    self: Any, env: Any, sync_resolver: Any, timeout_seconds: Any, callback_endpoint: Any, heartbeat_endpoint: Any
) -> Any:
    result = _orig_callback_eval_sync(self, env, sync_resolver, timeout_seconds, None, heartbeat_endpoint)
    if result is None and not env.is_running():
        # Without this the abandoned attempt would go on to log a TaskSucceeded
        # event (after the TaskTimedOut/ExecutionFailed) with a null output.
        raise _SyncAbandoned()
    return result


_stsc.StateTaskServiceCallback._eval_sync = _callback_eval_sync  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# StopExecution: Environment.set_error() replaces any program state, so when a
# stopped execution's running state then fails (a Batch task whose job was
# terminated, a state raising on the way out) the execution ends FAILED instead
# of ABORTED. A stopped (or timed-out) program keeps its state.
# ---------------------------------------------------------------------------
from moto.stepfunctions.parser.asl.eval import environment as _environment
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped, ProgramTimedOut

_orig_set_error = _environment.Environment.set_error


def _set_error(self: Any, error: Any) -> None:
    if isinstance(self._program_state, (ProgramStopped, ProgramTimedOut)):
        return
    _orig_set_error(self, error)


_environment.Environment.set_error = _set_error  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# Errors out of Parallel branches and inline Map iterations: the interpreter
# re-raises a branch's/iteration's error as CustomErrorName(error), which refuses
# names starting with "States.", so a branch failing with States.TaskFailed (a
# failed Batch job) or States.Timeout made the Parallel/Map fail with
# States.Runtime ("Custom Error Names MUST NOT begin with the prefix
# 'States.'"), and Retry/Catch on States.TaskFailed never matched. Propagate
# States.* names as what they are (AWS: the Parallel/Map fails with the
# branch's error).
# ---------------------------------------------------------------------------
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import iteration_worker as _iteration_worker
from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl as _branches_decl


def _propagated_error_name(error_name: str | None) -> ErrorName:
    if error_name is not None and error_name.startswith("States."):
        try:
            return StatesErrorName.from_name(error_name)
        except ValueError:
            name = CustomErrorName.__new__(CustomErrorName)
            ErrorName.__init__(name, error_name=error_name)
            return name
    return CustomErrorName(error_name=error_name)


_iteration_worker.CustomErrorName = _propagated_error_name  # type: ignore[misc,assignment]
_branches_decl.CustomErrorName = _propagated_error_name  # type: ignore[misc,assignment]


# ---------------------------------------------------------------------------
# Map workers recurse once per item: a worker's _eval_pool evaluates its job,
# then calls itself for the next one, so a worker that gets more than ~990
# items (a 20,000-item Distributed Map with MaxConcurrency 8: 2,500 each) dies
# with RecursionError, its job is never closed, and the Map Run waits forever
# (the execution stays RUNNING). AWS has no such bound. Loop instead; every
# step is the original's, in the same order.
# ---------------------------------------------------------------------------
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import (
    iteration_worker as _iteration_worker,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor import (
    distributed_item_processor_worker as _dist_worker,
)


def _looping_eval_pool(distributed: bool) -> Any:
    # The distributed worker deletes its frames, the inline one closes them and, after its last job,
    # points the Map's next events at that job's (as the originals do).
    def end(owner: Any, frame: Any) -> None:
        owner.delete_frame(frame) if distributed else owner.close_frame(frame)

    def eval_pool(self: Any, job: Any, worker_frame: Any) -> None:
        while True:
            if job is None:
                end(self._env, worker_frame)
                return
            job_frame = worker_frame.open_inner_frame()
            self._eval_job(env=job_frame, job=job)
            end(worker_frame, job_frame)
            if isinstance(job.job_output, Exception) or self.stopped():
                end(self._env, worker_frame)
                self._job_pool.close_job(job)
                return
            next_job = self._job_pool.next_job()
            if next_job is None:
                if not distributed:
                    worker_frame.event_history_context.source_event_id = job_frame.event_history_context.last_published_event_id
                end(self._env, worker_frame)
                self._job_pool.close_job(job)
                return
            self._job_pool.close_job(job)
            job = next_job

    return eval_pool


_dist_worker.DistributedItemProcessorWorker._eval_pool = _looping_eval_pool(distributed=True)  # type: ignore[method-assign]
_iteration_worker.IterationWorker._eval_pool = _looping_eval_pool(distributed=False)  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# ResultWriter paths read the wrong document: its Parameters (`"Prefix.$":
# "$.runId"`) are evaluated against the Map Run's results, the array on top of
# the stack, so any path into the state input fails with States.Runtime. On AWS
# they read the Map state's input, like the ItemReader's. Evaluate them there.
# ---------------------------------------------------------------------------
from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer import (
    result_writer_decl as _result_writer_decl,
)


def _result_writer_eval_body(self: Any, env: Any) -> None:
    results = env.stack.pop()
    env.stack.append(env.states.get_input())
    self.parargs.eval(env=env)
    parameters = env.stack.pop()
    env.stack.pop()
    env.stack.append(results)
    env.stack.append(parameters)
    self.resource_eval.eval_resource(env=env)


_result_writer_decl.ResultWriter._eval_body = _result_writer_eval_body  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# Distributed Map failures are ignored: a child execution that fails is only
# counted, its result is null, and the Map state SUCCEEDS. AWS fails the Map Run
# and the Map state with States.ExceedToleratedFailureThreshold when the failed
# items exceed ToleratedFailureCount/ToleratedFailurePercentage (default 0: any
# failure). Check after the run. (AWS also stops starting new items once the
# threshold is exceeded; here every item still runs. With both thresholds set,
# AWS fails when either is exceeded; here when both are.)
# ---------------------------------------------------------------------------
from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import (
    distributed_iteration_component as _dic,
)
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

_orig_map_run = _dic.DistributedIterationComponent._map_run


def _map_run(self: Any, env: Any, eval_input: Any) -> None:
    _orig_map_run(self, env, eval_input)
    items = eval_input.map_run_record.item_counter
    failed = items.failed.get() + items.timed_out.get() + items.aborted.get()
    total = items.total.get()
    if failed == 0 or not total:
        return
    if failed > (eval_input.tolerated_failure_count or 0) and 100.0 * failed / total > (
        eval_input.tolerated_failure_percentage or 0.0
    ):
        env.stack.pop()  # the outputs pushed by the run
        error = StatesErrorNameType.StatesExceedToleratedFailureThreshold.to_name()
        raise FailureEventException(
            failure_event=FailureEvent(
                env=env,
                error_name=StatesErrorName(typ=StatesErrorNameType.StatesExceedToleratedFailureThreshold),
                event_type=HistoryEventType.MapRunFailed,
                event_details=EventDetails(
                    executionFailedEventDetails=ExecutionFailedEventDetails(
                        error=error,
                        cause="The specified tolerated failure threshold was exceeded",
                    )
                ),
            )
        )


_dic.DistributedIterationComponent._map_run = _map_run  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# Batch .sync task timing out / execution stopped: AWS Step Functions calls
# TerminateJob when a batch:submitJob.sync Task state times out (TimeoutSeconds)
# or its execution is stopped. The interpreter only stops polling. Terminate
# the job when polling ends without a result.
# ---------------------------------------------------------------------------
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_batch as _stsb,
)
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

_orig_batch_build_sync_resolver = _stsb.StateTaskServiceBatch._build_sync_resolver


def _batch_build_sync_resolver(
    self: Any, env: Any, resource_runtime_part: Any, normalised_parameters: Any, state_credentials: Any
) -> Any:
    submission_output = env.stack[-1]
    resolver = _orig_batch_build_sync_resolver(
        self, env, resource_runtime_part, normalised_parameters, state_credentials
    )

    def _resolver() -> Any:
        return resolver()

    _resolver.flowc_job_id = submission_output.get("JobId")  # type: ignore[attr-defined]
    _resolver.flowc_region = resource_runtime_part.region  # type: ignore[attr-defined]
    return _resolver


def _batch_eval_sync(
    self: Any,
    env: Any,
    sync_resolver: Any,
    timeout_seconds: Any,
    callback_endpoint: Any,
    heartbeat_endpoint: Any,
) -> Any:
    try:
        return _stsb.StateTaskServiceCallback._eval_sync(
            self, env, sync_resolver, timeout_seconds, callback_endpoint, heartbeat_endpoint
        )
    except _SyncAbandoned:
        job_id = getattr(sync_resolver, "flowc_job_id", None)
        if job_id:
            try:
                boto_client_for(region=sync_resolver.flowc_region, service="batch").terminate_job(
                    jobId=job_id,
                    reason="Terminated by AWS Step Functions (task timed out or execution stopped)",
                )
            except Exception as ex:
                _say(f"terminate_job({job_id}) failed: {ex}")
        raise


_stsb.StateTaskServiceBatch._build_sync_resolver = _batch_build_sync_resolver  # type: ignore[method-assign]
_stsb.StateTaskServiceBatch._eval_sync = _batch_eval_sync  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# Batch jobs that really run. moto's simple (non-Docker) Batch backend marks a
# job SUCCEEDED (or FAILED with MOTO_SIMPLE_BATCH_FAIL_AFTER) without running
# anything. Instead run the job's container command (the job definition's,
# overridden by containerOverrides.command; Ref:: parameters substituted) as a
# local process, argv as is (no shell, like a container's CMD), in its own
# process group, with the environment = this process's environment + job
# definition env + containerOverrides.environment + the definition's `secrets`
# (fetched from this moto's Secrets Manager / SSM, which needs an executionRoleArn
# as on AWS; else FAILED "ResourceInitializationError: …") + AWS_BATCH_* variables.
#   exit 0 -> SUCCEEDED; else FAILED with statusReason "Essential container in
#   task exited" and container.exitCode; container.reason holds the log
#   directory and the tail of stderr (it ends up in the Step Functions Cause).
#   timeout.attemptDurationSeconds -> process group killed, FAILED,
#   "Job attempt duration exceeded timeout".
#   TerminateJob / CancelJob -> process group killed, FAILED with the reason.
#   (AWS's CancelJob leaves a started job running; here it kills it too.)
# Every job runs in its own thread, so any number of jobs run concurrently.
# ---------------------------------------------------------------------------
from moto.batch.models import BatchBackend, Job
from moto.batch.utils import JobStatus
from moto.batch_simple.models import BatchSimpleBackend

_JOB_LOG_DIR = os.environ.get("FLOWC_MOTO_JOB_LOG_DIR") or tempfile.mkdtemp(
    prefix="moto-batch-jobs-"
)
os.makedirs(_JOB_LOG_DIR, exist_ok=True)
_JOB_CWD = os.environ.get("FLOWC_MOTO_JOB_CWD") or os.getcwd()
_KILL_GRACE = float(os.environ.get("FLOWC_MOTO_JOB_KILL_GRACE", "2"))
_live_groups: set[int] = set()
_live_lock = threading.Lock()


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_all_jobs() -> None:
    with _live_lock:
        groups = list(_live_groups)
    for pgid in groups:
        _kill_group(pgid, signal.SIGKILL)


atexit.register(_kill_all_jobs)


class _SecretsUnavailable(Exception):
    """A job definition's `secrets` could not be fetched: the job fails before it starts, as on AWS."""


def _secret_value(value_from: str) -> str:
    # Batch takes a Secrets Manager ARN (optionally :json-key:version-stage:version-id) or an SSM
    # parameter ARN, and fetches it with the execution role; here from this moto's own backends.
    parts = value_from.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise _SecretsUnavailable(f"{value_from} is not an ARN")
    service, region, account = parts[2], parts[3], parts[4]
    if service == "secretsmanager":
        from moto.secretsmanager.models import secretsmanager_backends

        secret_id = ":".join(parts[:7])
        json_key, stage, version = (parts[7:10] + ["", "", ""])[:3] if len(parts) > 7 else ("", "", "")
        got = secretsmanager_backends[account][region].get_secret_value(secret_id, version or None, stage or None)
        text = got.get("SecretString")
        if text is None:
            raise _SecretsUnavailable(f"{value_from} holds a binary secret")
        if json_key:
            value = json.loads(text)[json_key]
            return value if isinstance(value, str) else json.dumps(value)
        return text
    if service == "ssm":
        from moto.ssm.models import ssm_backends

        name = ":".join(parts[5:])[len("parameter"):]
        param = ssm_backends[account][region].get_parameter(name)
        if param is None:
            raise _SecretsUnavailable(f"parameter {name} does not exist")
        return param.decrypt(param.value) or ""  # Batch reads SecureString parameters decrypted
    raise _SecretsUnavailable(f"{value_from}: secrets come from secretsmanager or ssm, not {service}")


def _job_secrets(job: Job) -> dict[str, str]:
    props = job.job_definition.container_properties or {}
    secrets = props.get("secrets") or []
    if not secrets:
        return {}
    if not props.get("executionRoleArn"):
        raise _SecretsUnavailable("the job definition has secrets but no executionRoleArn to fetch them with")
    out: dict[str, str] = {}
    for s in secrets:
        try:
            out[s["name"]] = _secret_value(s["valueFrom"])
        except _SecretsUnavailable:
            raise
        except Exception as ex:  # moto's SecretNotFound, a missing JSON key, ...
            raise _SecretsUnavailable(f"{s['valueFrom']}: {ex!r}") from ex
    return out


def _job_env(job: Job) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("FLOWC_MOTO_EXIT_ON_STDIN_EOF",):
        env.pop(var, None)
    props = job.job_definition.container_properties or {}
    for e in props.get("environment", []) or []:
        env[e["name"]] = str(e.get("value", ""))
    for e in job.container_overrides.get("environment", []) or []:
        env[e["name"]] = str(e.get("value", ""))
    env.update(_job_secrets(job))
    env["AWS_BATCH_JOB_ID"] = job.job_id
    env["AWS_BATCH_JQ_NAME"] = job.job_queue.name
    env["AWS_BATCH_CE_NAME"] = "local"
    env["AWS_BATCH_JOB_ATTEMPT"] = "1"
    if "index" in job.array_properties:
        env["AWS_BATCH_JOB_ARRAY_INDEX"] = str(job.array_properties["index"])
    return env


def _tail(path: str, n: int = 600) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - n))
            return f.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _finish(job: Job, success: bool, exit_code: int | None, status_reason: str | None, container_reason: str | None) -> None:
    job.exit_code = exit_code
    job.flowc_container_reason = container_reason  # type: ignore[attr-defined]
    if not success:
        job.job_stopped_reason = status_reason
    if job.latest_attempt is not None:
        c = job.latest_attempt["container"]
        if exit_code is not None:
            c["exitCode"] = exit_code
        if container_reason:
            c["reason"] = container_reason[:255]
        if status_reason:
            job.latest_attempt["statusReason"] = status_reason
    job._mark_stopped(success=success)


def _run_job_locally(job: Job) -> None:
    try:
        if job.depends_on and not job._wait_for_dependencies():
            return
        job.job_started_at = datetime.datetime.now()
        job.log_stream_name = job._stream_name
        job._start_attempt()
        # batch::job statuses progress only on advance() ("manual"); go straight to RUNNING.
        job.status = JobStatus.RUNNING
        if job.stop:  # cancelled or terminated before it started
            _finish(job, False, None, job.job_stopped_reason, None)
            return
        if job.job_definition.container_properties is None:
            _finish(job, False, None, "flowc-moto runs container jobs only", None)
            return
        command = job._add_parameters_to_command(job._get_container_property("command", []))
        safe_name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in job.job_name)
        log_dir = os.path.join(_JOB_LOG_DIR, f"{safe_name}-{job.job_id.replace(':', '-')}")
        os.makedirs(log_dir, exist_ok=True)
        out_path = os.path.join(log_dir, "stdout")
        err_path = os.path.join(log_dir, "stderr")
        with open(os.path.join(log_dir, "command.json"), "w") as f:
            json.dump({"command": command, "jobId": job.job_id, "jobName": job.job_name}, f)
        attempt = job._get_attempt_duration()
        deadline = time.monotonic() + attempt if attempt else None
        try:
            job_env = _job_env(job)
        except _SecretsUnavailable as ex:
            # AWS's wording when the execution role cannot fetch a container's secrets.
            _say(f"job {job.job_name} ({job.job_id}) cannot get its secrets: {ex}")
            _finish(job, False, None, f"ResourceInitializationError: unable to pull secrets or registry auth: {ex}"[:255], None)
            return
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            try:
                proc = subprocess.Popen(
                    [str(c) for c in command],
                    env=job_env,
                    cwd=_JOB_CWD,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                )
            except OSError as ex:
                _say(f"job {job.job_name} ({job.job_id}) cannot start {command!r}: {ex}")
                _finish(job, False, 127, "CannotStartContainerError: " + str(ex)[:200], f"logs: {log_dir}")
                return
            with _live_lock:
                _live_groups.add(proc.pid)
            _say(f"job {job.job_name} ({job.job_id}) pid {proc.pid}: {command!r}; logs: {log_dir}")
            killed_reason: str | None = None
            try:
                while True:
                    try:
                        proc.wait(timeout=0.1)
                        break
                    except subprocess.TimeoutExpired:
                        pass
                    if job.stop:
                        killed_reason = job.job_stopped_reason or "Terminated"
                    elif deadline is not None and time.monotonic() > deadline:
                        killed_reason = "Job attempt duration exceeded timeout"
                    if killed_reason:
                        _kill_group(proc.pid, signal.SIGTERM)
                        try:
                            proc.wait(timeout=_KILL_GRACE)
                        except subprocess.TimeoutExpired:
                            _kill_group(proc.pid, signal.SIGKILL)
                            proc.wait()
                        break
            finally:
                # Like a container: once the main process is gone, so is everything it started.
                _kill_group(proc.pid, signal.SIGKILL)
                with _live_lock:
                    _live_groups.discard(proc.pid)
        rc = proc.returncode
        _say(f"job {job.job_name} ({job.job_id}) exited {rc}" + (f" ({killed_reason})" if killed_reason else ""))
        stderr_tail = _tail(err_path, 400)
        container_reason = f"logs: {log_dir}" + (f"; stderr: {stderr_tail}" if stderr_tail else "")
        if killed_reason:
            _finish(job, False, rc, killed_reason, container_reason)
        elif rc == 0:
            _finish(job, True, 0, None, None)
        else:
            _finish(job, False, rc, "Essential container in task exited", container_reason)
        _put_logs(job, out_path, err_path)
    except Exception as ex:  # never leave a job RUNNING forever
        _say(f"job {job.job_id} runner crashed: {ex!r}")
        _finish(job, False, None, f"flowc-moto runner error: {ex!r}"[:255], None)


def _put_logs(job: Job, out_path: str, err_path: str) -> None:
    """Also put the output into CloudWatch Logs (/aws/batch/job), like the Docker backend."""
    try:
        now = int(time.time() * 1000)
        events = []
        for path in (out_path, err_path):
            with open(path, "r", errors="replace") as f:
                events += [{"timestamp": now, "message": line.rstrip("\n")} for line in f if line.strip()]
        if events:
            job._log_backend.ensure_log_group(job._log_group)
            job._log_backend.ensure_log_stream(job._log_group, job.log_stream_name)
            job._log_backend.put_log_events(job._log_group, job.log_stream_name, events)
    except Exception as ex:
        _say(f"could not put logs of job {job.job_id}: {ex!r}")


def _wait_array_parent(job: Job) -> None:
    job.status = JobStatus.RUNNING
    while job._child_jobs is None:
        time.sleep(0.1)
    while not all(c.job_stopped for c in job._child_jobs):
        time.sleep(0.2)
    job.job_started_at = datetime.datetime.now()
    ok = all(c.status == JobStatus.SUCCEEDED for c in job._child_jobs)
    _finish(job, ok, None, None if ok else "Array child job failed", None)


def _mark_job_as_finished(self: Any, include_start_attempt: bool, job: Job) -> None:
    # Despite its name, BatchSimpleBackend calls this once per submitted job (and
    # array child); `include_start_attempt` is False only for an array parent.
    self.backend._jobs[job.job_id] = job
    target = _run_job_locally if include_start_attempt else _wait_array_parent
    threading.Thread(target=target, args=(job,), name=f"flowc-batch-{job.job_id}", daemon=True).start()


BatchSimpleBackend._mark_job_as_finished = _mark_job_as_finished  # type: ignore[method-assign]


_orig_cancel_job = BatchBackend.cancel_job


def _cancel_job(self: Any, job_id: str, reason: str) -> None:
    _orig_cancel_job(self, job_id, reason)  # keeps its validation errors
    job = self.get_job_by_id(job_id)
    if job is not None and not job.job_stopped:
        job.terminate(reason)


BatchBackend.cancel_job = _cancel_job  # type: ignore[method-assign]

_orig_job_terminate = Job.terminate


def _job_terminate(self: Job, reason: str) -> None:
    # Terminating a job that has already stopped must not rewrite its statusReason.
    if not self.job_stopped:
        _orig_job_terminate(self, reason)


Job.terminate = _job_terminate  # type: ignore[method-assign]

_orig_get_container_property = Job._get_container_property


def _get_container_property(self: Job, p: str, default: Any) -> Any:
    # moto's version appends the job definition's env and AWS_BATCH_JOB_ID to the
    # containerOverrides list itself, so every DescribeJobs (Step Functions polls
    # twice a second) grows it. Merge into a new list instead.
    if p == "environment":
        props = self.job_definition.container_properties or {}
        merged: dict[str, Any] = {}
        for e in props.get("environment", []) or []:
            merged[e["name"]] = e.get("value")
        for e in self.container_overrides.get("environment", []) or []:
            merged[e["name"]] = e.get("value")
        merged["AWS_BATCH_JOB_ID"] = self.job_id
        return [{"name": k, "value": v} for k, v in merged.items()]
    return _orig_get_container_property(self, p, default)


Job._get_container_property = _get_container_property  # type: ignore[method-assign]

_orig_container_details = Job._container_details


def _container_details(self: Job) -> dict[str, Any]:
    # DescribeJobs' container has no exitCode/reason in moto (describe() replaces
    # describe_short()'s container); AWS reports both for a stopped job.
    details = _orig_container_details(self)
    if self.job_stopped and self.exit_code is not None:
        details["exitCode"] = self.exit_code
    reason = getattr(self, "flowc_container_reason", None)
    if reason:
        details["reason"] = reason[:255]
    return details


Job._container_details = _container_details  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# Process lifetime: exit when the spawning test process goes away.
# ---------------------------------------------------------------------------
def _exit_now(why: str) -> None:
    _say(f"{why}: killing job processes and exiting")
    _kill_all_jobs()
    os._exit(0)


def _exit_on_stdin_eof() -> None:
    # os.read on the raw fd: a daemon thread blocked in sys.stdin's buffered
    # reader makes interpreter shutdown abort ("could not acquire lock").
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    _exit_now("stdin closed (the process that started us is gone)")


def main() -> None:
    import moto.server
    from moto.core.config import default_user_config

    # Execution mode from the start (the harness also POSTs it to /moto-api/config).
    # It must be on before CreateStateMachine: the two modes keep separate stores.
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    default_user_config["batch"] = {"use_docker": False}

    # moto's SIGINT/SIGTERM handler calls sys.exit() and the interpreter then
    # waits on the server's threads; exit at once, taking the jobs along.
    moto.server.signal_handler = lambda signum, frame: _exit_now(f"signal {signum}")  # type: ignore[attr-defined]

    _say(f"moto {moto.__version__}, batch job logs in {_JOB_LOG_DIR}")
    if os.environ.get("FLOWC_MOTO_EXIT_ON_STDIN_EOF") == "1":
        threading.Thread(target=_exit_on_stdin_eof, name="flowc-stdin-watch", daemon=True).start()
    moto.server.main(sys.argv[1:])


if __name__ == "__main__":
    main()
