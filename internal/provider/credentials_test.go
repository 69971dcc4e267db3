package provider_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// The role the credential tests assume. moto answers AssumeRole and AssumeRoleWithWebIdentity for any role
// and maps the keys it hands out to the role's account: this is moto's default account, so the resources
// the assumed credentials make are where the tests' own clients look.
const (
	deployerRole = "arn:aws:iam::123456789012:role/gdpr-deployer"
	aliasRole    = "arn:aws:iam::123456789012:role/gdpr-alias"
)

// credentialsProvider is a provider block whose every endpoint is the proxy, with extra lines inside.
func credentialsProvider(proxy, extra string) string {
	return fmt.Sprintf(`
provider "gdpr" {
  region            = %q
  max_retries       = 0
  s3_use_path_style = true
  endpoints = { kms = %[2]q, s3 = %[2]q, ec2 = %[2]q, sts = %[2]q, rds = %[2]q }
%[3]s
}
`, acctest.Region, proxy, extra)
}

// isolatedAWSEnv keeps the machine's AWS settings out of a Workdir's provider processes, so only what a test
// configures can supply credentials.
func isolatedAWSEnv(t *testing.T) []string {
	dir := t.TempDir()
	return []string{
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_WEB_IDENTITY_TOKEN_FILE=", "AWS_ROLE_ARN=", "AWS_EC2_METADATA_DISABLED=true",
		"TFC_AWS_PROVIDER_AUTH=", "TFC_WORKLOAD_IDENTITY_TOKEN=", "TFC_WORKLOAD_IDENTITY_TOKEN_AWS=",
	}
}

// checkSignedByIssuedKeys fails unless every KMS, S3 and EC2 request, and every STS request but the role
// assumptions, was signed with a key STS handed out through the proxy, never with the static "testing"
// key; and unless each of the services named in want was called at all.
func checkSignedByIssuedKeys(t *testing.T, proxy *acctest.FaultProxy, want ...string) {
	t.Helper()
	issued := proxy.Issued()
	if len(issued) == 0 {
		t.Fatalf("STS handed out no credentials through the proxy; requests: %v", proxy.Signed())
	}
	called := map[string]bool{}
	for _, r := range proxy.Signed() {
		service := r.Op[:strings.Index(r.Op, ":")]
		called[service] = true
		if strings.HasPrefix(r.Op, "sts:AssumeRole") {
			continue
		}
		if !slices.Contains(issued, r.AccessKeyID) {
			t.Errorf("%s was signed with %q, not with a key STS handed out for the role (%v)", r.Op, r.AccessKeyID, issued)
		}
	}
	for _, s := range want {
		if !called[s] {
			t.Errorf("no %s request was made, so the test proves nothing about it", s)
		}
	}
}

// TestAccProvider_assumeRoleSignsEveryLaterCall applies and destroys a key, a bucket and a server with
// static keys and an assume_role block, and proves from the Authorization header of every request that the
// static keys signed only the AssumeRole calls, and every KMS, S3, EC2 and STS call after them was signed
// with the role's credentials.
func TestAccProvider_assumeRoleSignsEveryLaterCall(t *testing.T) {
	acctest.RequireEmulator(t)
	proxy := acctest.NewProxy(t)
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+credentialsProvider(proxy.URL, `
  access_key = "testing"
  secret_key = "testing"
  assume_role {
    role_arn     = "`+deployerRole+`"
    session_name = "acceptance"
    duration     = "1h"
    external_id  = "gdpr-tests"
  }`)+acctest.BucketResources("  bucket_prefix   = \"gdpr-creds-\"\n  expiration_days = 30")+fmt.Sprintf(`
resource "gdpr_server" "test" {
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.test.arn
}`, acctest.LinuxImage), isolatedAWSEnv(t)...)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	w.MustTerraform("destroy", "-input=false", "-auto-approve")

	assumed := 0
	for _, r := range proxy.Signed() {
		if r.Op == "sts:AssumeRole" {
			assumed++
			if r.AccessKeyID != "testing" {
				t.Errorf("AssumeRole was signed with %q, want the base credentials (testing)", r.AccessKeyID)
			}
		}
	}
	if assumed == 0 {
		t.Fatalf("no sts:AssumeRole request; requests: %v", proxy.Signed())
	}
	checkSignedByIssuedKeys(t, proxy, "kms", "s3", "ec2", "sts")
}

