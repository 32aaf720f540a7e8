"""A catalogue of feature-writer mistakes, run as a tester meets them (issue 16, part 4).

Each row is a mistake as the feature lines a tester writes, the sentence wsbdd answers
with (whole, or its essential clause when the rest carries a step's own words), and what
``wsbdd check`` says of it before anything connects (``SAME``: the run's own sentence;
``None``: only the run catches it).

One feature file holds one scenario per mistake, with a passing scenario after every ten;
REAL behave runs it once against the bundled demo server with ``timeout = 3``, and
``wsbdd check`` reads it once. The run must exit 1 with no traceback, fail every mistake's
scenario with its sentence, pass the passing ones, and name every mistake at once: no
scenario waits out the timeout, and the whole run takes far less than one timeout per
mistake.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from subprocess import CompletedProcess
from typing import Any

import pytest
from subprocesses import run_module
from test_behave_runs import behave, make_project

TIMEOUT = 3
"""The run's timeout in seconds (wsbdd.toml): a mistake must never wait it out."""

SAME = "the run's sentence"
"""In the check column: `wsbdd check` reports the same sentence as the run."""

PASSING_EVERY = 10

PHRASES = """\
[[phrases]]
step = '{client} echoes the object {obj:json}'
send = '{"type": "echo", "content": ${obj}}'
await = '$.type is "echo"'

[[phrases]]
step = '{client} asks for an echo of "{text}" and gets a reply where {cond:condition}'
send = '{"type": "echo", "content": "${text}"}'
await = '$.type is "echo" and ${cond}'
"""
"""Two phrases of the project, for the mistakes made with phrases."""
"""A passing scenario follows every tenth mistake: a mistake spoils no other scenario."""


@dataclass(frozen=True)
class Mistake:
    title: str
    steps: tuple[str, ...]
    sentence: str
    """What the run says: the whole sentence, or its essential clause."""
    check: str | None
    """What `wsbdd check` says (SAME: the run's sentence), or None: only the run catches it."""
    outline: bool = False
    tag: str = ""

    @property
    def check_sentence(self) -> str | None:
        return self.sentence if self.check == SAME else self.check


