#!/usr/bin/env bash
# ensure-moto.sh — print the absolute path of a working `moto_server` (the
# local AWS mock used for KMS in tests and demos).
#
# Usage:  MOTO="$(scripts/ensure-moto.sh)"
#
# stdout: exactly one line, the path to moto_server. Messages go to stderr.
# When moto_server cannot be found it runs
#     python3 -m pip install 'moto[server]'
# (retrying with --user, then --user --break-system-packages for PEP 668
# "externally managed" interpreters) and searches again in:
#   PATH, `python3 -m site --user-base`/bin, python3's sys.prefix/bin,
#   pyenv shims ($PYENV_ROOT/shims or ~/.pyenv/shims).
# If moto is importable but no moto_server script exists anywhere, a small
# wrapper running moto.server's main is written to <repo>/.cache/bin. The
# wrapper is a Python script whose first line names python3, as pip's own
# moto_server is: the tests and the demo run scripts/moto-tls.py with the
# interpreter of that line, so it imports the same moto.
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd -- "${script_dir}/.." && pwd -P)"
cache_bin="${repo_root}/.cache/bin"

log() { printf 'ensure-moto: %s\n' "$*" >&2; }

# works BIN -> exit 0 when BIN runs (pyenv shims exist for every installed
# version, so existence alone is not enough).
works() {
	[ -n "$1" ] && [ -x "$1" ] && "$1" --help >/dev/null 2>&1
}

find_moto() {
	local c dir
	local -a candidates=()
	if c="$(command -v moto_server 2>/dev/null)"; then candidates+=("${c}"); fi
	if command -v python3 >/dev/null 2>&1; then
		if dir="$(python3 -m site --user-base 2>/dev/null)" && [ -n "${dir}" ]; then
			candidates+=("${dir}/bin/moto_server")
		fi
		if dir="$(python3 -c 'import sys; print(sys.prefix)' 2>/dev/null)" && [ -n "${dir}" ]; then
			candidates+=("${dir}/bin/moto_server")
		fi
	fi
	candidates+=("${PYENV_ROOT:-${HOME:-/root}/.pyenv}/shims/moto_server")
	if command -v pyenv >/dev/null 2>&1 && c="$(pyenv which moto_server 2>/dev/null)"; then
		candidates+=("${c}")
	fi
	candidates+=("${cache_bin}/moto_server")
	for c in "${candidates[@]}"; do
		if works "${c}"; then
			printf '%s\n' "${c}"
			return 0
		fi
	done
	return 1
}

if path="$(find_moto)"; then
	printf '%s\n' "${path}"
	exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
	log "moto_server not found and python3 is not installed."
	log "Install Python 3 with pip (e.g. 'apt-get install -y python3 python3-pip'), then re-run,"
	log "or install moto yourself: python3 -m pip install 'moto[server]'"
	exit 1
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
	log "moto_server not found and pip is not available for $(command -v python3)."
	log "Install pip (e.g. 'apt-get install -y python3-pip'), then re-run."
	exit 1
fi

log "moto_server not found; installing with: python3 -m pip install 'moto[server]'"
if ! python3 -m pip install 'moto[server]' >&2; then
	log "plain pip install failed; retrying with --user"
	if ! python3 -m pip install --user 'moto[server]' >&2; then
		log "retrying with --user --break-system-packages (PEP 668 interpreter)"
		if ! python3 -m pip install --user --break-system-packages 'moto[server]' >&2; then
			log "could not install moto[server] with pip; install it manually and re-run."
			exit 1
		fi
	fi
fi
# pyenv needs its shims regenerated for newly installed console scripts.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash >/dev/null 2>&1 || true; fi
hash -r

if path="$(find_moto)"; then
	printf '%s\n' "${path}"
	exit 0
fi

# Installed but the console script is nowhere we can see: use a wrapper.
if python3 -c 'import moto.server' >/dev/null 2>&1; then
	mkdir -p "${cache_bin}"
	# The interpreter itself, not a pyenv shim in front of it, for the wrapper's first line.
	py="$(python3 -c 'import sys; print(sys.executable)')"
	printf '#!%s\nimport sys\nfrom moto.server import main\nsys.exit(main())\n' "${py}" >"${cache_bin}/moto_server"
	chmod +x "${cache_bin}/moto_server"
	if works "${cache_bin}/moto_server"; then
		log "using wrapper ${cache_bin}/moto_server (moto.server's main under ${py})"
		printf '%s\n' "${cache_bin}/moto_server"
		exit 0
	fi
fi

log "moto[server] was installed but moto_server could not be located or run."
log "Looked in PATH, python3 user-base/bin, sys.prefix/bin and pyenv shims."
exit 1