// TestAccProvider_assumeRoleRefusedNamesTheRole proves that a role STS refuses fails the provider's
// configuration with an error that names the role, where it was configured, and STS's answer.
func TestAccProvider_assumeRoleRefusedNamesTheRole(t *testing.T) {
	acctest.RequireEmulator(t)
	proxy := acctest.NewProxy(t, &acctest.Rule{Fault: acctest.AccessDenied,
		Match: func(_ *http.Request, op string) bool { return op == "sts:AssumeRole" }})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: credentialsProvider(proxy.URL, `
  access_key = "testing"
  secret_key = "testing"
  assume_role {
    role_arn = "`+deployerRole+`"
  }`) + acctest.BucketResources("  bucket_prefix   = \"gdpr-creds-\"\n  expiration_days = 30"),
			ExpectError: regexp.MustCompile(`(?s)` + acctest.Wrapped(`Cannot assume role `) + regexp.QuoteMeta(deployerRole) + `: AccessDenied.*` +
				acctest.Wrapped(`which assume_role.role_arn names`) + `.*Cause:.*AccessDenied`),
		}},
	})
}

// TestAccProvider_missingTokenFileIsNamedBeforeSTS proves that a web identity token file that cannot be
// read fails the provider's configuration naming the file and the read error, on the attribute that names
// the file, and that no request reaches STS: it is not reported as a role STS refused.
func TestAccProvider_missingTokenFileIsNamedBeforeSTS(t *testing.T) {
	acctest.RequireEmulator(t)
	rec := &tokenRecorder{}
	proxy := acctest.NewProxy(t, rec.rule())
	file := filepath.Join(t.TempDir(), "missing-token")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: credentialsProvider(proxy.URL, `
  assume_role_with_web_identity {
    role_arn                = "`+deployerRole+`"
    web_identity_token_file = "`+file+`"
  }`) + acctest.BucketResources("  bucket_prefix   = \"gdpr-creds-\"\n  expiration_days = 30"),
			// Terraform shows the line of the attribute the error is on.
			ExpectError: regexp.MustCompile(`(?s)Cannot read the web identity token file.*web_identity_token_file = "` + regexp.QuoteMeta(file) + `".*` +
				acctest.Wrapped(`could not read the web identity token file `) + regexp.QuoteMeta(file) + `.*` + acctest.Wrapped(`so it did not ask STS`) +
				`.*Cause:.*` + acctest.Wrapped(`no such file or directory`)),
		}},
	})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.calls) != 0 {
		t.Errorf("STS was asked to assume the role %d times with a token that could not be read", len(rec.calls))
	}
}

// tokenRecorder is a proxy rule that never injects a fault but keeps the web identity token and role of
// every AssumeRoleWithWebIdentity request.
type tokenRecorder struct {
	mu    sync.Mutex
	calls []url.Values
}

func (rec *tokenRecorder) rule() *acctest.Rule {
	return &acctest.Rule{Match: func(r *http.Request, op string) bool {
		if op != "sts:AssumeRoleWithWebIdentity" {
			return false
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		rec.mu.Lock()
		rec.calls = append(rec.calls, form)
		rec.mu.Unlock()
		return false
	}}
}

// seen tells whether a request assumed role with token (and session, when not empty).
func (rec *tokenRecorder) seen(role, token, session string) bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.ContainsFunc(rec.calls, func(f url.Values) bool {
		return f.Get("RoleArn") == role && f.Get("WebIdentityToken") == token && (session == "" || f.Get("RoleSessionName") == session)
	})
}

// hcpToken is a workload identity token of the shape HCP Terraform issues for an apply; moto does not check
// its signature, and the provider reads only the phase (the phases' roles are unit-tested in awsapi).
func hcpToken() string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
		enc([]byte(`{"aud":"aws.workload.identity","terraform_run_phase":"apply","sub":"organization:o:project:p:workspace:w:run_phase:apply"}`)) +
		".c2lnbmF0dXJl"
}

