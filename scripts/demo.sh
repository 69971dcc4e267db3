#!/usr/bin/env bash
# demo.sh: show what the gdpr provider guarantees, against a local AWS emulator.
#
# Run by `make demo` after `make build` has put ./terraform-provider-gdpr in the
# repository root. It starts the emulator of `make emulator` (scripts/emulator.sh):
# moto_server's moto through scripts/moto-tls.py on free loopback ports, over
# TLS with a throw-away CA made for this run (AWS_CA_BUNDLE points the provider
# at it), and with the TLS-only policy of every gdpr_bucket enforced by each
# request's scheme, as the acceptance tests run it. It
# points Terraform at the local build through a dev_overrides CLI
# configuration, and then, on a copy of examples/quickstart:
#   1. applies it (a KMS key, a bucket, a server whose disk the key encrypts,
#      and a gdpr_region lookup), and shows that the bucket takes an object over
#      TLS and refuses it over plain HTTP,
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
# The same emulator `make emulator` runs, started in the background here.
# shellcheck source=scripts/emulator.sh
. "${script_dir}/emulator.sh"
stop_emulator() {
	if [ -n "${EMULATOR_PID:-}" ]; then
		echo
		echo "==> Stopping the emulator (pid ${EMULATOR_PID})"
		emulator_stop
	fi
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

heading "Starting the emulator over TLS on a free loopback port"
MOTO_SERVER="${MOTO}" emulator_start "${demo_dir}" || fail "the emulator did not start (above)"
python="${EMULATOR_PYTHON}"
endpoint="${EMULATOR_ENDPOINT}"
plain_endpoint="${EMULATOR_PLAIN_ENDPOINT}"
echo "emulator listening at ${endpoint}, and without TLS at ${plain_endpoint} (pid ${EMULATOR_PID}, log ${EMULATOR_LOG})"

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

heading "The bucket's policy denies every request without TLS: an object over TLS is stored, over plain HTTP it is refused"
bucket="$("${TF}" -chdir="${work}" output -raw bucket)"
# boto3 comes with moto, so the emulator's own Python can play a client that uses TLS and one that does not.
"${python}" - "${bucket}" "${endpoint}" "${plain_endpoint}" "${AWS_CA_BUNDLE}" <<'PY' || fail "the bucket's TLS-only policy was not enforced as expected (above)"
import sys
import boto3
from botocore.exceptions import ClientError

bucket, tls, plain, ca = sys.argv[1:]
def client(url):
    return boto3.client("s3", endpoint_url=url, region_name="eu-central-1", verify=ca,
                        aws_access_key_id="test", aws_secret_access_key="test")
client(tls).put_object(Bucket=bucket, Key="demo.txt", Body=b"over TLS")
print(f"PutObject s3://{bucket}/demo.txt over TLS ({tls}): stored")
try:
    client(plain).put_object(Bucket=bucket, Key="demo.txt", Body=b"over plain HTTP")
except ClientError as e:
    status = e.response["ResponseMetadata"]["HTTPStatusCode"]
    print(f"PutObject s3://{bucket}/demo.txt over plain HTTP ({plain}): refused with HTTP {status}")
    sys.exit(0 if status == 403 else 1)
print("PutObject over plain HTTP was stored: the TLS-only policy did not hold")
sys.exit(1)
PY

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
