"""The app's own words: phrases from configuration, registered as behave steps.

* :mod:`.phrases` reads and checks ``[[tool.wsbdd.phrases]]`` (pure);
* :mod:`.running` is what a phrase does when a scenario reaches it;
* :mod:`.registration` adds phrases to behave's registry and detects clashes;
* :mod:`.patterns` reads step regexes as text (catalogue, clashes, ``wsbdd check``).

``import wsbdd.steps`` registers the phrases configured in the current
directory, so a project's ``from wsbdd.steps import *`` is all it takes.
See docs/vocabulary.md.
"""

from wsbdd.vocabulary.phrases import (
    PARAM_TYPES,
    Param,
    Phrase,
    PhraseError,
    load_phrases,
    parse_phrases,
    preset_names,
)
from wsbdd.vocabulary.registration import (
    find_clash,
    phrase_of,
    register_configured_phrases,
    register_phrases,
)

__all__ = [
    "PARAM_TYPES",
    "Param",
    "Phrase",
    "PhraseError",
    "load_phrases",
    "parse_phrases",
    "preset_names",
    "find_clash",
    "phrase_of",
    "register_configured_phrases",
    "register_phrases",
]
