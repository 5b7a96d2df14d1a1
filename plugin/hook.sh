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
if command -v uv >/dev/null 2>&1 || [ -x "${HOME:-/nonexistent}/.local/bin/uv" ]; then
    first="fastapi-guardrails: CLI not found, edits are not checked: \`uv tool install <a clone or git URL of fastapi-guardrails>\` (or its install.sh), ~/.local/bin on PATH"
else
    first="fastapi-guardrails: CLI not found, edits are not checked: install uv, then \`uv tool install <a clone or git URL of fastapi-guardrails>\` (or run its install.sh)"
fi
printf '%s\n' "$first" >&2
cat >&2 <<'MSG'
The hook looked on PATH and in ~/.local/bin. `uv tool install` puts the CLI in uv's tool
folder (`uv tool dir --bin`); add that folder to PATH. The Claude Code plugin needs no
install when uv is there: it runs the CLI from its own folder through uvx.
MSG
exit 1
