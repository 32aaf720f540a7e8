"""Every place wsbdd writes a failure sentence is known: pinned whole, or listed with why not.

An AST scan of wsbdd/ (the demo server aside: its errors go to its own WebSocket
clients as JSON, not to a tester) counts, per function, the *sentence sites*:

- ``raise SomeError(...)``: an exception built there with some text (a bare
  ``raise`` or ``raise error`` re-raises a sentence built elsewhere, and
  ``raise ConnectionLost()`` or ``raise send.exception()`` is a signal without words
  that a caller words, or re-raises: neither is counted);
- ``Failure(...)`` outside a ``raise`` (a failure built as data for an Outcome).

Each function's count must equal its entry in :data:`PINNED` (sites whose whole
sentence a ``tests/test_sentences_*.py`` test pins with the harness in
tests/sentences.py) plus its entry in :data:`NOT_PINNED` (sites left out, with the
reason).  A new sentence makes the count grow, and this test fails until the
sentence is pinned and counted here (docs/contributing.md, "Failure sentences").

The pinned counts were taken by running the tests/test_sentences_*.py files (and
tests/test_socketio_polling.py, which pins the long-polling transport's sentences with
the same harness against its own servers) under coverage and counting the sites they
reach; to check them again::

    .venv/bin/pip install coverage
    .venv/bin/python -m coverage run --source=wsbdd -m pytest -q tests/test_sentences_*.py \
        tests/test_socketio_polling.py
    .venv/bin/python -m coverage json -o /tmp/cov.json
    .venv/bin/python tests/test_sentences_sites.py /tmp/cov.json

Every PINNED site reads "reached" but those pinned in a process of their own, which
coverage does not follow: :data:`IN_A_SUBPROCESS` names them (the script marks them).
"""

from __future__ import annotations

import ast
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "wsbdd"

# Why a site is not pinned by the harness.