ROWS = [
    Mistake(
        "a misspelt matcher word",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": 5}',
            "Then Alice receives a message where $.content is greter than 3",
        ),
        (
            'Unknown matcher "is greter than"; did you mean "is greater than"? To compare with '
            'the text "greter than 3", put it in quotes: is "greter than 3".'
        ),
        SAME,
    ),
    Mistake(
        "an unknown matcher word",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": 5}',
            "Then Alice receives a message where $.content is bigger than 3",
        ),
        (
            'Unknown matcher "is bigger than"; did you mean "is greater than"? To compare with '
            'the text "bigger than 3", put it in quotes: is "bigger than 3".'
        ),
        SAME,
    ),
    Mistake(
        "a missing closing quote",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            'Then Alice receives a message where $.content is "hi',
        ),
        (
            'The condition "$.content is "hi" opens a quote it never closes; end the text with '
            'a quote, like: $.content is "hi".'
        ),
        SAME,
    ),
    Mistake(
        "curly quotes",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            "Then Alice receives a message where $.content is “hi”",
        ),
        (
            'The condition "$.content is “hi”" quotes hi with typographic quotes (“”), which '
            'are read as part of the text; write straight quotes: $.content is "hi".'
        ),
        SAME,
    ),
    Mistake(
        "a dangling and",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            'Then Alice receives a message where $.content is "hi" and',
        ),
        (
            'The condition "$.content is "hi" and" has "and" after "hi", but no condition '
            'after it; join conditions with "and" and a $ path, e.g. $.content is "hi" and '
            '$.type is "chat", or remove the last word.'
        ),
        SAME,
    ),
    Mistake(
        "words after the quoted value",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            'Then Alice receives a message where $.content is "hi" please',
        ),
        (
            'The condition "$.content is "hi" please" has "please" after its quoted value '
            '"hi"; write one value in quotes (a quote inside it as \\"): $.content is "hi".'
        ),
        SAME,
    ),
    Mistake(
        "text without quotes",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": 5}',
            "Then Alice receives a message where $.content is at least three",
        ),
        (
            'The condition "$.content is at least three" compares with three, which is not a '
            "number, true, false, null, JSON or quoted text; put text in quotes: $.content is "
            'at least "three".'
        ),
        SAME,
    ),
    Mistake(
        "a number matcher given text",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": 5}',
            'Then Alice receives a message where $.content is greater than "3"',
        ),
        (
            'The matcher "is greater than" needs a number, not "3"; write e.g. $.score is '
            "greater than 3."
        ),
        SAME,
    ),
    Mistake(
        "broken JSON as a value",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": 5}',
            'Then Alice receives a message where $.content is {"a": }',
        ),
        (
            'The value {"a": } is not valid JSON (Expecting value); check its brackets, quotes '
            'and commas, e.g. {"name": "alice", "tags": ["a", "b"]}.'
        ),
        SAME,
    ),
    Mistake(
        "a regular expression that does not compile",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            'Then Alice receives a message where $.content matches "[a-"',
        ),
        (
            'The regular expression "[a-" is not valid (unterminated character set at position '
            '0); fix it, e.g. $.id matches "[a-z]+-[0-9]+".'
        ),
        SAME,
    ),
    Mistake(
        "a JSONPath that does not parse",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            'Then Alice receives a message where $..[ is "hi"',
        ),
        (
            'The JSONPath "$..[" is not valid (Parse error near the end of string); check its '
            "brackets and quotes, e.g. $.items[0].name or $.items[?(@.id == 3)]."
        ),
        SAME,
    ),
    Mistake(
        "a condition without a JSONPath",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            'Then Alice receives a message where content is "hi"',
        ),
        (
            'The condition "content is "hi"" does not start with a JSONPath; conditions look '
            'like: $.type is "chat".'
        ),
        SAME,
    ),
    Mistake(
        "an unknown variable in a condition",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            'Then Alice receives a message where $.content is "${nope}"',
        ),
        (
            'The variable "${nope}" is not set. Set it earlier in the scenario, e.g. And I '
            'remember $.id from Bob\'s last message as "nope"; variables set so far: none.'
        ),
        (
            'The variable "${nope}" is used before it is set. Set it in an earlier step, e.g. '
            'And I remember $.id from Bob\'s last message as "nope".'
        ),
    ),
    Mistake(
        "an unknown variable in a payload",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "${nope}"}',
        ),
        (
            'The variable "${nope}" is not set. Set it earlier in the scenario, e.g. And I '
            'remember $.id from Bob\'s last message as "nope"; variables set so far: none.'
        ),
        (
            'The variable "${nope}" is used before it is set. Set it in an earlier step, e.g. '
            'And I remember $.id from Bob\'s last message as "nope".'
        ),
    ),
    Mistake(
        "an unknown variable in a text",
        (
            "Given Alice is connected",
            'When Alice sends the text "${nope}"',
        ),
        (
            'The variable "${nope}" is not set. Set it earlier in the scenario, e.g. And I '
            'remember $.id from Bob\'s last message as "nope"; variables set so far: none.'
        ),
        (
            'The variable "${nope}" is used before it is set. Set it in an earlier step, e.g. '
            'And I remember $.id from Bob\'s last message as "nope".'
        ),
    ),
    Mistake(
        "broken JSON to send",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": }',
        ),
        (
            'The JSON is not valid: Expecting value at line 1, column 29: {"type": "echo", '
            '"content": }'
        ),
        SAME,
    ),
    Mistake(
        "an unquoted JSON text",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": hi}',
        ),
        (
            'The JSON is not valid: Expecting value at line 1, column 29: {"type": "echo", '
            '"content": hi}'
        ),
        SAME,
    ),
    Mistake(
        "single quotes in JSON",
        (
            "Given Alice is connected",
            "When Alice sends {'type': 'echo'}",
        ),
        (
            "The JSON is not valid: Expecting property name enclosed in double quotes at line "
            "1, column 2: {'type': 'ech …"
        ),
        (
            "The JSON is not valid: Expecting property name enclosed in double quotes at line "
            "1, column 2: {'type': 'echo'}"
        ),
    ),
    Mistake(
        "a trailing comma in JSON",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo",}',
        ),
        (  # Python 3.13's words and place on every Python (wsbdd.model.json_text)
            "The JSON is not valid: Illegal trailing comma before end of object at line 1, "
            'column 16: {"type": "echo",}'
        ),
        SAME,
    ),
    Mistake(
        "broken JSON sent 3 times",
        (
            "Given Alice is connected",
            'When Alice sends 3 messages {"a": }',
        ),
        'The JSON is not valid: Expecting value at line 1, column 7: {"a": }',
        SAME,
    ),
    Mistake(
        "a send step with no docstring",
        (
            "Given Alice is connected",
            "When Alice sends:",
        ),
        'This step needs a docstring under it (between """ lines), e.g. {"type": "ping"}',
        None,
    ),
    Mistake(
        "a text step with no docstring",
        (
            "Given Alice is connected",
            "When Alice sends the text:",
        ),
        'This step needs a docstring under it (between """ lines), e.g. any text',
        None,
    ),
    Mistake(
        "hex that is not hex",
        (
            "Given Alice is connected",
            'When Alice sends binary hex "0g"',
        ),
        '"0g" is not valid hex; write it like "01 ff 7a".',
        SAME,
    ),
    Mistake(
        "base64 that is not base64",
        (
            "Given Alice is connected",
            'When Alice sends binary base64 "@@@"',
        ),
        '"@@@" is not valid base64; write it like "Af96".',
        SAME,
    ),
    Mistake(
        "expected binary that is not hex",
        (
            "Given Alice is connected",
            'Then Alice receives binary hex "zz"',
        ),
        '"zz" is not valid hex; write it like "01 ff 7a".',
        SAME,
    ),
    Mistake(
        "sending 0 messages",
        (
            "Given Alice is connected",
            "When Alice sends 0 messages:",
            '  """',
            '  {"type": "echo"}',
            '  """',
        ),
        (
            "Sending 0 messages sends nothing, so the steps after it check nothing sent; write "
            'how many to send, like "sends 3 messages:".'
        ),
        SAME,
    ),
    Mistake(
        "a client that never connected sends",
        (
            "Given Alice is connected",
            'When Bob sends {"type": "echo", "content": "hi"}',
        ),
        (
            'There is no client called "Bob" in this scenario. Connect it first, e.g. "Given '
            'Bob is connected" (clients so far: Alice).'
        ),
        (
            'Bob is used before it connects. Add "Given Bob is connected" earlier in the '
            "scenario (or in its Background)."
        ),
    ),
    Mistake(
        "a client that never connected disconnects",
        (
            "Given Alice is connected",
            "When Bob disconnects",
        ),
        (
            'There is no client called "Bob" in this scenario. Connect it first, e.g. "Given '
            'Bob is connected" (clients so far: Alice).'
        ),
        (
            'Bob is used before it connects. Add "Given Bob is connected" earlier in the '
            "scenario (or in its Background)."
        ),
    ),
    Mistake(
        "remembering from a client that never connected",
        (
            "Given Alice is connected",
            'When I remember $.content from Bob\'s last message as "x"',
        ),
        (
            'There is no client called "Bob" in this scenario. Connect it first, e.g. "Given '
            'Bob is connected" (clients so far: Alice).'
        ),
        (
            'Bob is used before it connects. Add "Given Bob is connected" earlier in the '
            "scenario (or in its Background)."
        ),
    ),
    Mistake(
        "a quiet window of 0 seconds",
        (
            "Given Alice is connected",
            "Then Alice receives no message within 0 seconds",
        ),
        (
            "A quiet window of 0 seconds watches nothing: write how long to watch for the "
            'message that must not come, like "within 300 ms".'
        ),
        SAME,
    ),
    Mistake(
        "a wait longer than a day",
        (
            "Given Alice is connected",
            'Then Alice receives a message where $.type is "never" within 99999999999 seconds',
        ),
        (
            '"99999999999 seconds" is longer than wsbdd ever waits (24 hours); write a shorter '
            "time (a soak test of days is several scenarios)."
        ),
        SAME,
    ),
    Mistake(
        "a pause longer than a day",
        ("Given I wait 99999999999 seconds",),
        (
            '"99999999999 seconds" is longer than wsbdd ever waits (24 hours); write a shorter '
            "time (a soak test of days is several scenarios)."
        ),
        SAME,
    ),
    Mistake(
        "a decimal comma in a duration",
        (
            "Given Alice is connected",
            "Then Alice receives no message within 1,5 seconds",
        ),
        (
            'No step matches "Then Alice receives no message within 1,5 seconds"; did you mean '
            '"{client} receives a[ny] message [within {time}]"?'
        ),
        (
            'No step matches "Then Alice receives no message within 1,5 seconds"; did you mean '
            '"{client} receives no message[s] [where {conditions}] [within {time}]"?'
        ),
    ),
    Mistake(
        "an unknown unit of time",
        (
            "Given Alice is connected",
            "Then Alice receives no message within 3 fortnights",
        ),
        (
            'No step matches "Then Alice receives no message within 3 fortnights"; did you '
            'mean "{client} receives a[ny] message [within {time}]"?'
        ),
        (
            'No step matches "Then Alice receives no message within 3 fortnights"; did you '
            'mean "{client} receives no message[s] [where {conditions}] [within {time}]"?'
        ),
    ),
    Mistake(
        "a disconnect expected within 0 seconds",
        (
            "Given Alice is connected",
            "Then Alice is disconnected within 0 seconds",
        ),
        "Alice expected to be disconnected within 0 ms, but the connection is still open.",
        None,
    ),
    Mistake(
        "a close code above the range",
        (
            "Given Alice is connected",
            "When Alice closes the connection with code 99999",
        ),
        (
            "A client cannot close with code 99999: write 1000 (normal), 1001 (going away), "
            "another of 1002–1003 and 1007–1014, or an app's own code from 3000 to 4999."
        ),
        SAME,
    ),
    Mistake(
        "close code 1005",
        (
            "Given Alice is connected",
            "When Alice closes the connection with code 1005",
        ),
        (
            "A client cannot close with code 1005 (it is only ever reported, never sent): "
            "write 1000 (normal), 1001 (going away), another of 1002–1003 and 1007–1014, or an "
            "app's own code from 3000 to 4999."
        ),
        SAME,
    ),
    Mistake(
        "a close reason too long",
        (
            "Given Alice is connected",
            (
                "When Alice closes the connection with code 1000 and reason "
                '"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"'
            ),
        ),
        (
            "A close reason is at most 123 bytes of UTF-8, and this one has 130: write a "
            "shorter reason."
        ),
        SAME,
    ),
    Mistake(
        "a client named twice",
        ("Given clients Alice and Alice are connected",),
        "Alice is listed twice; name each client once.",
        SAME,
    ),
    Mistake(
        "headers with no table",
        ("Given Alice is connected with headers:",),
        "Put the headers in a table under the step:",
        None,
    ),
    Mistake(
        "a group of 0 clients",
        ('Given 0 clients in group "players" are connected',),
        (
            'A group of 0 clients checks nothing: every step about "players" would pass with '
            'no one in it; connect at least one, like: Given 3 clients in group "players" are '
            "connected."
        ),
        SAME,
    ),
    Mistake(
        "a crowd of 0 clients",
        ('Given 0 clients in group "crowd" are connected at 10 per second',),
        'A crowd needs at least one client, e.g. "10 clients in group …".',
        SAME,
    ),
    Mistake(
        "a group that was never connected sends",
        (
            "Given Alice is connected",
            'When every client in group "nobody" sends {"type": "echo", "content": "hi"}',
        ),
        (
            'There is no group called "nobody" in this scenario. Create it first, e.g. "Given '
            '5 clients in group "nobody" are connected" (groups so far: none yet).'
        ),
        (
            'There is no group "nobody" yet. Add "Given 5 clients in group "nobody" are '
            'connected" earlier in the scenario.'
        ),
    ),
    Mistake(
        "a group that was never connected receives",
        ('Then every client in group "nobody" receives a message where $.type is "echo"',),
        (
            'There is no group called "nobody" in this scenario. Create it first, e.g. "Given '
            '5 clients in group "nobody" are connected" (groups so far: none yet).'
        ),
        (
            'There is no group "nobody" yet. Add "Given 5 clients in group "nobody" are '
            'connected" earlier in the scenario.'
        ),
    ),
    Mistake(
        "more clients than the group has",
        (
            'Given clients Ann and Ben in group "g" are connected',
            'When every client in group "g" sends {"type": "echo", "content": "hi"}',
            'Then exactly 5 clients in group "g" receive a message where $.content is "hi"',
        ),
        (
            "Exactly 5 of the 2 clients were expected to receive a message where $.content is "
            '"hi" within 3.0 s, but 2 of 2 did (Ann, Ben).'
        ),
        None,
    ),
    Mistake(
        "exactly 0 clients within 0 seconds",
        (
            'Given clients Ann and Ben in group "g" are connected',
            (
                'Then exactly 0 clients in group "g" receive a message where $.type is "nope" '
                "within 0 seconds"
            ),
        ),
        (
            '"exactly 0" within 0 seconds watches nothing: only a wait shows that no more '
            'clients receive one; write how long to watch, like "within 300 ms".'
        ),
        SAME,
    ),
    Mistake(
        "an unknown protocol",
        (
            "Given the server speaks Klingon",
            "And Alice is connected",
        ),
        (
            'wsbdd does not know the protocol "Klingon"; write "Socket.IO", "GraphQL", '
            '"GraphQL over graphql-ws", "STOMP" or "plain WebSocket", or the name of a codec '
            "of your own (docs/codecs.md)."
        ),
        None,
    ),
    Mistake(
        "a Then step under Given",
        ("Given Alice is still connected",),
        (
            '"Alice is still connected" is a Then step, but here it follows Given; write it '
            "after Then (or And under a Then)."
        ),
        SAME,
    ),
    Mistake(
        "a misspelt step",
        ("Given Alice is conected",),
        (
            'No step matches "Given Alice is conected"; did you mean "{client} is connected '
            '[to "{path}"] [with token "{token}"] [with subprotocol[s] "{subprotocols}"/no '
            'subprotocol] [with headers:]"?'
        ),
        SAME,
    ),
    Mistake(
        "a misspelt receive step",
        (
            "Given Alice is connected",
            'Then Alice recieves a message where $.type is "welcome"',
        ),
        (
            'No step matches "Then Alice recieves a message where $.type is "welcome""; did '
            'you mean "{client} receives a message where {conditions} [within {time}]"?'
        ),
        (
            'No step matches "Then Alice recieves a message where $.type is "welcome""; did '
            'you mean "{client} receives a message [within {time}] where:"?'
        ),
    ),
    Mistake(
        "@strikt",
        ("Given Alice is connected",),
        (
            "@strikt is not a tag wsbdd or behave acts on; did you mean @strict (wsbdd: fail "
            "when a client received a message no step checked)?"
        ),
        SAME,
        tag="@strikt",
    ),
    Mistake(
        "a German keyword without # language",
        ("Angenommen Alice is connected",),
        (
            'The scenario "Mistake 52: a German keyword without # language" '
            "(features/example.feature:241) has no steps, so it checks nothing. A line that "
            "does not begin with Given, When, Then, And or But is read as its description; a "
            'keyword of another language needs "# language: de" (or its code) as the file\'s '
            "first line."
        ),
        SAME,
    ),
    Mistake(
        "an Outline without Examples",
        ("Given <who> is connected",),
        (
            'The Scenario Outline "Mistake 53: an Outline without Examples" '
            "(features/example.feature:244) has no Examples rows, so it never ran: add an "
            "Examples table with at least one row under it."
        ),
        SAME,
        outline=True,
    ),
    Mistake(
        "an Outline placeholder with no column",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "<room>"}',
            "",
            "Examples:",
            "  | who   |",
            "  | Alice |",
        ),
        (
            'uses <room>, but the Examples table has no column "room" (its columns: who); add '
            "the column or correct the name."
        ),
        (
            'The step "When Alice sends {"type": "echo", "content": "<room>"}" uses <room>, '
            'but the Examples table has no column "room" (its columns: who); add the column or '
            "correct the name."
        ),
        outline=True,
    ),
    Mistake(
        "expected JSON that is broken",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            "Then Alice receives a message like:",
            '  """',
            '  {"content": }',
            '  """',
        ),
        'The JSON is not valid: Expecting value at line 1, column 13: {"content": }',
        SAME,
    ),
    Mistake(
        "expected messages whose JSON is broken",
        (
            "Given Alice is connected",
            "Then Alice receives these messages in any order:",
            '  """',
            '  [{"a": ]',
            '  """',
        ),
        'The JSON is not valid: Expecting value at line 1, column 8: [{"a": ]',
        SAME,
    ),
    Mistake(
        "a conditions table with no table",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            "Then Alice receives a message where:",
        ),
        "This step needs a table under it, e.g.",
        None,
    ),
    Mistake(
        "a conditions table with the wrong columns",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            "Then Alice receives a message where:",
            "  | field     | value |",
            "  | $.content | hi    |",
        ),
        (
            "The table's columns are field | value; use | path | matcher | value | (or | path "
            "| value | for equality)."
        ),
        SAME,
    ),
    Mistake(
        "messages in order with no table",
        (
            "Given Alice is connected",
            "Then Alice receives these messages in order:",
        ),
        (
            "Put the expected messages under the step, as a table whose headings are JSONPaths "
            "(| $.type | $.content |) or a docstring JSON array of templates."
        ),
        None,
    ),
    Mistake(
        "a table heading that is not a JSONPath",
        (
            "Given Alice is connected",
            "Then Alice receives these messages in order:",
            "  | $..[ |",
            "  | x    |",
        ),
        (
            'The JSONPath "$..[" is not valid (Parse error near the end of string); check its '
            "brackets and quotes, e.g. $.items[0].name or $.items[?(@.id == 3)]."
        ),
        SAME,
    ),
    Mistake(
        "an expected text with no docstring",
        (
            "Given Alice is connected",
            "Then Alice receives the text:",
        ),
        'This step needs the expected text in a docstring under it (between """ lines).',
        None,
    ),
    Mistake(
        "a variable table with no table",
        ('Given I set "x" to the table:',),
        'Put the entries of "x" in a table of two columns under the step, e.g.',
        None,
    ),
    Mistake(
        "a variable set to broken JSON",
        ('Given I set "x" to {"a": }',),
        (
            'The value {"a": } is not valid JSON (Expecting value); check its brackets, quotes '
            'and commas, e.g. {"name": "alice", "tags": ["a", "b"]}.'
        ),
        'The JSON is not valid: Expecting value at line 1, column 7: {"a": }',
    ),
    Mistake(
        "remembering with a JSONPath that does not parse",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": 5}',
            "And Alice receives a message where $.content is 5",
            'And I remember $..[ from Alice\'s last message as "x"',
        ),
        (
            'The JSONPath "$..[" is not valid (Parse error near the end of string); check its '
            "brackets and quotes, e.g. $.items[0].name or $.items[?(@.id == 3)]."
        ),
        SAME,
    ),
    Mistake(
        "remembering a field the message lacks",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": 5}',
            "And Alice receives a message where $.content is 5",
            'And I remember $.nope from Alice\'s last message as "x"',
        ),
        "Alice's last message has no $.nope:",
        None,
    ),
    Mistake(
        "remembering with a broken regular expression",
        (
            "Given Alice is connected",
            'When Alice sends {"type": "echo", "content": "hi"}',
            'And Alice receives a message where $.content is "hi"',
            'And I remember the text matching "(" from Alice\'s last message as "x"',
        ),
        (
            '"(" is not a valid regular expression (missing ), unterminated subpattern at '
            'position 0); mark the part to keep with parentheses, e.g. "ack:(\\d+)" or '
            'value="([^"]+)".'
        ),
        SAME,
    ),
    Mistake(
        "a response status with no request",
        ("Then the response status is 200",),
        (
            'There is no response yet in this scenario; make a request first, e.g. "When I GET '
            '"/api/health"".'
        ),
        SAME,
    ),
    Mistake(
        "a response JSON with no request",
        ("Then the response is JSON where $.x is 1",),
        (
            'There is no response yet in this scenario; make a request first, e.g. "When I GET '
            '"/api/health"".'
        ),
        SAME,
    ),
    Mistake(
        "a response header with no request",
        ('Then the response header "X" is "y"',),
        (
            'There is no response yet in this scenario; make a request first, e.g. "When I GET '
            '"/api/health"".'
        ),
        SAME,
    ),
    Mistake(
        "a response body with no request",
        ('Then the response body contains "x"',),
        (
            'There is no response yet in this scenario; make a request first, e.g. "When I GET '
            '"/api/health"".'
        ),
        SAME,
    ),
    Mistake(
        "remembering from no response",
        ('Given I remember $.x from the response as "x"',),
        (
            'There is no response yet in this scenario; make a request first, e.g. "When I GET '
            '"/api/health"".'
        ),
        SAME,
    ),
    Mistake(
        "a response template with no docstring",
        ("Then the response is like:",),
        'This step needs a JSON docstring under it (between """ lines).',
        # check names the missing response; the run names the missing docstring first
        (
            'There is no response yet in this scenario; make a request first, e.g. "When I GET '
            '"/api/health"".'
        ),
    ),
    Mistake(
        "an HTTP body with no docstring",
        ('When Alice POSTs to "/x" with the JSON:',),
        'This step needs a docstring under it (between """ lines), e.g. {"text": "hello"}',
        None,
    ),
    Mistake(
        "an HTTP body that is broken JSON",
        ('When Alice POSTs {"a": } to "/x"',),
        'The JSON is not valid: Expecting value at line 1, column 7: {"a": }',
        SAME,
    ),
    Mistake(
        "an HTTP address that is not HTTP",
        ('When Alice GETs "ftp://x/y"',),
        (
            'The address "ftp://x/y" is not an HTTP address; write a path such as '
            '"/api/login", or a full URL starting with http:// or https://.'
        ),
        # check reads the address as a WebSocket one: its clause is pinned
        'The address "ftp://x/y" is not a',
    ),
    Mistake(
        "a load step sending 0 times",
        (
            'Given 2 clients in group "crowd" are connected',
            (
                'When every client in group "crowd" sends {"type": "echo", "content": '
                '"${correlation_id}"} 0 times'
            ),
        ),
        (
            "Sending 0 times sends nothing, so the steps after it check nothing sent; write "
            'how many times each client sends, like "5 times".'
        ),
        SAME,
    ),
    Mistake(
        "a load step sending for 0 seconds",
        (
            'Given 2 clients in group "crowd" are connected',
            (
                'When every client in group "crowd" sends {"type": "echo", "content": '
                '"${correlation_id}"} for 0 seconds at 5 per second'
            ),
        ),
        (
            'Sending "for 0 seconds" sends nothing, so the steps after it check nothing sent; '
            'write how long to send, like "for 10 seconds".'
        ),
        SAME,
    ),
    Mistake(
        "a load step at 0 per second",
        (
            'Given 2 clients in group "crowd" are connected',
            (
                'When every client in group "crowd" sends {"type": "echo", "content": '
                '"${correlation_id}"} 3 times at 0 per second'
            ),
        ),
        (
            "At a rate of 0 per second no message would ever be sent; write a rate above 0, "
            'like "5 per second".'
        ),
        SAME,
    ),
    Mistake(
        "a share of at least 0%",
        (
            'Given 2 clients in group "crowd" are connected',
            (
                'When every client in group "crowd" sends {"type": "echo", "content": '
                '"${correlation_id}"} 1 times'
            ),
            "Then at least 0% of messages come back to their senders",
        ),
        (
            '"at least 0%" holds even when nothing succeeds, so it checks nothing; write the '
            'share that must, like "at least 99%".'
        ),
        SAME,
    ),
    Mistake(
        "a share above 100%",
        (
            'Given 2 clients in group "crowd" are connected',
            (
                'When every client in group "crowd" sends {"type": "echo", "content": '
                '"${correlation_id}"} 1 times'
            ),
            "Then at least 150% of messages come back to their senders",
        ),
        (
            '"at least 150%" asks for more than all of them, so it never holds; write a share '
            'up to 100%, like "at least 99%".'
        ),
        SAME,
    ),
    Mistake(
        "a percentile above 100",
        (
            'Given 2 clients in group "crowd" are connected',
            (
                'When every client in group "crowd" sends {"type": "echo", "content": '
                '"${correlation_id}"} 1 times'
            ),
            "Then the 150th percentile round-trip latency is below 1 second",
        ),
        (
            'The percentile "150th" is above 100, the highest there is: write it like "95th", '
            '"99.9th", "median" or "maximum".'
        ),
        SAME,
    ),
    Mistake(
        "a throughput of at least 0",
        (
            'Given 2 clients in group "crowd" are connected',
            (
                'When every client in group "crowd" sends {"type": "echo", "content": '
                '"${correlation_id}"} 1 times'
            ),
            "Then the throughput is at least 0 messages per second",
        ),
        (
            '"the throughput is at least 0 messages per second" holds even when nothing '
            'arrives, so it checks nothing; write the rate that must be reached, like "at '
            'least 100 messages per second".'
        ),
        SAME,
    ),
    Mistake(
        "a load verdict with no load step",
        ("Then every message comes back to its sender",),
        (
            'No load step has sent anything in this scenario yet: add one first, e.g. "When '
            'every client in group "crowd" sends {…} 5 times at 2 per second".'
        ),
        SAME,
    ),
    Mistake(
        "a share of connections above 100%",
        (
            'Given 2 clients in group "crowd" are connected at 100 per second',
            "Then at least 101% of connections succeeded",
        ),
        (
            '"at least 101%" asks for more than all of them, so it never holds; write a share '
            'up to 100%, like "at least 99%".'
        ),
        SAME,
    ),
    Mistake(
        "a quiet window of 0 seconds for a group",
        (
            'Given clients Ann and Ben in group "g" are connected',
            'Then no client in group "g" receives any message within 0 ms',
        ),
        (
            "A quiet window of 0 seconds watches nothing: write how long to watch for the "
            'message that must not come, like "within 300 ms".'
        ),
        SAME,
    ),
    Mistake(
        "sending 0 messages written inline",
        ("Given Alice is connected", 'When Alice sends 0 messages {"type": "echo"}'),
        (
            "Sending 0 messages sends nothing, so the steps after it check nothing sent; write "
            'how many to send, like "sends 3 messages:".'
        ),
        SAME,
    ),
    Mistake(
        "a closed loop of 0 sends",
        (
            'Given 2 clients in group "crowd" are connected',
            'When every client in group "crowd" sends {"type": "echo", "content": '
            '"${correlation_id}"} 0 times, each waiting for its reply',
        ),
        (
            "Sending 0 times sends nothing, so the steps after it check nothing sent; write how "
            'many times each client sends, like "5 times".'
        ),
        SAME,
    ),
    # Phrases of the project's wsbdd.toml (PHRASES): their typed arguments and their words.
    Mistake(
        "a phrase given broken JSON",
        ("Given Alice is connected", 'When Alice echoes the object {"level": 2,}'),
        (
            '{obj} must be JSON, such as {"level": 2}, [1, 2], 3 or "text": The JSON is not '
            "valid: Illegal trailing comma before end of object at line 1, column 12: "
            '{"level": 2,}'
        ),
        (
            '{obj} must be JSON, such as {"level": 2}, [1, 2], 3 or "text": Illegal trailing '
            'comma before end of object at line 1, column 12: {"level": 2,}'
        ),
    ),
    Mistake(
        "a phrase given a misspelt matcher",
        (
            "Given Alice is connected",
            'Then Alice asks for an echo of "hi" and gets a reply where $.content is greter than 3',
        ),
        (
            'Unknown matcher "is greter than"; did you mean "is greater than"? To compare with '
            'the text "greter than 3", put it in quotes: is "greter than 3".'
        ),
        SAME,
    ),
    Mistake(
        "a phrase given a condition with an open quote",
        (
            "Given Alice is connected",
            'Then Alice asks for an echo of "hi" and gets a reply where $.content is "hi',
        ),
        (
            'The condition "$.content is "hi" opens a quote it never closes; end the text with '
            'a quote, like: $.content is "hi".'
        ),
        SAME,
    ),
    Mistake(
        "a misspelt phrase",
        ("Given Alice is connected", 'When Alice echos the object {"level": 2}'),
        (
            'No step matches "When Alice echos the object {"level": 2}"; did you mean '
            '"{client} echoes the object {obj:json}"?'
        ),
        SAME,
    ),
    Mistake(
        "a phrase for a client that never connected",
        ("Given Alice is connected", 'When Bob echoes the object {"level": 2}'),
        (
            'There is no client called "Bob" in this scenario. Connect it first, e.g. "Given '
            'Bob is connected" (clients so far: Alice).'
        ),
        (
            'Bob is used before it connects. Add "Given Bob is connected" earlier in the '
            "scenario (or in its Background)."
        ),
    ),
]


