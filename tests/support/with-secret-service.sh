#!/bin/sh
# Runs a command against a private, unlocked Secret Service (GNOME Keyring on its own D-Bus session
# bus, keyrings under a temporary HOME), so that keychain tests never touch a person's real keys.
# The keyring daemon leaves together with that bus.
#   with-secret-service.sh COMMAND [ARG...]
set -eu
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/.local/share/keyrings"
export HOME="$scratch" XDG_DATA_HOME="$scratch/.local/share"
# The password only unlocks this throwaway login keyring; an empty one would make the daemon prompt.
dbus-run-session -- sh -c '
    printf %s codecourier-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"
' with-secret-service "$@"
