#!/usr/bin/env bash
# Regenerate the hash lock files from pyproject.toml: run it after adding or changing a dependency there,
# then commit pyproject.toml and both lock files together.
#
#   requirements.lock       what the bot needs to run (python -m bot)
#   requirements-test.lock  that plus the test extra (python -m pytest; what .ci/run installs)
#
# Exact versions with their sha256 hashes, so every install (CI, a server, a fresh clone) gets the same
# files or fails. Installing: pip install --require-hashes -r requirements-test.lock, then the project
# itself with pip install --no-deps -e . (see README.md). Indexes and find-links are not written into the
# files: pip's own configuration decides where packages come from.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/pip" install --quiet "pip-tools==7.*"
export CUSTOM_COMPILE_COMMAND="scripts/lock.sh"  # what the files' header tells to run
compile=("$tools/venv/bin/pip-compile" --quiet --generate-hashes --strip-extras --allow-unsafe
         --no-emit-index-url --no-emit-find-links --resolver=backtracking)
"${compile[@]}" --output-file requirements.lock pyproject.toml
"${compile[@]}" --extra test --output-file requirements-test.lock pyproject.toml
echo "written: requirements.lock requirements-test.lock"
