#!/usr/bin/env bash
# Runs a command (the test suite) inside a throwaway desktop-like session, so that tests which need a
# real Secret Service (QtKeychain) find one and nothing touches the user's own keyring or files:
#
#   - a fresh HOME, XDG_{DATA,CONFIG,CACHE}_HOME and XDG_RUNTIME_DIR (mode 0700) under a temporary
#     folder, removed afterwards;
#   - a private D-Bus session bus (dbus-run-session), so no systemd user session is needed;
#   - gnome-keyring-daemon's secrets component, started with a non-empty password so that its "login"
#     collection is created unlocked (an empty password leaves it locked), and stopped afterwards.
#
# When dbus-run-session or gnome-keyring-daemon is missing (macOS, minimal systems) the command runs
# plainly with a note. Works as root in a container without systemd and without a display: the tests
# use QT_QPA_PLATFORM=offscreen and set their own per-test HOME/XDG folders (tests/CMakeLists.txt).
#
# Usage: packaging/linux/with-test-session.sh <command> [args...]   (exit status is the command's)
set -euo pipefail

log() { printf '[with-test-session] %s\n' "$*" >&2; }

if (($# == 0)); then
    echo "usage: $0 <command> [args...]" >&2
    exit 2
fi

# Inside the D-Bus session: start the keyring, run the command, stop the keyring.
if [[ "${1:-}" == "--inside-session" ]]; then
    shift
    keyring_pid=""
    stop_keyring() {
        if [[ -n "$keyring_pid" ]]; then
            kill "$keyring_pid" 2>/dev/null || true
            wait "$keyring_pid" 2>/dev/null || true
            keyring_pid=""
        fi
    }
    trap stop_keyring EXIT

    secrets_on_bus() {
        dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
            grep -q 'boolean true'
    }

    # --foreground keeps the daemon our child, so it is stopped by its pid and never outlives the run.
    printf 'tessera-test' | gnome-keyring-daemon --foreground --unlock --components=secrets \
        >"$XDG_RUNTIME_DIR/gnome-keyring.log" 2>&1 &
    keyring_pid=$!
    ready=0
    for _ in $(seq 100); do
        if ! kill -0 "$keyring_pid" 2>/dev/null; then break; fi
        if command -v dbus-send >/dev/null 2>&1; then
            if secrets_on_bus; then
                ready=1
                break
            fi
        elif [[ -S "$XDG_RUNTIME_DIR/keyring/control" ]]; then
            ready=1
            break
        fi
        sleep 0.1
    done
    if ((ready)) && command -v secret-tool >/dev/null 2>&1; then
        # A store/lookup round trip proves the collection is unlocked; the probe item is removed again.
        if printf probe | secret-tool store --label=tessera-probe tessera-probe 1 2>/dev/null &&
            [[ "$(secret-tool lookup tessera-probe 1 2>/dev/null)" == probe ]]; then
            secret-tool clear tessera-probe 1 2>/dev/null || true
        else
            ready=0
        fi
    fi
    if ((ready)); then
        log "D-Bus session with an unlocked gnome-keyring (secrets) is ready"
    else
        log "warning: gnome-keyring did not come up; keychain tests will fail. Its output:"
        sed 's/^/    /' "$XDG_RUNTIME_DIR/gnome-keyring.log" >&2 || true
        stop_keyring
    fi
    set +e
    "$@"
    status=$?
    set -e
    stop_keyring
    exit "$status"
fi

# Qt warns on a non-UTF-8 "C" locale and switches to C.UTF-8 anyway; say so up front.
if [[ -z "${LC_ALL:-}" && (-z "${LANG:-}" || "${LANG:-}" == C || "${LANG:-}" == POSIX) ]]; then
    export LANG=C.UTF-8
fi

if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
    log "dbus-run-session or gnome-keyring-daemon not found: running without a test keyring session"
    exec "$@"
fi

# A short path: D-Bus and the keyring put Unix sockets under XDG_RUNTIME_DIR (108-byte limit).
session_root="$(mktemp -d "${TMPDIR:-/tmp}/tessera-session.XXXXXX")"
# shellcheck disable=SC2317  # called by the trap
cleanup() { rm -rf "$session_root"; }
trap cleanup EXIT
mkdir -m 700 "$session_root/home" "$session_root/runtime"

export HOME="$session_root/home"
export XDG_RUNTIME_DIR="$session_root/runtime"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
# Nothing from an outer desktop session may leak in: the tests must talk to this bus and keyring only.
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK

self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
set +e
# (dbus-daemon may log "Failed to set fd limit" in an unprivileged container: harmless.)
dbus-run-session -- bash "$self" --inside-session "$@"
status=$?
set -e
exit "$status"