// TestAccProvider_hcpDynamicCredentialsFromTheEnvironment runs Terraform with the environment an HCP
// Terraform workspace with AWS dynamic credentials gives a run, and a provider block with no credentials:
// the provider assumes TFC_AWS_RUN_ROLE_ARN with the run's workload identity token, and signs every later
// call with the role's credentials.
func TestAccProvider_hcpDynamicCredentialsFromTheEnvironment(t *testing.T) {
	acctest.RequireEmulator(t)
	rec := &tokenRecorder{}
	proxy := acctest.NewProxy(t, rec.rule())
	token := hcpToken()
	env := append(isolatedAWSEnv(t),
		"TFC_AWS_PROVIDER_AUTH=true", "TFC_AWS_RUN_ROLE_ARN="+deployerRole, "TFC_WORKLOAD_IDENTITY_TOKEN="+token, "TFC_RUN_ID=run-acc123")
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+credentialsProvider(proxy.URL, "")+`
resource "gdpr_key" "test" {
  description          = "hcp dynamic credentials"
  deletion_window_days = 7
}`, env...)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
	if !rec.seen(deployerRole, token, "run-acc123") {
		t.Errorf("no AssumeRoleWithWebIdentity of %s with the run's token as session run-acc123; requests: %v", deployerRole, proxy.Signed())
	}
	checkSignedByIssuedKeys(t, proxy, "kms", "sts")
}

// TestAccProvider_hcpAliasSharedConfigFile configures two provider configurations the way HCP Terraform's
// multiple dynamic credentials configurations are used: each names the shared configuration file that
// var.tfc_aws_dynamic_credentials gives it (role_arn and web_identity_token_file, as HCP Terraform writes
// them), and each assumes its own role with its own token, through endpoints.sts.
func TestAccProvider_hcpAliasSharedConfigFile(t *testing.T) {
	acctest.RequireEmulator(t)
	rec := &tokenRecorder{}
	proxy := acctest.NewProxy(t, rec.rule())
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	defaultToken, aliasToken := hcpToken()+"-default", hcpToken()+"-alias"
	defaultFile := write("default.config", "[default]\nrole_arn = "+deployerRole+"\nweb_identity_token_file = "+
		write("default.token", defaultToken)+"\n")
	aliasFile := write("alias.config", "[default]\nrole_arn = "+aliasRole+"\nweb_identity_token_file = "+
		write("alias.token", aliasToken)+"\n")
	vars := fmt.Sprintf(`{ default = { shared_config_file = %q }, aliases = { ALIAS1 = { shared_config_file = %q } } }`, defaultFile, aliasFile)
	config := acctest.CLIProviderHeader() + `
variable "tfc_aws_dynamic_credentials" {
  type = object({
    default = object({ shared_config_file = string })
    aliases = map(object({ shared_config_file = string }))
  })
}
` + credentialsProvider(proxy.URL, `  shared_config_files = [var.tfc_aws_dynamic_credentials.default.shared_config_file]`) +
		credentialsProvider(proxy.URL, `  alias = "ALIAS1"
  shared_config_files = [var.tfc_aws_dynamic_credentials.aliases["ALIAS1"].shared_config_file]`) + `
resource "gdpr_key" "default" {
  description          = "default configuration"
  deletion_window_days = 7
}

resource "gdpr_key" "alias" {
  provider             = gdpr.ALIAS1
  description          = "aliased configuration"
  deletion_window_days = 7
}`
	w := acctest.NewWorkdir(t, config, append(isolatedAWSEnv(t), "TF_VAR_tfc_aws_dynamic_credentials="+vars)...)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
	if !rec.seen(deployerRole, defaultToken, "") {
		t.Errorf("the default configuration did not assume %s with its token", deployerRole)
	}
	if !rec.seen(aliasRole, aliasToken, "") {
		t.Errorf("the ALIAS1 configuration did not assume %s with its token", aliasRole)
	}
	checkSignedByIssuedKeys(t, proxy, "kms", "sts")
}

