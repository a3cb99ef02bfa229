#!/usr/bin/env bash
# Print the path of a working Python 3.10 interpreter (Rasa 3.6 does not install on 3.11+).
# Order: python3.10 on PATH, then pyenv's versions, then common install locations.
set -u

works() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root 2>/dev/null)
    for p in "$root"/versions/3.10*/bin/python3.10; do candidates+=("$p"); done
fi
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 \
         /usr/local/bin/python3.10 /usr/bin/python3.10; do
    candidates+=("$p")
done

for candidate in "${candidates[@]}"; do
    if works "$candidate"; then
        echo "$candidate"
        exit 0
    fi
done

cat >&2 <<'MSG'
No working Python 3.10 found (Rasa 3.6 needs exactly 3.10).
Install one, for example:
  pyenv install 3.10        (https://github.com/pyenv/pyenv)
  apt-get install python3.10 python3.10-venv   (where your distribution has it)
then run the make command again.
MSG
exit 1