def _passing(number: int) -> list[str]:
    return [
        f"  Scenario: Passes after mistake {number}",
        "    Given Alice is connected",
        f'    When Alice sends {{"type": "echo", "content": "fine {number}"}}',
        f'    Then Alice receives a message where $.content is "fine {number}"',
        "",
    ]


def catalogue_feature() -> tuple[str, dict[str, tuple[int, int]]]:
    """The feature file, and each scenario's first and last line by its name's prefix
    ("Mistake 7:", "Passes after mistake 10")."""
    lines = ["Feature: A catalogue of feature-writer mistakes", ""]
    spans: dict[str, tuple[int, int]] = {}

    def add(key: str, block: list[str]) -> None:
        first = len(lines) + 1
        lines.extend(block)
        spans[key] = (first, len(lines))

    for number, row in enumerate(ROWS, 1):
        keyword = "Scenario Outline" if row.outline else "Scenario"
        block = [f"  {row.tag}"] if row.tag else []
        block.append(f"  {keyword}: Mistake {number}: {row.title}")
        block += [f"    {line}" if line else "" for line in row.steps]
        add(f"Mistake {number}:", [*block, ""])
        if number % PASSING_EVERY == 0:
            add(f"Passes after mistake {number}", _passing(number))
    return "\n".join(lines), spans