// TestAccProvider_credentialsBadInputs runs every bad credential argument through Terraform's plan: each
// fails at validate with the attribute's path, what is wrong and what is allowed.
func TestAccProvider_credentialsBadInputs(t *testing.T) {
	var cases []acctest.BadInput
	for name, tc := range map[string]struct{ block, want string }{
		"role ARN of a user": {`assume_role {
    role_arn = "arn:aws:iam::123456789012:user/alice"
  }`, `(?s)assume_role.role_arn must be the ARN of an IAM role, such as arn:aws:iam::111122223333:role/terraform`},
		"role ARN with a short account": {`assume_role {
    role_arn = "arn:aws:iam::12345:role/x"
  }`, `(?s)assume_role.role_arn must be the ARN of an IAM role`},
		"assume_role without role_arn": {`assume_role {
    session_name = "ci"
  }`, `(?s)Invalid Attribute Combination.*Attribute "assume_role.role_arn" must be specified when "assume_role" is specified`},
		"session name of one character": {`assume_role {
    role_arn     = "` + deployerRole + `"
    session_name = "a"
  }`, `(?s)assume_role.session_name must be 2 to 64 characters, each a letter, a digit or one of`},
		"session name with a space": {`assume_role {
    role_arn     = "` + deployerRole + `"
    session_name = "ci run"
  }`, `(?s)assume_role.session_name must be 2 to 64 characters`},
		"duration without a unit": {`assume_role {
    role_arn = "` + deployerRole + `"
    duration = "3600"
  }`, `(?s)Invalid duration.*duration = "3600".*"3600" is not a duration: write a number and a unit, such as "1h", "90m" or "1h30m", from 15m to 12h`},
		"duration under 15 minutes": {`assume_role {
    role_arn = "` + deployerRole + `"
    duration = "10m"
  }`, `(?s)Duration out of range.*"10m" is 10m; STS allows sessions from 15m to 12h`},
		"duration over 12 hours": {`assume_role_with_web_identity {
    role_arn           = "` + deployerRole + `"
    web_identity_token = "t"
    duration           = "13h"
  }`, `(?s)Duration out of range.*"13h" is 13h; STS allows sessions from 15m to 12h`},
		"external id of one character": {`assume_role {
    role_arn    = "` + deployerRole + `"
    external_id = "x"
  }`, `(?s)assume_role.external_id string length must be between 2 and 1224`},
		"external id with a space": {`assume_role {
    role_arn    = "` + deployerRole + `"
    external_id = "a b"
  }`, `(?s)assume_role.external_id must hold only letters, digits and the characters`},
		"policy that is not JSON": {`assume_role {
    role_arn = "` + deployerRole + `"
    policy   = "{not json"
  }`, `(?s)Invalid JSON String Value.*policy = "\{not json".*not valid JSON`},
		"policy ARN of a role": {`assume_role {
    role_arn    = "` + deployerRole + `"
    policy_arns = ["` + deployerRole + `"]
  }`, `(?s)must be the ARN of an IAM policy, such as arn:aws:iam::aws:policy/ReadOnlyAccess`},
		"source identity with a space": {`assume_role {
    role_arn        = "` + deployerRole + `"
    source_identity = "alice smith"
  }`, `(?s)assume_role.source_identity must be 2 to 64 characters`},
		"web identity with both a token and a token file": {`assume_role_with_web_identity {
    role_arn                = "` + deployerRole + `"
    web_identity_token      = "t"
    web_identity_token_file = "/tmp/t"
  }`, `(?s)Invalid Attribute Combination.*assume_role_with_web_identity.web_identity_token_file.*cannot be specified when.*assume_role_with_web_identity.web_identity_token.*is specified`},
		"web identity with neither a token nor a token file": {`assume_role_with_web_identity {
    role_arn = "` + deployerRole + `"
  }`, `(?s)Missing web identity token.*assume_role_with_web_identity needs the token: set web_identity_token to the token itself, or web_identity_token_file to the path of a file that holds it`},
		"web identity role ARN malformed": {`assume_role_with_web_identity {
    role_arn           = "role/deployer"
    web_identity_token = "t"
  }`, `(?s)assume_role_with_web_identity.role_arn must be the ARN of an IAM role`},
		"web identity together with access_key": {`access_key = "a"
  secret_key = "b"
  assume_role_with_web_identity {
    role_arn           = "` + deployerRole + `"
    web_identity_token = "t"
  }`, `(?s)Invalid Attribute Combination.*access_key`},
		"empty shared_config_files":              {`shared_config_files = []`, `(?s)shared_config_files list must contain at least 1 elements`},
		"empty path in shared_credentials_files": {`shared_credentials_files = [""]`, `(?s)shared_credentials_files\[0\] string length must be at least 1`},
	} {
		cases = append(cases, acctest.BadInput{Kind: "credentials", Name: name, Want: acctest.Wrapped(tc.want),
			Config: "provider \"gdpr\" {\n  region = \"eu-central-1\"\n  " + tc.block + "\n}\n" + regionLookup})
	}
	acctest.RunBadInputs(t, cases, 18)
}

