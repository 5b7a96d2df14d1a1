#!/bin/sh
# Install fastapi-guardrails: the CLI (with uv), and for Claude Code the skill, the slash
# commands and the agents. One mode is enough: each installs the CLI.
#
#   ./install.sh                  the CLI, and into ~/.claude: skills/fastapi-guardrails,
#                                 commands/*.md and agents/*.md
#   ./install.sh --project DIR    the CLI, and the same into DIR/.claude, plus the edit hook
#                                 (its launcher in DIR/.claude/hooks, wired in
#                                 DIR/.claude/settings.json) and the CLAUDE.md template as
#                                 DIR/CLAUDE.md when DIR has none
#   ./install.sh --dry-run        say what would change, change nothing
#   ./install.sh --uninstall      remove what this script installed (and nothing else); the
#                                 CLI only without --project, and only if this script
#                                 installed it
#
# Nothing is half installed: uv, the CLI and settings.json are dealt with before any file
# is copied, and a failure there stops the script with nothing copied.
# Never destroys a user's edits: an installed file changed since it was installed is backed
# up (FILE.bak-TIMESTAMP) before being replaced, and kept on uninstall or when it is no
# longer shipped. What was installed (each file with its checksum) is recorded in
# <claude dir>/.fastapi-guardrails-manifest. The CLI is the user's, shared by every
# project: whether this script installed it is recorded in ~/.claude/.fastapi-guardrails-cli
# and never in a project's manifest, which is meant to be committed.
set -eu

# The PATH the user runs this script with: the script adds uv's folders to its own PATH, and
# what is on the user's PATH must be judged before that.
USER_PATH=${PATH:-}
SOURCE_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
SKILL_NAME=fastapi-guardrails
SKILL_REL=skills/$SKILL_NAME
MANIFEST_NAME=.fastapi-guardrails-manifest
MANIFEST_HEADER="# fastapi-guardrails install manifest, version 2: paths relative to this directory"
# The record that this script installed the CLI, followed by uv's tool bin folder. It lives
# in ~/.claude/$CLI_RECORD_NAME; earlier versions wrote it into the manifest, where only the
# home manifest's is still believed (a project's may come from another machine).
CLI_RECORD="cli installed by install.sh into "
CLI_RECORD_NAME=.fastapi-guardrails-cli
# The project's CLAUDE.md, relative to DIR/.claude like every other manifest path.
CLAUDE_MD_REL=../CLAUDE.md
HOOK_REL=hooks/fastapi-guardrails.sh
# Claude Code expands $CLAUDE_PROJECT_DIR in hook commands: keep it literal here.
# shellcheck disable=SC2016
HOOK_COMMAND='sh "$CLAUDE_PROJECT_DIR/.claude/hooks/fastapi-guardrails.sh"'
# What earlier versions of this script wired: still ours, replaced or removed.
OLD_HOOK_COMMAND="fastapi-guardrails hook claude"
STAMP=$(date +%Y%m%d%H%M%S)

project=""
dry_run=0
uninstall=0
install_cli=1

usage() {
    cat <<'EOF'
Usage: install.sh [--project DIR] [--dry-run] [--uninstall] [--no-cli] [--help]

Installs fastapi-guardrails for Claude Code. Pick one of the two modes: each installs
the CLI, so you never need to run both.

  install.sh                for you, in every project: the fastapi-guardrails CLI, and
                            into ~/.claude the skill (skills/fastapi-guardrails), the
                            slash commands (commands/) and the agents (agents/); no
                            edit hook (that one is per project)
  install.sh --project DIR  for one service, to commit with it: the same CLI, and into
                            DIR/.claude the skill, the commands, the agents and the edit
                            hook (a launcher in DIR/.claude/hooks, wired in
                            DIR/.claude/settings.json; your other hooks are kept), plus
                            the CLAUDE.md template as DIR/CLAUDE.md when DIR has none

The CLI is installed with `uv tool install` (uv is installed first if missing) and is
shared by all your projects.

  --dry-run      print what would be done; change nothing
  --uninstall    remove what this script installed; files you changed are kept.
                 Plain --uninstall also removes the CLI if this script installed it;
                 --project DIR --uninstall leaves the CLI for your other projects
  --no-cli       do not install (or uninstall) the CLI
  --help         show this help
EOF
}

