#!/usr/bin/env bash
# demo.sh: show what the gdpr provider guarantees, against a local AWS emulator.
#
# Run by `make demo` after `make build` has put ./terraform-provider-gdpr in the
# repository root. It starts moto_server on a free loopback port, points
# Terraform at the local build through a dev_overrides CLI configuration, and
# then, on a copy of examples/quickstart:
#   1. applies it (a KMS key, a server whose disk the key encrypts, and a
#      gdpr_region lookup),
#   2. changes the key's description and shows the plan replacing the key
#      (and the server, whose disk must move to the new key),
#   3. plans a second copy with region us-east-1 and shows the plan refused
#      because the data would leave the allowed jurisdictions,
#   4. destroys everything.
# The emulator is stopped on exit, whatever happens. Nothing is written outside
# the git-ignored .cache/demo/.
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd -- "${script_dir}/.." && pwd -P)"
demo_dir="${repo_root}/.cache/demo"
work="${demo_dir}/work"

export CHECKPOINT_DISABLE=1
# The quickstart names its endpoints and credentials itself; a profile from the
# environment must not change what it talks to.
unset AWS_PROFILE AWS_DEFAULT_PROFILE

heading() { printf '\n==> %s\n\n' "$*"; }
fail() {
	printf '\ndemo: FAILED: %s\n' "$*" >&2
	exit 1
}

if [ ! -x "${repo_root}/terraform-provider-gdpr" ]; then
	fail "${repo_root}/terraform-provider-gdpr is missing; run make demo, which builds it first"
fi

heading "Finding Terraform and the AWS emulator"
TF="$("${script_dir}/ensure-terraform.sh")"
MOTO="$("${script_dir}/ensure-moto.sh")"
echo "terraform:   ${TF} ($("${TF}" version | head -n 1))"
echo "moto_server: ${MOTO}"

mkdir -p "${demo_dir}"
moto_pid=""
stop_emulator() {
	if [ -n "${moto_pid}" ] && kill -0 "${moto_pid}" 2>/dev/null; then
		echo
		echo "==> Stopping the emulator (pid ${moto_pid})"
		kill "${moto_pid}" 2>/dev/null || true
		wait "${moto_pid}" 2>/dev/null || true
	fi
	moto_pid=""
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

heading "Starting moto_server on a free loopback port"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"${MOTO}" -H 127.0.0.1 -p "${port}" >"${demo_dir}/moto.log" 2>&1 &
moto_pid=$!
endpoint="http://127.0.0.1:${port}"
ready=""
for _ in $(seq 1 100); do
	if ! kill -0 "${moto_pid}" 2>/dev/null; then
		cat "${demo_dir}/moto.log" >&2
		fail "moto_server exited at start-up (log above)"
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
		ready=1
		break
	fi
	sleep 0.2
done
[ -n "${ready}" ] || fail "moto_server did not listen on port ${port} within 20 seconds; see ${demo_dir}/moto.log"
echo "emulator listening at ${endpoint} (pid ${moto_pid}, log ${demo_dir}/moto.log)"

# With dev_overrides, Terraform loads the provider from the repository root and
# needs no `terraform init`, which would try to reach the registry.
export TF_CLI_CONFIG_FILE="${demo_dir}/dev.tfrc"
cat >"${TF_CLI_CONFIG_FILE}" <<EOF
provider_installation {
  dev_overrides {
    "gdpr-immutable/gdpr" = "${repo_root}"
  }
  direct {}
}
EOF

# A fresh copy each run, so no state lands in examples/ and no state from an
# earlier run refers to an emulator that is gone.
rm -rf "${work}"
mkdir -p "${work}"
cp "${repo_root}"/examples/quickstart/*.tf "${work}/"

# tf runs a Terraform command that reads the configuration; output takes no -var.
tf() {
	local cmd="$1"
	shift
	"${TF}" -chdir="${work}" "${cmd}" -no-color -input=false -var "endpoint=${endpoint}" "$@"
}

heading "1. terraform apply: create a KMS key, a bucket and a server whose storage it encrypts, in eu-central-1 (Germany, EU)"
tf apply -auto-approve

heading "Outputs of the quickstart"
"${TF}" -chdir="${work}" output -no-color

heading "2. Change the key's description: the plan replaces the key, it never updates it in place"
plan_out="${demo_dir}/replace.plan.txt"
set +e
tf plan -var "key_description=Encrypts the quickstart customer records, version 2" 2>&1 | tee "${plan_out}"
rc=${PIPESTATUS[0]}
set -e
[ "${rc}" -eq 0 ] || fail "terraform plan exited with ${rc}; expected a plan that replaces the key"
grep -q "must be replaced" "${plan_out}" ||
	fail "the plan does not replace gdpr_key.customer_records ('must be replaced' not found)"
echo
echo "OK: the plan replaces the key (\"must be replaced\")."

heading "3. Deploy the same configuration in us-east-1 (United States): the plan is refused, the data would leave the EEA"
# A separate working copy with no state: a new deployment of the quickstart.
# Against the first copy's state, the refresh would look for the existing key
# in us-east-1 and report it missing before the same refusal.
other="${demo_dir}/us-east-1"
rm -rf "${other}"
mkdir -p "${other}"
cp "${repo_root}"/examples/quickstart/*.tf "${other}/"
plan_out="${demo_dir}/residency.plan.txt"
set +e
"${TF}" -chdir="${other}" plan -no-color -input=false -var "endpoint=${endpoint}" -var "region=us-east-1" 2>&1 | tee "${plan_out}"
rc=${PIPESTATUS[0]}
set -e
[ "${rc}" -ne 0 ] || fail "terraform plan succeeded for us-east-1; expected it to fail for residency"
grep -q "Region not allowed for personal data" "${plan_out}" ||
	fail "terraform plan failed for us-east-1, but not with 'Region not allowed for personal data'"
echo
echo "OK: terraform plan exited with ${rc} and the error \"Region not allowed for personal data\"."

heading "4. terraform destroy: delete the bucket, terminate the server and schedule the key's deletion (crypto-shredding after the 7-day window)"
tf destroy -auto-approve

stop_emulator
heading "Demo finished"
echo "Every step behaved as expected. The working copies and their state are in ${demo_dir}."
