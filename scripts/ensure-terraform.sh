#!/usr/bin/env bash
# ensure-terraform.sh — print the absolute path of a Terraform CLI >= 1.8.0.
#
# Usage:  TF="$(scripts/ensure-terraform.sh)"
#
# stdout: exactly one line, the path to the terraform binary. Everything else
#         (progress, warnings) goes to stderr.
# Order of preference:
#   1. `terraform` on PATH, if it reports version >= 1.8.0;
#   2. <repo>/.cache/bin/terraform, if already built and >= 1.8.0;
#   3. build it once from source with the Go toolchain (no binary download):
#        GOBIN=<repo>/.cache/bin go install github.com/hashicorp/terraform@v1.8.5
#      (takes a few minutes the first time; .cache/ is git-ignored).
# Environment:
#   TERRAFORM_BUILD_VERSION  version to build in step 3 (default v1.8.5)
#   ENSURE_TERRAFORM_SKIP_PATH=1  ignore terraform on PATH (forces steps 2/3)
set -euo pipefail

MIN_MAJOR=1
MIN_MINOR=8
BUILD_VERSION="${TERRAFORM_BUILD_VERSION:-v1.8.5}"

# Never let terraform phone home (update checks) while we probe it.
export CHECKPOINT_DISABLE=1

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd -- "${script_dir}/.." && pwd -P)"
cache_bin="${repo_root}/.cache/bin"
cached_tf="${cache_bin}/terraform"

log() { printf 'ensure-terraform: %s\n' "$*" >&2; }

# tf_version BIN -> prints "X.Y.Z" (or nothing) for the given terraform binary.
tf_version() {
	local bin="$1" out ver
	# -json is available since 0.13; parse it without jq.
	out="$("${bin}" version -json 2>/dev/null || true)"
	ver="$(printf '%s\n' "${out}" |
		sed -n 's/.*"terraform_version"[[:space:]]*:[[:space:]]*"\([0-9][0-9.]*\)[^"]*".*/\1/p' |
		head -n 1)"
	if [ -z "${ver}" ]; then
		# Fallback: first line of plain `terraform version`, e.g. "Terraform v1.11.4".
		out="$("${bin}" version 2>/dev/null || true)"
		ver="$(printf '%s\n' "${out}" | head -n 1 |
			sed -n 's/^Terraform v\([0-9][0-9.]*\).*/\1/p')"
	fi
	printf '%s' "${ver}"
}

# version_ok "X.Y.Z" -> exit 0 when >= MIN_MAJOR.MIN_MINOR.0
version_ok() {
	local ver="$1" major minor
	[ -n "${ver}" ] || return 1
	major="${ver%%.*}"
	minor="${ver#*.}"
	minor="${minor%%.*}"
	case "${major}" in '' | *[!0-9]*) return 1 ;; esac
	case "${minor}" in '' | *[!0-9]*) return 1 ;; esac
	if [ "${major}" -gt "${MIN_MAJOR}" ]; then return 0; fi
	if [ "${major}" -eq "${MIN_MAJOR}" ] && [ "${minor}" -ge "${MIN_MINOR}" ]; then return 0; fi
	return 1
}

# 1. terraform on PATH
if [ "${ENSURE_TERRAFORM_SKIP_PATH:-0}" != "1" ]; then
	if path_tf="$(command -v terraform 2>/dev/null)" && [ -n "${path_tf}" ]; then
		ver="$(tf_version "${path_tf}")"
		if version_ok "${ver}"; then
			printf '%s\n' "${path_tf}"
			exit 0
		fi
		log "terraform on PATH (${path_tf}) reports version '${ver:-unknown}', need >= ${MIN_MAJOR}.${MIN_MINOR}.0"
	fi
fi

# 2. previously built copy
if [ -x "${cached_tf}" ]; then
	ver="$(tf_version "${cached_tf}")"
	if version_ok "${ver}"; then
		printf '%s\n' "${cached_tf}"
		exit 0
	fi
	log "cached ${cached_tf} reports version '${ver:-unknown}'; rebuilding"
fi

# 3. build from source with Go
if ! command -v go >/dev/null 2>&1; then
	log "no Terraform >= ${MIN_MAJOR}.${MIN_MINOR} found and Go is not on PATH to build one."
	log "Install Go (https://go.dev/doc/install) or put terraform >= ${MIN_MAJOR}.${MIN_MINOR} on PATH."
	exit 1
fi

mkdir -p "${cache_bin}"
log "building terraform ${BUILD_VERSION} from source into ${cache_bin} (one-time, takes a few minutes)..."
# GOFLAGS cleared: `go install pkg@version` rejects e.g. -mod=vendor.
# version.dev=no makes it report "1.8.5" instead of "1.8.5-dev", as the
# official release builds do. All go output goes to stderr so stdout stays a
# single path.
if ! (cd "${cache_bin}" &&
	GOFLAGS='' GOBIN="${cache_bin}" CGO_ENABLED=0 \
		go install -ldflags='-s -w -X github.com/hashicorp/terraform/version.dev=no' \
		"github.com/hashicorp/terraform@${BUILD_VERSION}") >&2; then
	log "go install github.com/hashicorp/terraform@${BUILD_VERSION} failed"
	exit 1
fi

ver="$(tf_version "${cached_tf}")"
if ! version_ok "${ver}"; then
	log "built ${cached_tf} but it reports version '${ver:-unknown}'"
	exit 1
fi
log "built terraform ${ver} at ${cached_tf}"
printf '%s\n' "${cached_tf}"