die() {
    printf 'install.sh: %s\n' "$1" >&2
    exit "${2:-1}"
}

say() {
    if [ "$dry_run" = 1 ]; then
        printf '[dry-run] %s\n' "$1"
    else
        printf '%s\n' "$1"
    fi
}

while [ $# -gt 0 ]; do
    case "$1" in
        --project)
            [ $# -ge 2 ] || die "--project needs a directory" 2
            project=$2
            shift 2
            ;;
        --project=*) project=${1#--project=}; shift ;;
        --dry-run) dry_run=1; shift ;;
        --uninstall) uninstall=1; shift ;;
        --no-cli) install_cli=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" 2 ;;
    esac
done

if [ -z "$project" ] || [ "$install_cli" = 1 ]; then
    [ -n "${HOME:-}" ] || die "HOME is not set" 2
fi
if [ -n "$project" ]; then
    [ -d "$project" ] || die "no such project directory: $project" 2
    project=$(CDPATH='' cd -- "$project" && pwd)
    claude_dir="$project/.claude"
    settings="$claude_dir/settings.json"
else
    claude_dir="$HOME/.claude"
fi
manifest="$claude_dir/$MANIFEST_NAME"
# Earlier versions kept the manifest in the skill directory, with paths relative to it.
old_manifest="$claude_dir/$SKILL_REL/$MANIFEST_NAME"

# ------------------------------------------------------------------------------ helpers
checksum() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

python_cmd() {
    for candidate in python3 python; do
        if command -v "$candidate" >/dev/null 2>&1; then
            printf '%s' "$candidate"
            return 0
        fi
    done
    return 1
}

# Where a manifest path (relative to the claude dir) lives, and how messages show it.
dest_of() {
    case "$1" in
        "$CLAUDE_MD_REL") printf '%s' "$project/CLAUDE.md" ;;
        *) printf '%s' "$claude_dir/$1" ;;
    esac
}

shown() {
    case "$1" in
        "$CLAUDE_MD_REL") printf '%s' "$project/CLAUDE.md" ;;
        *) printf '%s' "$1" ;;
    esac
}

# Copy through a temporary file in the destination's directory, so that the destination
# is never seen half written.
copy_atomically() {
    [ "$dry_run" = 1 ] && return 0
    mkdir -p "$(dirname "$2")"
    tmp=$(mktemp "$(dirname "$2")/.install.XXXXXX")
    cp "$1" "$tmp"
    chmod "$3" "$tmp"
    mv -f "$tmp" "$2"
}

# Remove the directories a removed file leaves empty, up to the claude dir (or the project).
prune_empty_parents() {
    dir=$(dirname "$1")
    while [ "$dir" != "$claude_dir" ] && [ "$dir" != "$project" ] && rmdir "$dir" 2>/dev/null; do
        dir=$(dirname "$dir")
    done
}

