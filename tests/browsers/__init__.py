"""Real headless browsers for the report tests and the report benchmark (not shipped in wsbdd).

:mod:`browsers.chromium` drives Debian's ``chromium`` over the DevTools protocol,
:mod:`browsers.firefox` Debian's ``firefox-esr`` over WebDriver BiDi; both fill a
:class:`~browsers.chromium.PageVisit`. The tests import them with ``tests/`` on
``sys.path`` (pytest puts it there); ``bench/bench_report.py`` adds it itself.
"""
