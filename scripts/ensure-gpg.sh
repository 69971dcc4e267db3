#!/usr/bin/env bash
# ensure-gpg.sh: make sure gpg and gpgconf are on PATH, for the release rehearsal's check by hand
# (TestAccRelease_verifiesByHand runs the README's `gpg --verify`). When they are missing it installs Debian's
# gnupg package with apt-get (as root, or through sudo), and fails naming what to install when it cannot.
set -euo pipefail

have() { command -v gpg >/dev/null 2>&1 && command -v gpgconf >/dev/null 2>&1; }
have && exit 0

echo "ensure-gpg: gpg is missing; installing the gnupg package with apt-get" >&2
as_root=()
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "ensure-gpg: not root and no sudo: install gnupg (gpg, gpgconf) by hand" >&2; exit 1; }
	as_root=(sudo -n)
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-gpg: no apt-get: install gnupg (gpg, gpgconf) by hand" >&2
	exit 1
fi
"${as_root[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq gnupg >&2
have || { echo "ensure-gpg: gnupg installed, yet gpg or gpgconf is still not on PATH" >&2; exit 1; }
