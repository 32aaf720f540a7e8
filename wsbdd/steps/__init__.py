"""wsbdd's Gherkin step library.  Importing it registers the steps with behave.

In a project: ``features/steps/wsbdd_steps.py`` (or ``steps/wsbdd_steps.py``)
containing ``from wsbdd.steps import *``.  The step matcher is set to wsbdd's ``re``
while the library registers and restored afterwards, so your own step files
keep behave's default.  wsbdd's matcher is behave's ``re`` one with
the per-match work done once (see ``wsbdd.glue.step_lookup``).

The order the modules register in does not matter: no two built-in steps match
the same line (``tests/test_step_overlaps.py`` checks every built-in step against
the feature lines in features/, tests/features/ and docs/, and each step's samples).
The words inside the steps are read by ``wsbdd.match.grammar``, which registers nothing.
"""

from behave import use_default_step_matcher, use_step_matcher

from wsbdd.glue.step_lookup import NAME as _MATCHER
from wsbdd.glue.step_lookup import speed_up as _speed_up
from wsbdd.glue.step_lookup import step_registry as _step_registry

use_step_matcher(_MATCHER)

from wsbdd.steps import (  # noqa: E402,F401
    connection,
    graphql,
    groups,
    http,
    load,
    receiving,
    reconnection,
    sending,
    socketio,
    stomp,
    variables,
)

use_default_step_matcher()

# The app's own phrases ([[tool.wsbdd.phrases]] in the project's config) become
# steps now, while behave loads steps, before any feature runs.
from wsbdd.vocabulary import registration as _vocabulary  # noqa: E402

if _vocabulary.AUTO:
    _vocabulary.register_configured_phrases()

# Look steps up as behave does, minus a call per definition that cannot match.
_speed_up(_step_registry())

# An undefined step at run time gets "did you mean", as in `wsbdd check`.
from wsbdd.vocabulary.suggest import install_run_time_suggestions  # noqa: E402

install_run_time_suggestions(_step_registry())

# For a project's own steps (a protocol's steps module, docs/codecs.md): the helpers the
# built-in steps use.  Left out of __all__, so `from wsbdd.steps import *` still brings
# nothing but the registered steps.
from wsbdd.steps.base import session_of as session_of  # noqa: E402
from wsbdd.steps.base import wsbdd_step as wsbdd_step  # noqa: E402

__all__: list[str] = []
