"""moto-tls.py: moto_server as AWS would answer a bucket policy that denies requests without TLS.

Usage (run with the Python that runs moto_server, the interpreter in its shebang):

    python moto-tls.py --host 127.0.0.1 --tls-port 5443 --plain-port 5080 --ssl-cert cert.pem --ssl-key key.pem

It serves one moto, with one shared state, on two ports: over TLS on --tls-port and over plain HTTP on
--plain-port, so a test can prove that the same request is denied without TLS and allowed with it.

Why it exists: moto 5 evaluates a bucket policy without the request's context. A condition it cannot evaluate,
such as `"Bool": {"aws:SecureTransport": "false"}`, counts as met, so the TLS-only deny that every gdpr_bucket
carries denies every object request, even over TLS. This launcher changes exactly that evaluation,
FakeBucket.get_permission, so the aws:SecureTransport condition is decided by the scheme the request really
arrived with; every other part of the policy, and every other condition, is left to moto as it is.

Why not teach moto a "Bool" operator and hand it the request's aws:SecureTransport instead: moto's
IAMPolicyStatement answers DENIED for any statement whose conditions are not met, whatever its Effect, so the
TLS-only deny would then deny the requests over TLS and allow the others. Deciding the condition first and
handing moto only the statements that apply avoids changing that code, which moto's IAM and STS share.

It changes the version listing (ListObjectVersions) where moto differs from AWS:
  - S3Backend.list_object_versions: a listing continues past a version marker that was deleted since the
    previous page, as at AWS, instead of ending there (see the function).
  - S3Response.list_object_versions honours encoding-type=url, as AWS does and moto's other listings do: the
    keys, prefixes, delimiter and markers of the answer are URL-encoded, so a key with a character XML 1.0
    cannot carry (U+0001, say) reaches the client intact instead of breaking the XML answer. It also honours
    x-amz-optional-object-attributes: RestoreStatus, as AWS does, giving the restore of each archived version
    that has one, so a caller can tell an archived object S3 can copy (restored) from one it cannot.

S3Backend.put_object, which PutObject, CopyObject and CompleteMultipartUpload all end in: a request that asks
for SSE-KMS (x-amz-server-side-encryption: aws:kms) without naming a key is encrypted under the AWS managed key
aws/s3, as AWS does, where moto would take the bucket's default key; a request that asks for no encryption at
all still gets the bucket's default encryption, key included. Without this, a copy that forgot to name the new
bucket's key would pass every test, and at AWS leave data that deleting that key no longer erases.

And it keeps objects written with a customer-provided key (SSE-C) as AWS keeps them: moto ignores the key and
serves such an object to anyone. Here (CustomerKeys) a GET or HEAD of it without the key's headers, and a copy
(CopyObject, UploadPartCopy) of it without the copy-source key's headers, are refused with AWS's 400
InvalidRequest; with them, the answer names the algorithm and the key's MD5 as AWS's does. The key itself is
not checked against the one written (only its presence), and an SSE-C multipart upload is not modelled.

Last, CopyObject. Into a bucket with a default Object Lock retention, moto asks it for Content-MD5 or a
checksum, as it asks a PutObject, although a copy has no body to check, and AWS does not ask (CopyBodyless).
And moto copies an object's website redirect with its metadata, where AWS never copies it: a copy has one
only when the request gives it (S3Backend.copy_object).

And it loads moto_rds.py, beside it, which makes moto's RDS answer as RDS does where the provider depends on it
(its states, a restore's settings, resource ids), and moto_ec2.py, which does the same for EC2's security groups
and snapshots where isolating a server depends on them.

It serves TLS so that a busy machine slows the emulator down without making it fail (see serve_tls): each
connection's TLS handshake runs on that connection's own thread, and the listen queue holds a whole burst of
new connections.
"""

import argparse
import contextvars
import copy
import itertools
import json
import signal
import sys
import threading
import urllib.parse