# ----------------------------------------------------------------------- the manifest
# The previous install's files ("CHECKSUM  PATH" lines, paths relative to the claude dir),
# from either manifest format. A path leaving the claude dir (but the project's CLAUDE.md)
# is ignored, and so is the CLI record earlier versions wrote there (see the CLI below).
previous_files=""
checksum_lines() {
    awk -v prefix="$1" -v claude_md="${project:+$CLAUDE_MD_REL}" '
        length($1) == 64 && substr($0, 65, 2) == "  " {
            path = prefix substr($0, 67)
            if (path == claude_md || (path !~ /^\// && path !~ /(^|\/)\.\.(\/|$)/))
                print substr($0, 1, 66) path
        }' "$2"
}
load_previous_manifest() {
    if [ -f "$manifest" ]; then
        previous_files=$(checksum_lines "" "$manifest")
    elif [ -f "$old_manifest" ]; then
        previous_files=$(checksum_lines "$SKILL_REL/" "$old_manifest")
        # Earlier versions copied this repository's own CLAUDE.md without recording it: a
        # project CLAUDE.md identical to it was put there by them and is still unchanged.
        if [ -n "$project" ] && [ -f "$project/CLAUDE.md" ] \
            && cmp -s "$SOURCE_DIR/CLAUDE.md" "$project/CLAUDE.md"; then
            previous_files="$previous_files
$(checksum "$project/CLAUDE.md")  $CLAUDE_MD_REL"
        fi
    fi
}

# The checksum the previous manifest recorded for a path (empty if none).
recorded() {
    printf '%s\n' "$previous_files" \
        | awk -v path="$1" 'substr($0, 67) == path { print substr($0, 1, 64) }'
}

# This install's files, in the manifest's format.
new_files=""
record() {
    new_files="$new_files$1  $2
"
}

write_manifest() {
    [ "$dry_run" = 1 ] && return 0
    mkdir -p "$claude_dir"
    tmp=$(mktemp "$claude_dir/.manifest.XXXXXX")
    {
        printf '%s\n' "$MANIFEST_HEADER"
        printf '%s' "$new_files"
    } > "$tmp"
    chmod 644 "$tmp"
    mv -f "$tmp" "$manifest"
    rm -f "$old_manifest"
}

# Remove a recorded file if it is unchanged since it was installed; keep it otherwise.
remove_if_unchanged() {
    dest=$(dest_of "$1")
    [ -f "$dest" ] || return 0
    if [ "$(checksum "$dest")" = "$2" ]; then
        say "  removing $(shown "$1")$3"
        if [ "$dry_run" = 0 ]; then
            rm -f "$dest"
            prune_empty_parents "$dest"
        fi
    else
        say "  keeping $(shown "$1"): you changed it$3"
    fi
}

# --------------------------------------------------------------------------- the CLI
# The CLI is the user's, shared by the home install and every project's: whether this
# script installed it is recorded in the user's home only, and only a plain --uninstall
# removes it.
cli_record_file="${HOME:-}/.claude/$CLI_RECORD_NAME"
cli_recorded=0     # 1: this script installed the CLI (and has not uninstalled it)
cli_record_bin=""  # uv's tool bin folder at the time
path_hint_cli=""   # the folders to tell the user to put on PATH
path_hint_uv=""
exit_status=0

# The record, from its file or, as earlier versions wrote it, from the home manifest.
load_cli_record() {
    [ -n "${HOME:-}" ] || return 0
    for file in "$cli_record_file" "$HOME/.claude/$MANIFEST_NAME"; do
        [ -f "$file" ] || continue
        line=$(awk -v record="$CLI_RECORD" 'index($0, record) == 1 { print; exit }' "$file")
        if [ -n "$line" ]; then
            cli_recorded=1
            cli_record_bin=${line#"$CLI_RECORD"}
            return 0
        fi
    done
}

# Leave the record as this run leaves the CLI (written even when unchanged in meaning, so
# that one read from an earlier version's home manifest outlives that manifest).
save_cli_record() {
    [ "$dry_run" = 0 ] && [ -n "${HOME:-}" ] || return 0
    if [ "$cli_recorded" = 0 ]; then
        rm -f "$cli_record_file"
        return 0
    fi
    wanted="# fastapi-guardrails: \`sh install.sh --uninstall\` uninstalls the CLI it installed
$CLI_RECORD$cli_record_bin"
    if [ -f "$cli_record_file" ] && [ "$(cat "$cli_record_file")" = "$wanted" ]; then
        return 0
    fi
    mkdir -p "${cli_record_file%/*}"
    tmp=$(mktemp "${cli_record_file%/*}/.cli-record.XXXXXX")
    printf '%s\n' "$wanted" > "$tmp"
    chmod 644 "$tmp"
    mv -f "$tmp" "$cli_record_file"
}

on_user_path() {
    case ":$USER_PATH:" in
        *":$1:"* | *":$1/:"*) return 0 ;;
    esac
    return 1
}

uv_missing() {
    cat >&2 <<EOF
install.sh: uv is needed to install the fastapi-guardrails CLI, and it could not be
installed: $1.
Install uv in one of these ways, then run install.sh again:
  - uv's standalone installer: see https://docs.astral.sh/uv/getting-started/installation/
  - pipx install uv
  - python3 -m pip install --user --break-system-packages uv
    (if you accept pip installing into your user site-packages despite PEP 668)
Or run install.sh --no-cli to install everything but the CLI.
Nothing was installed.
EOF
    exit 1
}

# uv on PATH, or where its standalone installer puts it (the user's shell may not have
# these folders on PATH yet); once found, it is on this script's PATH.
find_uv() {
    command -v uv >/dev/null 2>&1 && return 0
    for dir in "$HOME/.local/bin" "$HOME/.cargo/bin"; do
        if [ -x "$dir/uv" ]; then
            PATH="$dir:$PATH"
            export PATH
            return 0
        fi
    done
    return 1
}

ensure_uv() {
    find_uv && return 0
    py=$(python_cmd) || uv_missing "there is no python3 to install it with"
    say "uv is missing: installing it with $py -m pip install --user uv"
    [ "$dry_run" = 1 ] && return 0
    if ! pip_output=$("$py" -m pip install --quiet --user uv 2>&1); then
        case "$pip_output" in
            *externally-managed-environment*)
                uv_missing "pip refused, as this Python is managed by your system (PEP 668)" ;;
            *)
                printf '%s\n' "$pip_output" >&2
                uv_missing "pip install --user uv failed (above)" ;;
        esac
    fi
    user_bin=$("$py" -c 'import os, site; print(os.path.join(site.USER_BASE, "bin"))' \
        2>/dev/null) || user_bin="$HOME/.local/bin"
    PATH="$user_bin:$HOME/.local/bin:$PATH"
    export PATH
    command -v uv >/dev/null 2>&1 || die "uv was installed with pip but is not in $user_bin"
}