@dataclass(frozen=True)
class CatalogueRun:
    result: CompletedProcess[str]
    took: float
    scenarios: dict[str, dict[str, Any]]
    """behave's JSON of each scenario that ran, by its name's prefix."""
    check: CompletedProcess[str]
    spans: dict[str, tuple[int, int]]

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr

    def scenario(self, key: str) -> dict[str, Any] | None:
        return next((s for name, s in self.scenarios.items() if name.startswith(key)), None)

    def problems(self, key: str) -> list[str]:
        """What `wsbdd check` reported on the lines of one scenario."""
        first, last = self.spans[key]
        found = []
        for line in (self.check.stdout + self.check.stderr).splitlines():
            where = re.match(r"features/example\.feature:(\d+): (.*)", line)
            if where and first <= int(where.group(1)) <= last:
                found.append(where.group(2))
        return found


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> CatalogueRun:
    text, spans = catalogue_feature()
    project = make_project(tmp_path_factory.mktemp("mistakes"), text)
    (project / "wsbdd.toml").write_text(f"timeout = {TIMEOUT}\n\n{PHRASES}")
    started = time.monotonic()
    result = behave(project, "-f", "json", "-o", "result.json", "-f", "plain", "features")
    took = time.monotonic() - started
    scenarios = {
        element["name"]: element
        for feature in json.loads((project / "result.json").read_text())
        for element in feature.get("elements", ())
    }
    check = run_module(project, "wsbdd", "check", "features/example.feature")
    return CatalogueRun(result, took, scenarios, check, spans)