from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.core.utils import unix_time_millis
from moto.kms.models import kms_backends
from moto.s3.models import FakeBucket, S3Backend
from moto.s3.responses import S3Response
from moto.s3.utils import ARCHIVE_STORAGE_CLASSES
from werkzeug.serving import BaseWSGIServer, load_ssl_context, make_server

import moto_rds  # noqa: F401, E402 (importing it patches moto's RDS; see moto_rds.py)
import moto_ec2  # noqa: F401, E402 (importing it patches moto's EC2; see moto_ec2.py)

# Whether the request being served arrived over TLS; None outside a request. A context variable rather than a
# global because werkzeug serves each connection on its own thread, over TLS on one port and plain on the other.
_secure_transport = contextvars.ContextVar("secure_transport", default=None)

SECURE_TRANSPORT = "aws:securetransport"


def _statement_for_request(statement, secure):
    """The statement as it applies to this request, or None when its aws:SecureTransport condition is not met.

    AWS applies a statement only when every one of its conditions holds. The aws:SecureTransport condition is
    decided here, by the request's scheme, and removed, so moto sees only the conditions it evaluated before.
    Condition keys are case-insensitive in AWS, hence the lower-case comparison.
    """
    conditions = statement.get("Condition") or {}
    bool_conditions = conditions.get("Bool") or {}
    key = next((k for k in bool_conditions if k.lower() == SECURE_TRANSPORT), None)
    if key is None:
        return statement
    wanted = bool_conditions[key]
    wanted = wanted if isinstance(wanted, list) else [wanted]
    actual = "true" if secure else "false"
    if not any(str(value).lower() == actual for value in wanted):
        return None
    statement = copy.deepcopy(statement)
    del statement["Condition"]["Bool"][key]
    if not statement["Condition"]["Bool"]:
        del statement["Condition"]["Bool"]
    if not statement["Condition"]:
        del statement["Condition"]
    return statement


def get_permission(self, action, resource):
    """FakeBucket.get_permission with the aws:SecureTransport condition decided by the request's scheme."""
    if self.policy is None:
        return PermissionResult.NEUTRAL
    secure = _secure_transport.get()
    document = json.loads(self.policy.decode())
    # Outside a request the scheme is unknown: moto's own answer stands, which denies (fails closed).
    if secure is not None:
        statements = document["Statement"]
        statements = statements if isinstance(statements, list) else [statements]
        applying = [s for s in (_statement_for_request(s, secure) for s in statements) if s is not None]
        if not applying:
            return PermissionResult.NEUTRAL
        document["Statement"] = applying
    return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)


FakeBucket.get_permission = get_permission

_list_object_versions = S3Backend.list_object_versions


def list_object_versions(self, bucket_name, delimiter=None, key_marker=None, max_keys=1000, prefix="",
                         version_id_marker=None):
    """S3Backend.list_object_versions with AWS's markers: a position in the listing, which need not still exist.

    moto skips entries until it meets the marker's very version. A caller that deletes each page before asking
    for the next, as a bucket's data-moving replacement and its erasure do, names a version that is gone, and
    moto answers an empty last page where AWS answers the versions after that position. A marker whose
    version is gone is moved here to the last entry before its key that still exists, or dropped when none
    does, and moto lists from there: the key's remaining versions, if any, come again rather than be skipped.
    """
    if key_marker is not None and version_id_marker:
        bucket = self.get_bucket(bucket_name)
        # In moto's own order: by key, newest version first.
        entries = list(itertools.chain(*(versions for _, versions in bucket.keys.iterlists())))
        entries.sort(key=lambda v: (v.name, -unix_time_millis(v.last_modified)))
        if not any(v.name == key_marker and v.version_id == version_id_marker for v in entries):
            before = [v for v in entries if v.name < key_marker]
            key_marker, version_id_marker = (before[-1].name, before[-1].version_id) if before else (None, None)
    return _list_object_versions(self, bucket_name, delimiter=delimiter, key_marker=key_marker, max_keys=max_keys,
                                 prefix=prefix, version_id_marker=version_id_marker)