# Whether uv lists the CLI: listed, absent, or unknown (uv could not tell).
cli_state() {
    if ! listed=$(uv tool list 2>/dev/null); then
        printf unknown
    elif printf '%s\n' "$listed" | grep -q "^fastapi-guardrails "; then
        printf listed
    else
        printf absent
    fi
}

install_the_cli() {
    ensure_uv
    say "installing the fastapi-guardrails CLI (uv tool install)"
    [ "$dry_run" = 1 ] && return 0
    uv_path=$(command -v uv)
    cli_bin=$(uv tool dir --bin 2>/dev/null) || cli_bin=""
    # Ours when this script installed it before, or when uv surely does not have it yet.
    if [ "$cli_recorded" = 1 ] || [ "$(cli_state)" = absent ]; then
        ours=1
    else
        ours=0
    fi
    # Not --quiet: uv's own warnings (a tool folder not on PATH, ...) are for the user.
    uv tool install --force "$SOURCE_DIR" \
        || die "uv tool install failed; nothing else was installed"
    if [ "$ours" = 1 ]; then
        cli_recorded=1
        cli_record_bin=$cli_bin
    fi
    # Judged against the user's PATH: this script's own has uv's folders added.
    if [ -n "$cli_bin" ] && ! on_user_path "$cli_bin"; then
        path_hint_cli=$cli_bin
    fi
    on_user_path "${uv_path%/*}" || path_hint_uv=${uv_path%/*}
}

# A plain --uninstall: the CLI goes only if this script installed it.
uninstall_the_cli() {
    if [ "$cli_recorded" = 0 ]; then
        if find_uv && [ "$(cli_state)" = listed ]; then
            say "keeping the fastapi-guardrails CLI: install.sh has no record of installing it"
            say "  (uv tool uninstall fastapi-guardrails removes it)"
        fi
        return 0
    fi
    if ! find_uv; then
        # Keep the record: a later uninstall, with uv found, finishes the job.
        cat >&2 <<'EOF'
install.sh: keeping the fastapi-guardrails CLI this script installed: uv, which uninstalls
it, is not on PATH, nor in ~/.local/bin or ~/.cargo/bin. Put uv on PATH and run
`sh install.sh --uninstall` again to remove the CLI.
EOF
        exit_status=1
        return 0
    fi
    if [ "$(cli_state)" = absent ]; then
        say "the fastapi-guardrails CLI this script installed is already uninstalled"
        cli_recorded=0
        return 0
    fi
    say "uninstalling the fastapi-guardrails CLI (uv tool uninstall)"
    [ "$dry_run" = 1 ] && return 0
    if uv tool uninstall fastapi-guardrails >/dev/null; then
        cli_recorded=0
    else
        printf '%s %s\n' "install.sh: uv tool uninstall fastapi-guardrails failed (above):" \
            "run \`sh install.sh --uninstall\` again to retry" >&2
        exit_status=1
    fi
}

# --project DIR --uninstall: other projects and the home install may use the CLI.
keep_the_cli_for_other_projects() {
    stays="the fastapi-guardrails CLI stays (other projects may use it)"
    if [ "$cli_recorded" = 1 ]; then
        if ! find_uv || [ "$(cli_state)" != absent ]; then
            say "$stays: \`sh install.sh --uninstall\` removes it"
        fi
    elif find_uv && [ "$(cli_state)" = listed ]; then
        how="\`uv tool uninstall fastapi-guardrails\` removes it"
        say "$stays: install.sh has no record of installing it, $how"
    fi
}

print_path_hint() {
    [ -n "$path_hint_cli$path_hint_uv" ] || return 0
    printf '\n'
    if [ "$path_hint_cli" = "$path_hint_uv" ]; then
        printf 'The fastapi-guardrails CLI and uv are in %s, which is not on your PATH.\n' \
            "$path_hint_cli"
        dirs=$path_hint_cli
    else
        dirs=""
        if [ -n "$path_hint_cli" ]; then
            printf 'The fastapi-guardrails CLI is in %s, which is not on your PATH.\n' \
                "$path_hint_cli"
            dirs=$path_hint_cli
        fi
        if [ -n "$path_hint_uv" ]; then
            printf 'uv is in %s, which is not on your PATH.\n' "$path_hint_uv"
            dirs=${dirs:+$dirs:}$path_hint_uv
        fi
    fi
    printf 'Add this line to your shell startup file (~/.profile, ~/.bashrc or ~/.zshrc):\n\n'
    # shellcheck disable=SC2016 # the line to add, $PATH and all
    printf '    export PATH="%s:$PATH"\n\n' "$dirs"
}

# ----------------------------------------------------- the skill, commands and agents
# Every file this version ships, relative to the claude dir (CLAUDE.md apart).
shipped_files() {
    (cd "$SOURCE_DIR" && find "$SKILL_REL" -type f ! -name '.*' | sort)
    for kind in commands agents; do
        for file in "$SOURCE_DIR/plugin/$kind"/*.md; do
            if [ -f "$file" ]; then
                printf '%s/%s\n' "$kind" "${file##*/}"
            fi
        done
    done
    if [ -n "$project" ]; then
        printf '%s\n' "$HOOK_REL"
    fi
}