PINNED = {
    "codec.socketio:_bounded_int": 1,
    "check.scenario:_check_address": 1,
    "codec.registry:find_codec": 3,
    "codec.registry:register_codec": 2,
    # The [codecs] table's sentences: tests/test_sentences_codecs.py.
    "codec.registry:register_project_codec": 9,
    "settings.config:_project_codecs": 2,
    # The Socket.IO codec's sentences: tests/test_sentences_socketio.py.
    "codec.socketio:SocketIOCodec._attachment": 2,
    "codec.socketio:SocketIOCodec._check_payload": 4,
    "codec.socketio:SocketIOCodec._connected": 1,
    "codec.socketio:SocketIOCodec._control": 1,
    "codec.socketio:SocketIOCodec._decode": 3,
    "codec.socketio:SocketIOCodec._emit": 2,
    "codec.socketio:SocketIOCodec._message": 4,
    "codec.socketio:SocketIOCodec.encode": 1,
    # The STOMP codec's and settings' sentences: tests/test_sentences_stomp.py.
    "codec.stomp:StompCodec._ack_headers": 3,
    "codec.stomp:StompCodec._connected": 1,
    "codec.stomp:StompCodec._frame": 1,
    "codec.stomp:StompCodec._headers": 3,
    "codec.stomp:StompCodec._next_frame": 6,
    "codec.stomp:StompCodec._parts": 3,
    "codec.stomp:StompCodec.encode": 1,
    "codec.stomp:_heart_beat": 2,
    "codec.stomp:_need": 1,
    "codec.stomp:_texts": 2,
    "codec.stomp:_version_list": 1,
    "codec.stomp:unescape": 1,
    "settings.config:_stomp_heart_beat": 2,
    "settings.config:_stomp_passcode": 2,
    "settings.config:_stomp_version": 1,
    "expect.response:capture": 1,
    "expect.response:compile_capture": 1,
    "expect.response:expect_header": 2,
    "expect.response:expect_matches": 2,
    "expect.response:expect_no_header": 1,
    "expect.response:expect_status": 1,
    "expect.response:expect_text": 1,
    "expect.response:value_at": 2,
    "expect:AnyOrder.expire": 1,
    "expect:Count._failed": 3,
    "expect:InOrder.expire": 1,
    "expect:Quiet.closed": 1,
    "expect:Quiet.feed": 1,
    "expect:Receive.expire": 1,
    "expect:Until.expire": 2,
    "expect:_failed": 1,
    "expect:group_verdict": 2,
    "facade.groups:judge_quiet": 1,
    "facade.groups:judge_receives": 1,
    "facade.groups:members_of": 1,
    "facade.groups:refuse_unopened": 1,
    "facade.identities:handshakes": 1,
    "facade.identities:url_for": 2,
    "facade.open_files:ensure_open_files": 1,
    "facade.session:Session._wait": 2,
    "facade.reconnection:judge_reconnect": 9,  # a codec that failed: _codec_failed
    "facade.reconnection:judge_recovered": 4,
    "facade.session:Session.client": 4,
    "facade.session:Session.drop": 1,
    "facade.session:Session.expect_reconnected": 1,
    "facade.session:Session.collected_by": 1,
    "facade.session:Session.connect_all": 1,
    "facade.session:Session.expect_pong": 1,
    "facade.session:Session.follow_redirect": 2,
    "facade.session:Session.last_message": 1,
    "facade.session:Session.remember": 1,
    "facade.session:Session.remember_match": 2,
    "facade.session:Session.response": 1,
    "facade.session:Session.send_each": 3,  # test_codec_session, test_sentences_hard_edges
    "facade.session:_verdict": 1,
    "io.connection:open_connection": 2,
    "io.http:HttpClients._send": 1,
    # tests/test_socketio_polling.py pins these through a Session.
    "io.polling:open_polling": 3,
    "io.polling:PollingConnection.ping": 1,
    "io.http:HttpClients.need_cookie": 1,
    "io.http:HttpClients.request": 3,  # httpx refusals: test_sentences_http_refusals
    "load.engine:_send_correlated": 1,  # a refused intent: tests/test_codec_session.py
    "crowd.plan:wait_for_plan": 1,  # test_sentences_guards: a Locust master with no plan
    "load.driver:LoadDriver._finish_sending": 1,  # test_sentences_guards: no send went out
    "load.driver:LoadDriver._live": 1,
    "load.driver:LoadDriver._need_run": 1,
    "load.driver:LoadDriver.connect": 1,
    "load.driver:LoadDriver.expect_connections": 1,
    "load.driver:LoadDriver.payloads": 2,
    "load.driver:_load_failure": 1,
    "load.driver:delivered": 2,
    "load.driver:latency_below": 1,
    "load.metrics:LoadMetrics.latencies": 1,
    "load.metrics:parse_percentile": 2,
    "load.schedule:_headings": 1,
    "load.schedule:count_offsets": 3,
    "load.schedule:parse_rate": 1,
    "load.schedule:phases_from_rows": 6,
    "load.schedule:send_offsets": 1,
    "match.conditions:_condition_parts": 2,
    "match.conditions:_read_value": 4,
    "match.conditions:_split_words": 1,
    "match.conditions:condition_from_cell": 1,
    "match.grammar:decode_binary": 1,
    "match.grammar:entries_from_table": 3,
    "match.grammar:parse_duration": 2,
    "match.grammar:per_client_words": 1,
    "match.grammar:row_matchers": 2,
    "match.grammar:split_names": 2,
    "match.grammar:table_matcher": 2,
    "match.grammar:template_matcher": 1,
    "match.grammar:templates": 1,
    "match.paths:compile_path": 2,
    "match.template:_compile_regex": 1,
    "match.template:_marker": 2,
    "match.template:compile_template": 1,
    "match.values:parse_value": 1,
    "match.values:quoted_text": 1,
    "match.words:_build_length": 1,
    "match.words:_build_one_of": 1,
    "match.words:_number": 1,
    "match.words:_regex": 1,
    "match.words:_text_of": 1,
    "match.words:value_matcher": 3,
    "model.address:_checked": 9,  # no host in an HTTP address: _http_refusals
    "model.address:resolve": 1,
    "model.address:resolve_http": 1,
    "model.address:resolve_request": 2,
    "model.json_text:read_json": 1,  # deeper than wsbdd reads JSON: test_sentences_match
    "model.errors:WsbddError.__init__": 1,
    "model.variables:Variables.get": 3,
    "model.variables:Variables.render_json": 1,
    "model.variables:_check_settable": 2,
    "model.variables:_read_placeholder": 4,
    # A parallel run's refusals: tests/test_sentences_parallel.py.
    "cli:_seconds": 1,
    "parallel.plan:parse_processes": 2,
    "parallel.plan:plan_run": 3,
    "report.options:ReportOptions.from_table": 3,
    # Results files and their merging: tests/test_sentences_report_merge.py.
    "report.results:read_results": 6,
    "report.merge:merge_runs": 2,
    "report.command:_merged": 1,
    "report.command:results_path": 1,
    "report.options:_count": 1,
    "report.options:_metadata": 3,
    "report.options:_size": 3,
    "settings.config:Settings.new_variables": 1,
    "settings.config:_auto_reply": 10,
    "settings.config:_boolean": 1,
    "settings.config:_build": 2,
    "settings.config:_check_template": 1,
    "settings.config:_codec": 1,
    "settings.config:_duration.parse": 6,
    "settings.config:_from_table": 3,
    "settings.config:_header_name": 1,
    "settings.config:_attempts": 1,
    "settings.config:_inbox_limit": 1,
    "settings.config:_loop_kind": 2,  # both branches: test_sentences_guards
    "settings.config:_max_size": 1,
    "settings.config:_proxy": 2,
    "settings.config:_read_toml": 3,  # not UTF-8: test_sentences_run_mistakes; I/O: _guards
    "settings.config:_secret_table.parse": 1,  # [socketio] auth, [graphql] params
    "settings.config:_socketio_path": 1,
    "settings.config:_socketio_transport": 1,
    "settings.config:_string_list.parse": 3,
    "settings.config:_text": 3,
    "settings.config:_tls_file": 1,
    "settings.config:_tls_settings": 2,
    "settings.config:_token_place": 1,
    "settings.config:_address.parse": 2,  # url, [graphql] url, [stomp] url
    "settings.config:_userdata_path": 2,
    "settings.config:load_settings": 1,
    "settings.tls:client_ssl_context": 2,
    "steps.base:session_of": 1,
    "steps.base:wsbdd_step.step": 1,
    "steps.connection:_headers": 1,
    "steps.groups:_connect": 1,
    "steps.http:_docstring": 1,
    "steps.http:_json_body": 1,
    "steps.http:_rows": 1,
    "steps.http:remember_header": 1,
    "steps.load:_offsets": 1,
    # Step words refused at once (the steps and wsbdd check ask the same functions).
    "match.refusals:messages_to_send": 1,
    "match.refusals:group_size": 1,
    "match.refusals:crowd_size": 2,
    "match.refusals:watch_window": 1,
    "match.refusals:times_to_send": 1,
    "match.refusals:sending_time": 1,
    "match.refusals:share": 2,
    "match.refusals:least_rate": 1,
    "steps.load:every_sends_in_phases": 1,
    "steps.receiving:collected": 1,
    "steps.receiving:receives_text_docstring": 1,
    "steps.receiving:receives_these": 1,
    "steps.sending:_docstring": 1,
    "vocabulary.phrases:_check_condition": 1,
    "vocabulary.phrases:_check_json": 1,
    "vocabulary.phrases:_check_names": 2,
    "vocabulary.phrases:_duration": 1,
    "vocabulary.phrases:_first_pass": 6,
    "vocabulary.phrases:_param_type": 1,
    "vocabulary.phrases:_preset": 2,
    "vocabulary.phrases:_second_pass": 9,
    "vocabulary.phrases:_step_regex": 6,
    "vocabulary.phrases:_strings": 2,
    "vocabulary.phrases:_template_pieces": 2,
    "vocabulary.phrases:parse_phrases": 4,
    "vocabulary.registration:register_configured_phrases": 1,
    "vocabulary.registration:register_phrases": 1,
    "vocabulary.running:_deeper": 1,
    "vocabulary.running:_json_argument": 1,
    "vocabulary.running:_run_steps": 2,
    "vocabulary.running:_session": 1,
    "vocabulary.running:make_step_function.phrase_step": 1,
    "vocabulary.running:perform": 2,
    # Socket.IO steps (tests/test_sentences_socketio.py)
    "expect.events:Answer.expire": 1,
    "expect.events:_one": 2,
    "facade.socketio:SocketIOSession._emitted": 2,
    "facade.socketio:SocketIOSession.socketio_client": 1,
    "facade.socketio:SocketIOSession.acknowledge": 1,
    "facade.socketio:SocketIOSession.wait_ack": 1,
    "facade.socketio:SocketIOSession.emit_and_wait_ack": 1,
    "facade.socketio:SocketIOSession.expect_ack": 2,
    "facade.socketio:SocketIOSession.expect_no_ack": 1,
    "facade.socketio:SocketIOSession.expect_namespace_connected": 2,
    "facade.socketio:SocketIOSession.expect_namespace_refused": 4,
    "facade.socketio:SocketIOSession.expect_server_disconnect": 3,
    "facade.protocols:ProtocolSession.use_protocol": 1,
    "steps.socketio:_load_frame": 2,
    "expect.events:event_args": 2,
    "steps.socketio:event_rows": 2,
    "steps.socketio:emits_docstring": 1,
    # Hard edges (tests/test_sentences_hard_edges.py)
    "expect:Quiet.__init__": 1,
    "match.grammar:seconds": 1,
    "glue.environment:before_scenario": 1,  # tests/test_sentences_run_mistakes.py
    "glue.environment:after_feature": 1,
    "glue.environment:after_all": 1,  # a feature file that cannot be read
    "facade.session:Session.disconnect": 1,
    "facade.session:Session.disconnect_each": 1,
    # The GraphQL codecs and [graphql] settings (tests/test_sentences_graphql_codec.py)
    "codec.graphql:GraphQLCodec._parse": 3,
    "codec.graphql:GraphQLCodec.encode": 2,
    "codec.graphql:GraphQLCodec._start": 4,
    "settings.config:_graphql_path": 1,
    # GraphQL operation steps (tests/test_sentences_graphql.py)
    "expect.operations:result_conditions": 1,
    "expect.operations:_OperationWait.failed": 1,
    "expect.operations:last_result_verdict": 1,
    "expect.operations:NoResult.seen": 1,
    "expect.operations:NoResult.closed": 1,
    "facade.graphql:GraphQLSession.graphql_client": 1,
    "facade.graphql:GraphQLSession.operation": 1,
    "facade.graphql:GraphQLSession.cancel": 1,
    "facade.graphql:GraphQLSession.expect_last_result": 1,
    "steps.graphql:_json_object": 1,
    "steps.graphql:_variables": 1,
    "steps.graphql:_docstring": 1,
    "settings.config:_http_url": 2,
    # STOMP steps (tests/test_sentences_stomp_steps.py)
    "expect.frames:receipt_answer": 1,
    "expect.frames:has_header": 2,
    "expect.frames:broker_refused": 3,
    "facade.stomp:StompSession.stomp_client": 1,
    "facade.stomp:StompSession.expect_broker_refused": 1,
    "facade.stomp:StompSession.stomp_receipt": 2,
    "facade.stomp:StompSession.subscription_id": 1,
    "facade.stomp:StompSession.expect_stomp_message": 1,
    "facade.stomp:StompSession.expect_no_stomp_message": 1,
    "facade.stomp:StompSession.expect_stomp_error": 1,
    "facade.stomp:StompSession.last_stomp_message": 1,
    "facade.stomp:StompSession.kept_message": 1,
    "facade.stomp:StompSession.expect_last_header": 1,
    "facade.stomp:StompSession.acknowledge_message": 2,
    "steps.stomp:_table_headers": 1,
    "steps.stomp:_docstring_body": 1,
    "expect.frames:ack_mode": 1,
    # The Python API's guards and the loop's bridge, called the wrong way
    # (tests/test_sentences_guards.py).
    "load.metrics:HdrLatencies.percentile": 1,
    "load.metrics:Latencies.histogram": 1,
    "load.metrics:Latencies.percentile": 1,
    "load.schedule:Phase.__post_init__": 2,
    "model.response:Response.json": 1,
    "codec.websocket:BaseCodec.encode": 1,
    "io.runtime:LoopThread._arrive": 1,
    "io.runtime:LoopThread._drive": 1,
    "io.runtime:LoopThread._wait_delivered": 1,  # the bridge's safety net
    "io.runtime:LoopThread.run": 2,
    "io.runtime:LoopThread.run_callback": 2,
    "io.runtime:LoopThread.start": 1,
    "io.runtime:new_event_loop": 2,
    "io.runtime:on_ws_loop.decorate.sync_step": 2,
    "load.shard:Channel._line": 2,
    "load.shard:channel": 1,
    "load.shard:ShardDriver.connect": 1,
    # Why init could not vendor a wheel (tests/test_sentences_wheel.py).
    "scaffold.wheel:_build_from_source": 3,
    "scaffold.wheel:_repack": 3,
    "scaffold.wheel:build_wheel": 1,
    # A project codec that does not number its intents (tests/test_sentences_plugin_codecs.py).
    "facade.graphql:GraphQLSession.start_operation": 1,
    "facade.socketio:SocketIOSession.emit": 1,
    "facade.stomp:StompSession.stomp_subscribe": 1,
    # The rest of what was left out before (each file says how it reaches its sentence).
    "facade.socketio:SocketIOSession.count_events": 1,  # test_sentences_socketio_events
    "facade.socketio:SocketIOSession.expect_event": 1,
    "facade.socketio:SocketIOSession.expect_events": 1,
    "facade.socketio:SocketIOSession.expect_no_event": 1,
    "facade.socketio:SocketIOSession.expect_no_event_each": 1,
    "facade.socketio:SocketIOSession.receive_event_each": 1,
    "steps.load:_connect": 1,  # test_sentences_timed: measured times masked
    "load.driver:_verdict": 1,  # test_sentences_timed: a crowd's connections failed
    "glue.environment:after_scenario": 1,  # test_sentences_after_scenario
    "io.client:Client.wait_pong": 1,  # test_sentences_guards
    "io.polling:decode_payload": 1,
    "crowd.command:_demo_server": 1,
    "model.address:websocket_url": 1,
    "report.results:_read_failure": 1,  # test_sentences_results_failure
    "match.values:no_constant": 1,  # NaN in a bracketed value: test_sentences_guards
}