S3Backend.list_object_versions = list_object_versions

# The encryption values that ask S3 for a KMS key; with no key named, AWS uses the AWS managed key aws/s3.
KMS_ENCRYPTION = ("aws:kms", "aws:kms:dsse")
AWS_MANAGED_S3_KEY = "alias/aws/s3"
_list_object_versions_response = S3Response.list_object_versions


def _url_encoded(value):
    """A string as S3 writes it in a listing asked with encoding-type=url: form-encoded, '/' kept."""
    return urllib.parse.quote_plus(value, safe="/") if value else value


def _restore_status(key):
    """An archived version's RestoreStatus as AWS lists it; None for a version never restored."""
    if key is None or key.storage_class not in ARCHIVE_STORAGE_CLASSES or key.expiry_date is None:
        return None
    if key.status == "IN_PROGRESS":
        return {"IsRestoreInProgress": True}
    return {"IsRestoreInProgress": False, "RestoreExpiryDate": key._expiry}


def list_object_versions_response(self):
    """S3Response.list_object_versions with encoding-type=url and RestoreStatus honoured, as AWS honours them.

    With encoding-type=url, AWS URL-encodes Key, Prefix, Delimiter, KeyMarker and NextKeyMarker (and each
    common prefix) in the answer, and says so with EncodingType. Asked for the optional attribute RestoreStatus,
    it gives each version restored or being restored from an archive its restore. moto lists as asked and does
    neither: here the answer moto built is completed on its way to the serializer.
    """
    encode = self.querystring.get("encoding-type", [None])[0] == "url"
    optional = self.headers.get("x-amz-optional-object-attributes") or ""
    restores = "RestoreStatus" in optional.split(",")
    if not encode and not restores:
        return _list_object_versions_response(self)
    serialized = self.serialized

    def complete_then_serialize(action_result):
        result = action_result.result
        if restores:
            for entry in result.get("Versions") or []:
                key = self.backend.get_object(self.bucket_name, entry["Key"], version_id=entry["VersionId"])
                status = _restore_status(key)
                if status is not None:
                    entry["RestoreStatus"] = status
        if encode:
            for field in ("Prefix", "Delimiter", "KeyMarker", "NextKeyMarker"):
                if result.get(field):
                    result[field] = _url_encoded(result[field])
            for entry in itertools.chain(result.get("Versions") or [], result.get("DeleteMarkers") or []):
                entry["Key"] = _url_encoded(entry["Key"])
            for common in result.get("CommonPrefixes") or []:
                common["Prefix"] = _url_encoded(common["Prefix"])
            result["EncodingType"] = "url"
        return serialized(action_result)

    self.serialized = complete_then_serialize
    try:
        return _list_object_versions_response(self)
    finally:
        del self.serialized


S3Response.list_object_versions = list_object_versions_response


# The request being served's headers, lower-case; None outside a request.
_request_headers = contextvars.ContextVar("request_headers", default=None)

SSE_C_ALGORITHM = "x-amz-server-side-encryption-customer-algorithm"
SSE_C_KEY_MD5 = "x-amz-server-side-encryption-customer-key-md5"
COPY_SSE_C_ALGORITHM = "x-amz-copy-source-server-side-encryption-customer-algorithm"

# The backend of each bucket that holds an object written with a customer-provided key, by bucket name (a
# bucket's name is global): where CustomerKeys looks such an object up.
_sse_c_buckets = {}

_put_object = S3Backend.put_object


