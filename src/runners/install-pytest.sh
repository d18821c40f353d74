#!/usr/bin/env bash
# Installs pytest (PyPI, pinned with its dependencies) where QA and the Engineer's run_tests find it, for projects
# whose architect named `pytest` as their test command. Those runs get a fixed PATH (/usr/local/bin, /usr/bin, /bin
# and Node's directory) and, under bubblewrap, see only the system directories; so pytest goes into a venv of the
# system's Python 3 under /opt, linked as /usr/local/bin/pytest (a user's or pyenv's pytest is not seen there).
# Needs root, as .ci/run has; does nothing when the pinned version is installed already.
set -euo pipefail
PYTEST_VERSION=9.2.0
VENV=${PYTEST_VENV:-/opt/orchestrator-pytest}
PYTHON=${PYTEST_PYTHON:-/usr/bin/python3}
LINK=/usr/local/bin/pytest

if [ "$("$VENV/bin/pytest" --version 2>&1)" = "pytest $PYTEST_VERSION" ] && [ "$(readlink "$LINK" 2>/dev/null)" = "$VENV/bin/pytest" ]; then
  echo "[install-pytest] pytest $PYTEST_VERSION already in $VENV, linked as $LINK"
  exit 0
fi
echo "[install-pytest] installing pytest $PYTEST_VERSION into $VENV (a venv of $PYTHON), linked as $LINK"
"$PYTHON" -m venv --clear "$VENV"
PIP_ROOT_USER_ACTION=ignore "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
  "pytest==$PYTEST_VERSION" iniconfig==2.3.1 packaging==26.4 pluggy==1.7.0 Pygments==2.21.0
"$VENV/bin/pip" check --disable-pip-version-check >/dev/null
mkdir -p "$(dirname "$LINK")"
ln -sfn "$VENV/bin/pytest" "$LINK"
"$LINK" --version
