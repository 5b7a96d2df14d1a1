#!/bin/sh
# The Claude Code edit hook's launcher: runs `fastapi-guardrails hook claude` with the
# hook's JSON on stdin, from wherever the CLI is.
#
#   1. `fastapi-guardrails` on PATH (uv tool install, pipx, the project's venv);
#   2. uv's tool directory (~/.local/bin), which Claude Code's PATH may lack;
#   3. with FASTAPI_GUARDRAILS_SOURCE (or the plugin's CLAUDE_PLUGIN_ROOT) holding this
#      package's pyproject.toml, `uvx --from` that folder (built once, then cached by uv).
# Otherwise it tells the user how to install the CLI and exits 1: Claude Code shows a
# non-blocking hook error with this text, and the edit goes on.
set -u

for candidate in fastapi-guardrails "${XDG_BIN_HOME:-${HOME:-/nonexistent}/.local/bin}/fastapi-guardrails"; do
    if command -v "$candidate" >/dev/null 2>&1; then
        exec "$candidate" hook claude
    fi
done

source_dir=${FASTAPI_GUARDRAILS_SOURCE:-${CLAUDE_PLUGIN_ROOT:-}}
if [ -n "$source_dir" ] && [ -f "$source_dir/pyproject.toml" ]; then
    for uvx in uvx "${HOME:-/nonexistent}/.local/bin/uvx" "${HOME:-/nonexistent}/.cargo/bin/uvx"; do
        if command -v "$uvx" >/dev/null 2>&1; then
            exec "$uvx" --quiet --from "$source_dir" fastapi-guardrails hook claude
        fi
    done
fi

# Claude Code shows the user only the first line of stderr, cut at 200 characters.
cat >&2 <<'MSG'
fastapi-guardrails: CLI not found, edits are not checked: `uv tool install` it (~/.local/bin on PATH), or install uv and the plugin runs it via uvx.
Install it with `uv tool install <a clone or git URL of fastapi-guardrails>` (or its
install.sh) and make sure uv's tool folder (`uv tool dir --bin`, usually ~/.local/bin) is
on PATH. With uv installed, the Claude Code plugin runs it through uvx by itself.
MSG
exit 1
