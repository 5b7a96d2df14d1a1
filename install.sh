#!/bin/sh
# Install fastapi-guardrails: the CLI (with uv) and the Claude Code skill.
#
#   ./install.sh                  CLI + skill in ~/.claude/skills/fastapi-guardrails
#   ./install.sh --project DIR    skill in DIR/.claude/skills, CLAUDE.md (if DIR has none),
#                                 and the edit hook in DIR/.claude/settings.json
#   ./install.sh --dry-run        say what would change, change nothing
#   ./install.sh --uninstall      remove what this script installed (and nothing else)
#
# Never destroys a user's edits: an installed file changed since it was installed is
# backed up (FILE.bak-TIMESTAMP) before being replaced, and kept on uninstall. What was
# installed is recorded, with checksums, in the skill directory's .fastapi-guardrails-manifest.
set -eu

SOURCE_DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
SKILL_NAME=fastapi-guardrails
MANIFEST_NAME=.fastapi-guardrails-manifest
HOOK_COMMAND="fastapi-guardrails hook claude"
STAMP=$(date +%Y%m%d%H%M%S)

project=""
dry_run=0
uninstall=0
install_cli=1

usage() {
    cat <<'EOF'
Usage: install.sh [--project DIR] [--dry-run] [--uninstall] [--no-cli] [--help]

Installs the fastapi-guardrails CLI (with uv, installed first if missing) and copies the
Claude Code skill into ~/.claude/skills/fastapi-guardrails.

  --project DIR  install the skill into DIR/.claude/skills instead, copy CLAUDE.md into
                 DIR when it has none, and add the edit hook to DIR/.claude/settings.json
                 (merged: existing hooks are kept)
  --dry-run      print what would be done; change nothing
  --uninstall    remove what this script installed; files you changed are kept
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

if [ -n "$project" ]; then
    [ -d "$project" ] || die "no such project directory: $project" 2
    project=$(CDPATH= cd -- "$project" && pwd)
    skills_dir="$project/.claude/skills"
else
    [ -n "${HOME:-}" ] || die "HOME is not set" 2
    skills_dir="$HOME/.claude/skills"
fi
target="$skills_dir/$SKILL_NAME"
manifest="$target/$MANIFEST_NAME"

checksum() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# The checksum the manifest recorded for a relative path (empty if none).
recorded() {
    [ -f "$manifest" ] || return 0
    awk -v path="$1" 'substr($0, 67) == path { print substr($0, 1, 64) }' "$manifest"
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

# --------------------------------------------------------------------------- the CLI
ensure_uv() {
    command -v uv >/dev/null 2>&1 && return 0
    py=$(python_cmd) || die "uv is missing and no python3 to install it with"
    say "installing uv with pip"
    [ "$dry_run" = 1 ] && return 0
    "$py" -m pip install --quiet --user uv || "$py" -m pip install --quiet uv \
        || die "could not install uv (pip install uv)"
    PATH="$HOME/.local/bin:$PATH"
    export PATH
    command -v uv >/dev/null 2>&1 || die "uv was installed but is not on PATH"
}

install_the_cli() {
    ensure_uv
    say "installing the fastapi-guardrails CLI (uv tool install)"
    [ "$dry_run" = 1 ] && return 0
    uv tool install --quiet --force "$SOURCE_DIR" || die "uv tool install failed"
}

uninstall_the_cli() {
    command -v uv >/dev/null 2>&1 || return 0
    if uv tool list 2>/dev/null | grep -q "^fastapi-guardrails "; then
        say "uninstalling the fastapi-guardrails CLI"
        [ "$dry_run" = 1 ] || uv tool uninstall fastapi-guardrails >/dev/null
    fi
}

# ------------------------------------------------------------------------- the skill
install_the_skill() {
    say "installing the skill into $target"
    new_manifest=""
    if [ "$dry_run" = 0 ]; then
        mkdir -p "$target"
        new_manifest=$(mktemp "$target/.manifest.XXXXXX")
    fi
    (cd "$SOURCE_DIR/skills/$SKILL_NAME" && find . -type f ! -name "$MANIFEST_NAME" | sed 's|^\./||' | sort) \
    | while IFS= read -r relative; do
        source_file="$SOURCE_DIR/skills/$SKILL_NAME/$relative"
        dest="$target/$relative"
        new_sum=$(checksum "$source_file")
        if [ -f "$dest" ]; then
            current=$(checksum "$dest")
            if [ "$current" = "$new_sum" ]; then
                [ -n "$new_manifest" ] && printf '%s  %s\n' "$new_sum" "$relative" >> "$new_manifest"
                continue
            fi
            if [ "$current" != "$(recorded "$relative")" ]; then
                say "  keeping your version of $relative as $relative.bak-$STAMP"
                [ "$dry_run" = 1 ] || cp -p "$dest" "$dest.bak-$STAMP"
            fi
            say "  updating $relative"
        else
            say "  adding $relative"
        fi
        if [ "$dry_run" = 0 ]; then
            mkdir -p "$(dirname "$dest")"
            tmp=$(mktemp "$(dirname "$dest")/.install.XXXXXX")
            cp "$source_file" "$tmp"
            chmod 644 "$tmp"
            mv -f "$tmp" "$dest"
            printf '%s  %s\n' "$new_sum" "$relative" >> "$new_manifest"
        fi
    done
    if [ "$dry_run" = 0 ]; then
        mv -f "$new_manifest" "$manifest"
    fi
}

uninstall_the_skill() {
    if [ ! -f "$manifest" ]; then
        say "no skill installed by this script in $target"
        return 0
    fi
    say "removing the skill from $target"
    while IFS= read -r line; do
        sum=$(printf '%s' "$line" | cut -c1-64)
        relative=$(printf '%s' "$line" | cut -c67-)
        dest="$target/$relative"
        [ -f "$dest" ] || continue
        if [ "$(checksum "$dest")" = "$sum" ]; then
            say "  removing $relative"
            [ "$dry_run" = 1 ] || rm -f "$dest"
        else
            say "  keeping $relative: you changed it"
        fi
    done < "$manifest"
    if [ "$dry_run" = 0 ]; then
        rm -f "$manifest"
        find "$target" -depth -type d -empty -exec rmdir {} \; 2>/dev/null || true
    fi
}

# ------------------------------------------------------------- CLAUDE.md and the hook
install_claude_md() {
    dest="$project/CLAUDE.md"
    if [ ! -e "$dest" ]; then
        say "copying CLAUDE.md into $project"
        [ "$dry_run" = 1 ] || cp "$SOURCE_DIR/CLAUDE.md" "$dest"
    elif ! cmp -s "$SOURCE_DIR/CLAUDE.md" "$dest"; then
        say "$dest exists and is yours: merge the sections you want from $SOURCE_DIR/CLAUDE.md"
    fi
}

# Add (or, with "remove", take out) our PostToolUse hook in a settings.json, keeping
# everything else. Prints "changed" when the file changed.
edit_settings() {
    py=$(python_cmd) || die "python3 is needed to edit $1"
    "$py" - "$1" "$2" "$HOOK_COMMAND" "$dry_run" <<'PY'
import json, os, sys, tempfile

path, action, command, dry_run = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
matcher = "Edit|Write|MultiEdit"
try:
    with open(path, encoding="utf-8") as handle:
        settings = json.load(handle)
except FileNotFoundError:
    settings = {}
except ValueError as error:
    sys.exit(f"install.sh: {path} is not valid JSON ({error}); it was left untouched")
if not isinstance(settings, dict):
    sys.exit(f"install.sh: {path} is not a JSON object; it was left untouched")
hooks = settings.setdefault("hooks", {})
entries = hooks.setdefault("PostToolUse", [])
if not isinstance(hooks, dict) or not isinstance(entries, list):
    sys.exit(f"install.sh: unexpected hooks structure in {path}; it was left untouched")

def ours(hook):
    return isinstance(hook, dict) and hook.get("command") == command

present = any(ours(h) for e in entries if isinstance(e, dict) for h in e.get("hooks", []))
if action == "add":
    if present:
        sys.exit(0)
    entries.append({"matcher": matcher, "hooks": [{"type": "command", "command": command, "timeout": 60}]})
else:
    if not present:
        sys.exit(0)
    kept = []
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("hooks"), list):
            entry["hooks"] = [h for h in entry["hooks"] if not ours(h)]
            if not entry["hooks"]:
                continue
        kept.append(entry)
    hooks["PostToolUse"] = kept
    if not kept:
        del hooks["PostToolUse"]
    if not hooks:
        del settings["hooks"]
print("changed")
if dry_run:
    sys.exit(0)
os.makedirs(os.path.dirname(path), exist_ok=True)
fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".settings.")
with os.fdopen(fd, "w", encoding="utf-8") as handle:
    json.dump(settings, handle, indent=2)
    handle.write("\n")
os.replace(tmp, path)
PY
}

wire_hook() {
    settings="$project/.claude/settings.json"
    changed=$(edit_settings "$settings" "$1") || exit 1
    if [ "$changed" = "changed" ]; then
        if [ "$1" = add ]; then
            say "adding the edit hook to $settings"
        else
            say "removing the edit hook from $settings"
        fi
    fi
}

# ------------------------------------------------------------------------------ main
if [ "$uninstall" = 1 ]; then
    uninstall_the_skill
    if [ -n "$project" ]; then
        if cmp -s "$SOURCE_DIR/CLAUDE.md" "$project/CLAUDE.md"; then
            say "removing $project/CLAUDE.md (unchanged since it was installed)"
            [ "$dry_run" = 1 ] || rm -f "$project/CLAUDE.md"
        fi
        wire_hook remove
    elif [ "$install_cli" = 1 ]; then
        uninstall_the_cli
    fi
    exit 0
fi

if [ "$install_cli" = 1 ]; then
    install_the_cli
fi
install_the_skill
if [ -n "$project" ]; then
    install_claude_md
    wire_hook add
fi
say "done"
