"""wsbdd's Gherkin step library.  Importing it registers the steps with behave.

In a project: ``features/steps/wsbdd_steps.py`` (or ``steps/wsbdd_steps.py``)
containing ``from wsbdd.steps import *``.  The step matcher is set to wsbdd's ``re``
while the library registers and restored afterwards, so your own step files
keep behave's default.  wsbdd's matcher is behave's ``re`` one with
the per-match work done once (see ``wsbdd.step_lookup``).
"""

from behave import use_default_step_matcher, use_step_matcher

from wsbdd.step_lookup import NAME as _MATCHER

use_step_matcher(_MATCHER)

# load first: its "every client in group … sends {…} 5 times at 2 per second" must be tried
# before the group step that sends once; groups next: its "clients … in group …" must be
# tried before "clients … are connected".
from wsbdd.steps import load  # noqa: E402,F401,I001
from wsbdd.steps import groups  # noqa: E402,F401,I001
from wsbdd.steps import connection, receiving, sending, variables  # noqa: E402,F401
from wsbdd.steps import http  # noqa: E402,F401

use_default_step_matcher()

# The app's own phrases ([[tool.wsbdd.phrases]] in the project's config) become
# steps now, while behave loads steps, before any feature runs.
from wsbdd.vocabulary import registration as _vocabulary  # noqa: E402

if _vocabulary.AUTO:
    _vocabulary.register_configured_phrases()

# Look steps up as behave does, minus a call per definition that cannot match.
from wsbdd.step_lookup import speed_up as _speed_up  # noqa: E402

_speed_up(_vocabulary.step_registry())

__all__: list[str] = []
