#!/usr/bin/env bash
# Run wsbdd's whole test suite on other Pythons, one virtual environment each.
#
#   tests/other_pythons.sh                      every pyenv Python >= 3.11 (else python3.11,
#                                               python3.12, ... found on PATH)
#   tests/other_pythons.sh /usr/bin/python3.13  the interpreters you name
#   tests/other_pythons.sh --list               only say which interpreters it would use
#   tests/other_pythons.sh -- -x tests/test_runtime.py   arguments after -- go to pytest
#
# The environments live outside the repository, in ${TMPDIR:-/tmp}/wsbdd-py<version>, and are
# reused by the next run. The Cucumber tests use the npm packages the README's test command
# put in .venv/node (WSBDD_NODE_MODULES, when set, wins). Not part of the README's command
# or of CI: one whole suite per Python is minutes each. docs/contributing.md describes it.
set -uo pipefail
cd "$(dirname "$0")/.."

list_only=0
pythons=()
pytest_args=()
while (($#)); do
    case $1 in
        --list) list_only=1 ;;
        --) shift; pytest_args=("$@"); break ;;
        -h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) pythons+=("$1") ;;
    esac
    shift
done

# Prints the interpreter's full version when it is a Python wsbdd supports (3.11+).
supported_version() {
    "$1" -c 'import sys; v = sys.version_info
if v < (3, 11): sys.exit(1)
print("%d.%d.%d" % v[:3])' 2>/dev/null
}

named=${#pythons[@]}
if ((named == 0)); then
    pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
    for candidate in "$pyenv_root"/versions/3.*/bin/python3; do
        [[ -x $candidate ]] && pythons+=("$candidate")
    done
    if ((${#pythons[@]} == 0)); then
        for minor in 11 12 13 14 15; do
            command -v "python3.$minor" >/dev/null && pythons+=("$(command -v "python3.$minor")")
        done
    fi
fi

chosen=()
versions=()
for python in "${pythons[@]}"; do
    if ! version=$(supported_version "$python"); then
        # Found ones older than 3.11 (pyenv often has a few) are left out quietly.
        if ((named)) && ! "$python" -c '' 2>/dev/null; then
            echo "$python did not run (not found, or not a Python interpreter): name one that runs, such as ~/.pyenv/versions/3.12.1/bin/python3" >&2
            exit 2
        elif ((named)); then
            echo "Leaving out $python: wsbdd needs Python 3.11 or newer." >&2
        fi
        continue
    fi
    [[ " ${versions[*]-} " == *" $version "* ]] && continue # the same Python twice (a shim)
    chosen+=("$python")
    versions+=("$version")
done

if ((${#chosen[@]} == 0)); then
    echo "No Python 3.11 or newer found: install one (for example pyenv install 3.12) or name its interpreter: tests/other_pythons.sh /path/to/python3.12" >&2
    exit 2
fi

if ((list_only)); then
    for i in "${!chosen[@]}"; do printf '%s %s\n' "${versions[$i]}" "${chosen[$i]}"; done
    exit 0
fi

if [[ -z ${WSBDD_NODE_MODULES-} && -d .venv/node/node_modules ]]; then
    export WSBDD_NODE_MODULES=$PWD/.venv/node/node_modules
fi

summary=()
status=0
for i in "${!chosen[@]}"; do
    python=${chosen[$i]}
    version=${versions[$i]}
    venv=${TMPDIR:-/tmp}/wsbdd-py$version
    log=$venv.log
    echo "== Python $version ($python): $venv"
    if ! { [[ -x $venv/bin/python ]] || "$python" -m venv "$venv"; } ||
        ! "$venv/bin/pip" install -q -e '.[test]'; then
        summary+=("$version  could not install wsbdd with its test extras")
        status=1
        continue
    fi
    "$venv/bin/python" -m pytest -q -ra -p no:cacheprovider "${pytest_args[@]}" 2>&1 | tee "$log"
    result=${PIPESTATUS[0]}
    ((result == 0)) || status=1
    # pytest's last line is the verdict ("1234 passed in 250.00s"); the whole output is in the log.
    summary+=("$version  $(tail -n 1 "$log" | tr -d '=' | sed 's/^ *//; s/ *$//')  ($log)")
done

echo
printf '%s\n' "${summary[@]}"
exit $status
