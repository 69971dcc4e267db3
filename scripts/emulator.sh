#!/usr/bin/env bash
# emulator.sh: run a local AWS emulator that a gdpr_bucket can take writes through, in the foreground.
#
# Usage: make emulator (or scripts/emulator.sh). Ctrl-C stops it, and every process it started.
#
# Plain moto_server refuses every object write to a gdpr_bucket: moto 5 applies the bucket's TLS-only deny
# statement to every request, since it does not evaluate the aws:SecureTransport condition. This runs moto
# through scripts/moto-tls.py instead, which decides that condition by the scheme each request arrived with, as
# AWS does. It serves over TLS on a free loopback port, with a certificate signed by a throw-away CA made for
# this run (AWS_CA_BUNDLE points the provider and the AWS CLI at it), and over plain HTTP on another port, where
# the same policy refuses object writes. Once it listens, it prints the environment variables and the provider
# block to use, and waits.
#
# Everything it writes goes to GDPR_EMULATOR_DIR, by default the git-ignored .cache/emulator/ of the clone.
# MOTO_SERVER names a moto_server to use; without it, scripts/ensure-moto.sh finds one or installs moto with
# pip. It needs moto's own Python, which brings the `cryptography` package that signs the CA.
#
# Sourced (by scripts/demo.sh), it only defines emulator_start DIR and emulator_stop.

emulator_script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"

# emulator_python MOTO prints the Python that runs moto_server: moto-tls.py must run under it, so it imports the
# same moto. That is the interpreter on the script's first line or, for a pyenv shim, that of the script pyenv
# runs.
emulator_python() {
	local script="$1" interp
	for _ in 1 2 3; do
		interp="$(head -n 1 "${script}" | sed -n 's/^#! *//p')"
		case "${interp}" in
		*/env\ *) interp="$(command -v "${interp#*/env }" || true)" ;;
		esac
		case "${interp##*/}" in
		python*) printf '%s\n' "${interp%% *}" && return 0 ;;
		esac
		script="$(pyenv which "${script##*/}" 2>/dev/null)" || return 1
	done
	return 1
}

# emulator_make_ca PYTHON DIR writes a new CA (DIR/ca.pem) and a server certificate it signs for 127.0.0.1 and
# localhost (DIR/cert.pem, DIR/key.pem), valid for a day. Nothing signed by it is trusted anywhere else, and
# its key is not kept: every run makes its own.
emulator_make_ca() {
	"$1" - "$2" <<'PY'
import datetime, ipaddress, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

out = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc)
def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
def builder(subject, issuer, public_key):
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1)))

ca_key = ec.generate_private_key(ec.SECP256R1())
ca_name = name("gdpr local emulator throw-away CA")
ca = (builder(ca_name, ca_name, ca_key.public_key())
      .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
      .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=False,
                                   content_commitment=False, key_encipherment=False, data_encipherment=False,
                                   key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
      .sign(ca_key, hashes.SHA256()))
key = ec.generate_private_key(ec.SECP256R1())
cert = (builder(name("127.0.0.1"), ca_name, key.public_key())
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256()))
files = {
    "ca.pem": ca.public_bytes(serialization.Encoding.PEM),
    "cert.pem": cert.public_bytes(serialization.Encoding.PEM),
    "key.pem": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()),
}
for file, content in files.items():
    fd = os.open(os.path.join(out, file), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
PY
}