def _failed_step(scenario: dict[str, Any]) -> str | None:
    for step in scenario["steps"]:
        result = step.get("result", {})
        if result.get("status") == "failed":
            message = result.get("error_message", "")
            return "\n".join(message) if isinstance(message, list) else message
    return None


def test_the_table_has_at_least_70_mistakes():
    assert len(ROWS) >= 70
    assert len({row.title for row in ROWS}) == len(ROWS)


def test_the_run_fails_every_mistake_with_its_sentence(catalogue: CatalogueRun):
    assert catalogue.result.returncode == 1
    assert "Traceback" not in catalogue.output
    wrong = []
    for number, row in enumerate(ROWS, 1):
        scenario = catalogue.scenario(f"Mistake {number}:")
        if scenario is not None and scenario["status"] == "passed":
            wrong.append(f"{number} {row.title}: passed")
            continue
        # A failed step carries its sentence; a hook's (a tag, an Outline, no steps) and an
        # undefined step's "did you mean" are printed by the run.
        said = (_failed_step(scenario) if scenario is not None else None) or catalogue.output
        if row.sentence not in said:
            wrong.append(f"{number} {row.title}: {said[:600]}")
    assert not wrong, "\n\n".join(wrong)


def test_the_passing_scenarios_still_pass(catalogue: CatalogueRun):
    passing = [key for key in catalogue.spans if key.startswith("Passes")]
    assert len(passing) == len(ROWS) // PASSING_EVERY
    for key in passing:
        scenario = catalogue.scenario(key)
        assert scenario is not None and scenario["status"] == "passed", key
    assert f"{len(passing)} scenarios passed, " in catalogue.output