def put_object(self, bucket_name, key_name, *args, **kwargs):
    """S3Backend.put_object with AWS's choice of key for SSE-KMS requests that name none, and that remembers, on
    the version it writes, a customer-provided key's algorithm and MD5.

    AWS's PutObject, CopyObject and CreateMultipartUpload references say that a request with
    x-amz-server-side-encryption set to aws:kms (or aws:kms:dsse) and no
    x-amz-server-side-encryption-aws-kms-key-id is encrypted under the AWS managed key aws/s3, while a request
    without x-amz-server-side-encryption takes the bucket's default encryption. moto gives both the bucket's
    default key. Here the first gets the ARN of the account's aws/s3 key in the bucket's region, which moto's
    KMS makes on first use as AWS does; moto then applies the bucket's default only to requests that name no
    encryption, as before.

    CopyObject writes through here too, and its SSE-C headers are the copy's own, as at AWS.
    """
    if kwargs.get("encryption") in KMS_ENCRYPTION and not kwargs.get("kms_key_id"):
        bucket = self.get_bucket(bucket_name)
        kms = kms_backends[self.account_id][bucket.region_name]
        kwargs["kms_key_id"] = kms.keys[kms.get_key_id_from_alias(AWS_MANAGED_S3_KEY)].arn
    key = _put_object(self, bucket_name, key_name, *args, **kwargs)
    headers = _request_headers.get() or {}
    if headers.get(SSE_C_ALGORITHM):
        key.sse_customer = (headers[SSE_C_ALGORITHM], headers.get(SSE_C_KEY_MD5, ""))
        _sse_c_buckets[bucket_name] = self
    return key


S3Backend.put_object = put_object

_copy_object = S3Backend.copy_object

WEBSITE_REDIRECT = "x-amz-website-redirect-location"


def copy_object(self, src_key, dest_bucket_name, dest_key_name, *args, **kwargs):
    """S3Backend.copy_object that, as AWS, gives the copy no website redirect unless the request gives one."""
    _copy_object(self, src_key, dest_bucket_name, dest_key_name, *args, **kwargs)
    if kwargs.get("website_redirect_location"):
        return
    copied = self.get_object(dest_bucket_name, dest_key_name)
    if copied is not None:
        copied.website_redirect_location = None
        copied._metadata.pop(WEBSITE_REDIRECT, None)


S3Backend.copy_object = copy_object

INVALID_REQUEST = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidRequest</Code><Message>The object was '
                   b'stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve '
                   b'the object.</Message></Error>')


def _sse_customer(bucket, key, version_id):
    """The (algorithm, key MD5) a version was written with, or None when it was not written with SSE-C."""
    backend = _sse_c_buckets.get(bucket)
    if backend is None or not key:
        return None
    try:
        found = backend.get_object(bucket, key, version_id=version_id)
    except Exception:  # a missing bucket, key or version: moto answers that itself
        return None
    return getattr(found, "sse_customer", None)


def _path(environ):
    """The request's bucket and key, path-style, decoded as werkzeug decodes them for moto."""
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    bucket, _, key = path.lstrip("/").partition("/")
    return bucket, key