NOT_PINNED: dict[str, tuple[int, str]] = {}


IN_A_SUBPROCESS = {
    # behave itself runs the feature whose file cannot be read (test_sentences_run_mistakes).
    "glue.environment:after_all",
    # wsbdd init run from a copy of the package on PYTHONPATH (test_sentences_wheel).
    "scaffold.wheel:build_wheel",
}
"""PINNED sites a test reaches in a child process (coverage does not see them)."""


def _failures(node: ast.AST) -> Iterator[ast.Call]:
    """``Failure(...)`` calls in one statement's expressions (not in nested statements)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt):
            continue
        if isinstance(child, ast.Call) and getattr(child.func, "id", None) == "Failure":
            yield child
        yield from _failures(child)


def sentence_sites(package: Path = PACKAGE) -> dict[str, list[int]]:
    """``{"module:function": [line, …]}`` for every sentence site in the package."""
    sites: dict[str, list[int]] = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).with_suffix("")
        if relative.parts[0] == "demo":
            continue
        module = ".".join(relative.parts).removesuffix(".__init__")

        def walk(node: ast.AST, names: tuple[str, ...], module: str = module) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    walk(child, (*names, child.name))
                    continue
                key = f"{module}:{'.'.join(names) or '<module>'}"
                if isinstance(child, ast.Raise):
                    # An exception built without a word (ConnectionLost(), StopUser()) is a
                    # signal a caller words, not a sentence.
                    call = child.exc
                    if isinstance(call, ast.Call) and (call.args or call.keywords):
                        sites.setdefault(key, []).append(child.lineno)
                elif isinstance(child, ast.stmt):
                    for _ in _failures(child):
                        sites.setdefault(key, []).append(child.lineno)
                walk(child, names)

        walk(ast.parse(path.read_text(encoding="utf-8")), ())
    return sites


def test_every_sentence_site_is_pinned_or_listed_with_a_reason():
    found = Counter({key: len(lines) for key, lines in sentence_sites().items()})
    known = Counter(PINNED)
    for key, (count, _) in NOT_PINNED.items():
        known[key] += count
    grew = {key: (known[key], found[key]) for key in found if found[key] > known[key]}
    shrank = {key: (known[key], found[key]) for key in known if found[key] < known[key]}
    assert not grew, (
        "New failure sentences (listed: known, found). Pin each whole in a "
        "tests/test_sentences_*.py test and count it in PINNED here "
        f"(docs/contributing.md, 'Failure sentences'): {grew}"
    )
    assert not shrank, f"Sentence sites went away (known, found); lower the counts: {shrank}"


def test_the_reasons_are_given():
    assert all(reason for _, reason in NOT_PINNED.values())
    assert not set(PINNED) & {key for key, (count, _) in NOT_PINNED.items() if count == 0}
    assert IN_A_SUBPROCESS <= set(PINNED)


def test_the_scan_counts_sentences_not_re_raises_or_wordless_signals(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "server.py").write_text("def f():\n    raise ValueError('demo')\n")
    (tmp_path / "steps.py").write_text(
        "def f(x):\n"
        "    if x:\n"
        "        raise FeatureMistake('one')\n"
        "    try:\n"
        "        pass\n"
        "    except KeyError as error:\n"
        "        raise FeatureMistake(Failure(sentence='two')) from None\n"
        "    why = Failure('Alice', 'a message', 'none')\n"
        "    raise\n"
        "    raise ConnectionLost() from None\n"
        "    raise StopUser\n"
        "    raise ValueError(name)\n"
        "class C:\n"
        "    def g(self, error):\n"
        "        raise error\n"
    )
    assert sentence_sites(tmp_path) == {"steps:f": [3, 7, 8, 12]}


def test_the_registry_adds_up_to_what_the_scan_finds():
    sites = sentence_sites()
    listed = sum(PINNED.values()) + sum(count for count, _ in NOT_PINNED.values())
    assert sum(map(len, sites.values())) == listed


def _report(coverage_json: str) -> None:
    """Print each site's line and whether the sentence tests reached it (see the docstring)."""
    files = json.loads(Path(coverage_json).read_text())["files"]
    for key, lines in sorted(sentence_sites().items()):
        module = key.split(":")[0].replace(".", "/")
        path = next(
            (p for p in (f"wsbdd/{module}.py", f"wsbdd/{module}/__init__.py") if p in files), ""
        )
        reached = set(files[path]["executed_lines"]) if path else set()
        for line in lines:
            seen = (
                "reached" if line in reached else "child  " if key in IN_A_SUBPROCESS else "MISSED "
            )
            print(f"{seen}  {key}  line {line}")


if __name__ == "__main__":
    _report(sys.argv[1])