source_of() {
    case "$1" in
        "$HOOK_REL") printf '%s' "$SOURCE_DIR/plugin/hook.sh" ;;
        commands/* | agents/*) printf '%s' "$SOURCE_DIR/plugin/$1" ;;
        *) printf '%s' "$SOURCE_DIR/$1" ;;
    esac
}

# Install one shipped file; a file there that this script did not put there (or that the
# user changed since) is backed up first.
install_file() {
    source_file=$(source_of "$1")
    dest=$(dest_of "$1")
    new_sum=$(checksum "$source_file")
    if [ -f "$dest" ]; then
        current=$(checksum "$dest")
        if [ "$current" != "$new_sum" ]; then
            if [ "$current" != "$(recorded "$1")" ]; then
                say "  keeping your version of $1 as $1.bak-$STAMP"
                [ "$dry_run" = 1 ] || cp -p "$dest" "$dest.bak-$STAMP"
            fi
            say "  updating $1"
            copy_atomically "$source_file" "$dest" "$2"
        fi
    else
        say "  adding $1"
        copy_atomically "$source_file" "$dest" "$2"
    fi
    record "$new_sum" "$1"
}

# The user template (never this repository's own CLAUDE.md), only where the project has
# none, or where it is the one this script installed and is still unchanged.
install_claude_md() {
    template="$SOURCE_DIR/$SKILL_REL/assets/CLAUDE.md"
    dest="$project/CLAUDE.md"
    new_sum=$(checksum "$template")
    installed_sum=$(recorded "$CLAUDE_MD_REL")
    if [ ! -e "$dest" ]; then
        say "  adding $dest (a template: adjust its commands and paths)"
        copy_atomically "$template" "$dest" 644
        record "$new_sum" "$CLAUDE_MD_REL"
        return 0
    fi
    current=$(checksum "$dest")
    if [ "$current" = "$new_sum" ]; then
        if [ -n "$installed_sum" ]; then
            record "$new_sum" "$CLAUDE_MD_REL"
        fi
    elif [ "$current" = "$installed_sum" ]; then
        say "  updating $dest (unchanged since it was installed)"
        copy_atomically "$template" "$dest" 644
        record "$new_sum" "$CLAUDE_MD_REL"
    else
        merge="merge the sections you want from $claude_dir/$SKILL_REL/assets/CLAUDE.md"
        if [ -n "$installed_sum" ]; then
            # Still recorded as installed, so that an uninstall says it keeps it.
            record "$installed_sum" "$CLAUDE_MD_REL"
            say "$dest: you changed it since it was installed; $merge"
        else
            say "$dest exists and is yours: $merge"
        fi
    fi
}

install_files() {
    say "installing into $claude_dir"
    shipped=$(shipped_files)
    while IFS= read -r relative; do
        case "$relative" in
            "$HOOK_REL") install_file "$relative" 755 ;;
            *) install_file "$relative" 644 ;;
        esac
    done <<EOF
$shipped
EOF
    if [ -n "$project" ]; then
        install_claude_md
    fi
    # What the previous install put there and this version no longer ships.
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        relative=${line#*  }
        case "$relative" in "$CLAUDE_MD_REL") continue ;; esac
        case "
$shipped
" in
            *"
$relative
"*) ;;
            *) remove_if_unchanged "$relative" "${line%%  *}" " (no longer shipped)" ;;
        esac
    done <<EOF
$previous_files
EOF
}

uninstall_files() {
    if [ -z "$previous_files" ]; then
        say "no files installed by this script in $claude_dir"
        return 0
    fi
    say "removing what this script installed in $claude_dir"
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        remove_if_unchanged "${line#*  }" "${line%%  *}" ""
    done <<EOF
$previous_files
EOF
}

# ------------------------------------------------------------------------- the hook
# Check, add or remove our PostToolUse hook in a settings.json, keeping everything else.
# "add" and "remove" print what they did (added, updated, removed), nothing when there was
# nothing to do; anything odd stops the script with a message and the file untouched.
edit_settings() {
    "$py" - "$1" "$2" "$HOOK_COMMAND" "$OLD_HOOK_COMMAND" "$dry_run" <<'PY'
import json, os, stat, sys, tempfile

path, action, command, old_command, dry_run = sys.argv[1:6]
matcher = "Edit|Write|MultiEdit"


def refuse(why):
    sys.exit(f"install.sh: {path} {why}. Nothing was changed: fix it and run install.sh again.")


try:
    with open(path, encoding="utf-8") as handle:
        settings = json.load(handle)
except FileNotFoundError:
    settings = {}
except (ValueError, UnicodeDecodeError) as error:
    refuse(f"is not valid JSON ({error})")
except OSError as error:
    refuse(f"cannot be read ({error.strerror})")
if not isinstance(settings, dict):
    refuse("is not a JSON object")
hooks = settings.get("hooks", {})
if not isinstance(hooks, dict):
    refuse('has "hooks" that is not an object')
entries = hooks.get("PostToolUse", [])
if not isinstance(entries, list):
    refuse('has "hooks.PostToolUse" that is not a list')
for entry in entries:
    if not isinstance(entry, dict) or not isinstance(entry.get("hooks", []), list):
        refuse('has a "hooks.PostToolUse" entry that is not an object with a "hooks" list')
if action == "check":
    sys.exit(0)


def ours(hook):
    return isinstance(hook, dict) and hook.get("command") in (command, old_command)


def without_ours(entries):
    kept = []
    for entry in entries:
        if any(ours(hook) for hook in entry.get("hooks", [])):
            entry = {**entry, "hooks": [hook for hook in entry["hooks"] if not ours(hook)]}
            if not entry["hooks"]:
                continue
        kept.append(entry)
    return kept


found = sum(ours(hook) for entry in entries for hook in entry.get("hooks", []))
wanted = {"matcher": matcher, "hooks": [{"type": "command", "command": command, "timeout": 60}]}
if action == "add":
    if found == 1 and wanted in entries:
        sys.exit(0)
    entries = without_ours(entries) + [wanted]
else:
    if not found:
        sys.exit(0)
    entries = without_ours(entries)
if entries:
    hooks["PostToolUse"] = entries
else:
    hooks.pop("PostToolUse", None)
if hooks:
    settings["hooks"] = hooks
else:
    settings.pop("hooks", None)
print("removed" if action == "remove" else "updated" if found else "added")
if dry_run == "1":
    sys.exit(0)
if not settings and action == "remove":
    os.remove(path)  # it held nothing but our hook
    sys.exit(0)
directory = os.path.dirname(path)
os.makedirs(directory, exist_ok=True)
try:
    mode = stat.S_IMODE(os.stat(path).st_mode)
except FileNotFoundError:
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask
fd, tmp = tempfile.mkstemp(dir=directory, prefix=".settings.")
with os.fdopen(fd, "w", encoding="utf-8") as handle:
    json.dump(settings, handle, indent=2, ensure_ascii=False)
    handle.write("\n")
os.chmod(tmp, mode)
os.replace(tmp, path)
PY
}

check_settings() {
    py=$(python_cmd) || die "python3 is needed to edit $settings"
    edit_settings "$settings" check || exit 1
}

wire_hook() {
    done_to_hook=$(edit_settings "$settings" "$1") || exit 1
    case "$done_to_hook" in
        added) say "adding the edit hook to $settings" ;;
        updated) say "updating the edit hook in $settings (an earlier version's)" ;;
        removed) say "removing the edit hook from $settings" ;;
    esac
}

# ------------------------------------------------------------------------------ main
[ -f "$SOURCE_DIR/$SKILL_REL/SKILL.md" ] \
    || die "no $SKILL_REL/SKILL.md next to install.sh: run it from a fastapi-guardrails clone"
command -v sha256sum >/dev/null 2>&1 || command -v shasum >/dev/null 2>&1 \
    || die "sha256sum (or shasum) is needed"
if [ -n "$project" ]; then
    check_settings
fi
load_previous_manifest
load_cli_record

if [ "$uninstall" = 1 ]; then
    uninstall_files
    if [ -n "$project" ]; then
        wire_hook remove
    fi
    if [ "$dry_run" = 0 ]; then
        rm -f "$manifest" "$old_manifest"
        prune_empty_parents "$old_manifest"
    fi
    if [ "$install_cli" = 0 ]; then
        if [ -z "$project" ] && [ "$cli_recorded" = 1 ]; then
            how="\`sh install.sh --uninstall\` removes it"
            say "keeping the fastapi-guardrails CLI (--no-cli): $how"
        fi
    elif [ -n "$project" ]; then
        keep_the_cli_for_other_projects
    else
        uninstall_the_cli
    fi
    save_cli_record
    if [ "$dry_run" = 0 ]; then
        rmdir "$claude_dir" 2>/dev/null || true
    fi
    exit "$exit_status"
fi

if [ "$install_cli" = 1 ]; then
    install_the_cli
fi
install_files
if [ -n "$project" ]; then
    wire_hook add
fi
write_manifest
save_cli_record
print_path_hint
say "done"