class CustomerKeys:
    """WSGI middleware that serves objects written with a customer-provided key as AWS does (see the top)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        headers = _request_headers.get() or {}
        method = environ.get("REQUEST_METHOD")
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        sse = None
        if method in ("GET", "HEAD") and not set(query) - {"versionId", "partNumber"}:
            bucket, key = _path(environ)
            sse = _sse_customer(bucket, key, query.get("versionId", [None])[0])
            if sse is not None and not headers.get(SSE_C_ALGORITHM):
                start_response("400 Bad Request", [("Content-Type", "application/xml")])
                return [] if method == "HEAD" else [INVALID_REQUEST]
        elif method == "PUT" and headers.get("x-amz-copy-source"):
            source = urllib.parse.urlparse(headers["x-amz-copy-source"])
            bucket, _, key = urllib.parse.unquote(source.path).lstrip("/").partition("/")
            version_id = urllib.parse.parse_qs(source.query).get("versionId", [None])[0]
            if _sse_customer(bucket, key, version_id) is not None and not headers.get(COPY_SSE_C_ALGORITHM):
                start_response("400 Bad Request", [("Content-Type", "application/xml")])
                return [INVALID_REQUEST]
        if sse is None:
            return self.app(environ, start_response)

        def with_sse(status, response_headers, *exc_info):
            response_headers = list(response_headers) + [(SSE_C_ALGORITHM, sse[0]), (SSE_C_KEY_MD5, sse[1])]
            return start_response(status, response_headers, *exc_info)

        return self.app(environ, with_sse)


class CopyBodyless:
    """WSGI middleware that lets a CopyObject into a bucket with default Object Lock retention through, as AWS does.

    AWS asks for Content-MD5 (or an SDK checksum) on a request that uploads a body under Object Lock. moto asks
    every PUT of an object into such a bucket before it tells a copy from an upload, so a CopyObject, which has
    no body, is refused there. The copy is marked here as checksummed, which moto reads nowhere else for a copy.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        # A CopyObject is a PUT with a copy source and no subresource (the SDKs add x-id=CopyObject).
        if (environ.get("REQUEST_METHOD") == "PUT" and environ.get("HTTP_X_AMZ_COPY_SOURCE")
                and not set(query) - {"x-id"} and "HTTP_CONTENT_MD5" not in environ):
            environ.setdefault("HTTP_X_AMZ_SDK_CHECKSUM_ALGORITHM", "CRC32")
        return self.app(environ, start_response)




class SchemeRecorder:
    """WSGI middleware that records, for the request it passes on, whether it arrived over TLS, and its headers."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        token = _secure_transport.set(environ.get("wsgi.url_scheme") == "https")
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers_token = _request_headers.set(headers)
        try:
            return self.app(environ, start_response)
        finally:
            _request_headers.reset(headers_token)
            _secure_transport.reset(token)


# How many connections the kernel queues for each port before the server accepts them. Werkzeug listens with
# 128; a plan at -parallelism=30 opens some 240 connections at once (eight concurrent reads a bucket), and the
# kernel drops the connections past the queue, which their clients send again only a second or more later.
LISTEN_BACKLOG = 1024


def serve_tls(host, port, app, cert, key):
    """A threaded server of app over TLS whose accept loop only accepts.

    Werkzeug wraps the listening socket, so each TLS handshake runs in the one thread that accepts connections:
    a client whose handshake is slow, or whose first packet the kernel dropped, stalled every connection
    behind it, and one that sent nothing stalled them all; the front gave up on a handshake after 10 s and
    answered the provider with 502 Bad Gateway. Here the accepted socket is wrapped without a handshake, which
    the connection's own thread makes when it first reads the request.
    """
    context = load_ssl_context(cert, key)
    server = make_server(host, port, app, threaded=True)
    # Werkzeug tells the application the request arrived over https when its server has an ssl_context.
    server.ssl_context = context
    accept = server.get_request

    def get_request():
        conn, addr = accept()
        return context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), addr

    server.get_request = get_request
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("--tls-port", type=int, required=True)
    parser.add_argument("--plain-port", type=int, required=True)
    parser.add_argument("-c", "--ssl-cert", required=True)
    parser.add_argument("-k", "--ssl-key", required=True)
    args = parser.parse_args(argv)

    # As moto_server sets it up, so moto answers with the same URLs and behaviour.
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    app = SchemeRecorder(CustomerKeys(CopyBodyless(app)))
    BaseWSGIServer.request_queue_size = LISTEN_BACKLOG
    servers = [
        serve_tls(args.host, args.tls_port, app, args.ssl_cert, args.ssl_key),
        make_server(args.host, args.plain_port, app, threaded=True),
    ]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print(f"moto-tls: https://{args.host}:{args.tls_port} and http://{args.host}:{args.plain_port}", flush=True)
    stopping.wait()
    for s in servers:
        s.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