def test_every_mistake_is_named_at_once(catalogue: CatalogueRun):
    slow = []
    for number, row in enumerate(ROWS, 1):
        scenario = catalogue.scenario(f"Mistake {number}:")
        took = sum(
            s.get("result", {}).get("duration", 0) for s in (scenario or {}).get("steps", ())
        )
        if took >= TIMEOUT:
            slow.append(f"{number} {row.title}: {took:.1f} s")
    assert not slow, slow
    # Far less than one timeout per mistake, even on a busy machine (it takes ~10 s).
    assert catalogue.took < len(ROWS) * TIMEOUT / 3


def test_wsbdd_check_catches_the_rows_the_table_says(catalogue: CatalogueRun):
    assert catalogue.check.returncode == 1
    assert "Traceback" not in catalogue.check.stdout + catalogue.check.stderr
    wrong = []
    for number, row in enumerate(ROWS, 1):
        found = catalogue.problems(f"Mistake {number}:")
        expected = row.check_sentence
        if expected is None and found:
            wrong.append(f"{number} {row.title}: check now catches it: {found}")
        elif expected is not None and not any(expected in problem for problem in found):
            wrong.append(f"{number} {row.title}: check said {found}")
    assert not wrong, "\n".join(wrong)
    for key in catalogue.spans:
        if key.startswith("Passes"):
            assert catalogue.problems(key) == [], key


COUNTED_ROWS = 92
COUNTED_BY_CHECK = 80


def test_the_catalogue_counts():
    by_check = sum(1 for row in ROWS if row.check is not None)
    assert (len(ROWS), by_check) == (COUNTED_ROWS, COUNTED_BY_CHECK)