// readOperation tells whether an operation, as acctest.Operation names it, only reads: what IAM's
// ReadOnlyAccess grants and a plan role needs.
func readOperation(op string) bool {
	service, name, _ := strings.Cut(op, ":")
	if service == "s3" {
		return strings.HasPrefix(name, "GET") || strings.HasPrefix(name, "HEAD")
	}
	return strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List")
}

// TestAccProvider_planCallsOnlyReadOperations proves that a plan role with read-only permissions is enough
// for every plan: after an apply, the refresh plan, a plan that replaces the key, the bucket (holding an
// object), the server and the database (moving its data), and a destroy plan, with the residency, data-safety and drift checks they run,
// send only read operations.
func TestAccProvider_planCallsOnlyReadOperations(t *testing.T) {
	acctest.RequireEmulator(t)
	proxy := acctest.NewProxy(t)
	render := func(days int) string {
		return acctest.CLIProviderHeader() + credentialsProvider(proxy.URL, `
  access_key = "testing"
  secret_key = "testing"`) + fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "plan role %[1]d"
  deletion_window_days = 7
}

resource "gdpr_bucket" "test" {
  bucket_prefix   = "gdpr-plan-role-"
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = %[1]d
  force_destroy   = true
}

resource "gdpr_server" "test" {
  image_id      = %[2]q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.test.arn
  tags          = { days = "%[1]d" }
}

resource "gdpr_database" "test" {
  identifier            = "plan-role-db"
  engine                = "postgres"
  engine_version        = "17.4"
  instance_class        = "db.t4g.micro"
  allocated_storage_gib = 20
  kms_key_arn           = gdpr_key.test.arn
  backup_retention_days = 7
  on_replace            = "move_data"
  force_destroy         = true
  tags                  = { days = "%[1]d" }
}

output "bucket" {
  value = gdpr_bucket.test.bucket
}`, days, acctest.LinuxImage)
	}
	w := acctest.NewWorkdir(t, render(30), isolatedAWSEnv(t)...)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() { w.MustTerraform("destroy", "-input=false", "-auto-approve") })
	bucket := strings.TrimSpace(w.MustTerraform("output", "-raw", "bucket"))
	acctest.PutObject(t, bucket, "person.json", `{"name":"test"}`, nil)

	proxy.Reset()
	w.MustTerraform("plan", "-input=false")
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(render(31)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := w.MustTerraform("plan", "-input=false", "-no-color"); !strings.Contains(out, "4 to add, 0 to change, 4 to destroy") {
		t.Fatalf("the changed configuration does not plan four replacements:\n%s", out)
	}
	w.MustTerraform("plan", "-destroy", "-input=false")
	seen := proxy.Seen()
	for _, s := range []string{"kms:", "s3:", "ec2:", "sts:", "rds:"} {
		if !slices.ContainsFunc(seen, func(op string) bool { return strings.HasPrefix(op, s) }) {
			t.Errorf("the plans sent no %s request, so the test proves nothing about it: %v", s, seen)
		}
	}
	t.Logf("operations the plans sent: %v", slices.Compact(slices.Sorted(slices.Values(seen))))
	for _, op := range seen {
		if !readOperation(op) {
			t.Errorf("a plan sent %s, which a read-only plan role may not call", op)
		}
	}
}