# emulator_start DIR starts the emulator in the background, its log in DIR/moto.log, and returns once it
# listens. It sets EMULATOR_PID, EMULATOR_PYTHON, EMULATOR_ENDPOINT (TLS), EMULATOR_PLAIN_ENDPOINT and
# EMULATOR_LOG, and exports AWS_CA_BUNDLE. On failure it prints why and returns 1.
emulator_start() {
	local dir="$1" moto port plain_port
	mkdir -p "${dir}"
	EMULATOR_LOG="${dir}/moto.log"
	moto="${MOTO_SERVER:-$("${emulator_script_dir}/ensure-moto.sh")}" || return 1
	EMULATOR_PYTHON="$(emulator_python "${moto}")" || {
		echo "emulator: cannot tell which Python runs ${moto}; set MOTO_SERVER to moto_server's own script" >&2
		return 1
	}
	rm -rf "${dir}/tls"
	mkdir -p "${dir}/tls"
	emulator_make_ca "${EMULATOR_PYTHON}" "${dir}/tls" || {
		echo "emulator: could not make the throw-away CA with ${EMULATOR_PYTHON} (it needs the cryptography package, which moto brings)" >&2
		return 1
	}
	# The provider trusts the emulator's certificate through the AWS SDK's CA bundle setting; Terraform itself
	# does not talk to AWS.
	export AWS_CA_BUNDLE="${dir}/tls/ca.pem"
	# Two ports the kernel gives out now; another process could take one before moto binds it, which then fails
	# at start-up below with the reason in the log.
	read -r port plain_port < <("${EMULATOR_PYTHON}" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
')
	"${EMULATOR_PYTHON}" "${emulator_script_dir}/moto-tls.py" -H 127.0.0.1 --tls-port "${port}" --plain-port "${plain_port}" \
		--ssl-cert "${dir}/tls/cert.pem" --ssl-key "${dir}/tls/key.pem" >"${EMULATOR_LOG}" 2>&1 &
	EMULATOR_PID=$!
	EMULATOR_ENDPOINT="https://127.0.0.1:${port}"
	EMULATOR_PLAIN_ENDPOINT="http://127.0.0.1:${plain_port}"
	for _ in $(seq 1 100); do
		if ! kill -0 "${EMULATOR_PID}" 2>/dev/null; then
			cat "${EMULATOR_LOG}" >&2
			echo "emulator: moto exited at start-up (log above)" >&2
			EMULATOR_PID=""
			return 1
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/${plain_port}") 2>/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	echo "emulator: moto did not listen on ports ${port} and ${plain_port} within 20 seconds; see ${EMULATOR_LOG}" >&2
	emulator_stop
	return 1
}

# emulator_stop stops the emulator that emulator_start started, if it still runs, and waits for it to exit.
emulator_stop() {
	if [ -n "${EMULATOR_PID:-}" ] && kill -0 "${EMULATOR_PID}" 2>/dev/null; then
		kill "${EMULATOR_PID}" 2>/dev/null || true
		wait "${EMULATOR_PID}" 2>/dev/null || true
	fi
	EMULATOR_PID=""
}

# Sourced: the functions above are all the caller wants.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	return 0
fi

set -euo pipefail
repo_root="$(cd -- "${emulator_script_dir}/.." && pwd -P)"
dir="${GDPR_EMULATOR_DIR:-${repo_root}/.cache/emulator}"
trap emulator_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

emulator_start "${dir}"
e="${EMULATOR_ENDPOINT}"
cat <<EOF
The AWS emulator is listening at ${e} (TLS), and at ${EMULATOR_PLAIN_ENDPOINT} without TLS, where the policy
of every gdpr_bucket refuses object requests as AWS does. Its log: ${EMULATOR_LOG}.

In the shell that runs Terraform (and the AWS CLI), set:

export AWS_CA_BUNDLE=${AWS_CA_BUNDLE}
export AWS_ENDPOINT_URL=${e}
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_REGION=eu-central-1

and configure the provider with:

provider "gdpr" {
  region     = "eu-central-1"
  access_key = "test"
  secret_key = "test"

  endpoints = {
    kms = "${e}"
    s3  = "${e}"
    ec2 = "${e}"
    sts = "${e}"
    rds = "${e}"
  }
}

Everything lives in memory and is gone when the emulator stops. Press Ctrl-C to stop it.
EOF
# wait, unlike a foreground sleep, returns at once on Ctrl-C or a TERM, so the traps above stop moto.
wait "${EMULATOR_PID}"
