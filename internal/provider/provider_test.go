package provider_test

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// closedPort returns a loopback URL nobody listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

const regionLookup = `
data "gdpr_region" "here" {
  region = "eu-central-1"
}`

func TestAccProvider_noRegionIsAClearError(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "gdpr" {
  access_key = "testing"
  secret_key = "testing"
  endpoints  = { sts = %q }
}`, acctest.Endpoint()) + regionLookup,
			ExpectError: regexp.MustCompile(`(?s)No AWS region configured.*AWS_REGION`),
		}},
	})
}

func TestAccProvider_credentialsAreValidatedOnce(t *testing.T) {
	unreachable := closedPort(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// With no retries the failure is reported at once, naming the endpoint and what to fix.
				Config: fmt.Sprintf(`
provider "gdpr" {
  region      = "eu-central-1"
  access_key  = "testing"
  secret_key  = "testing"
  max_retries = 0
  endpoints   = { sts = %q }
}`, unreachable) + regionLookup,
				ExpectError: regexp.MustCompile(`(?s)Cannot reach AWS STS at.*sts:GetCallerIdentity.*skip_credentials_validation`),
			},
			{
				Config: fmt.Sprintf(`
provider "gdpr" {
  region                      = "eu-central-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  endpoints                   = { sts = %q }
}`, unreachable) + regionLookup,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.gdpr_region.here", tfjsonpath.New("allowed"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

// TestAccProvider_unreachableEndpointIsNamedFirst keeps the default retry budget (25 retries, about two and
// a half minutes of backoff for a retried error): the error's summary must name the endpoint and the refused
// connection, not the credentials. That it comes after one attempt is counted in awsapi's
// TestCallerIdentity_refusedConnectionIsNotRetried.
func TestAccProvider_unreachableEndpointIsNamedFirst(t *testing.T) {
	unreachable := closedPort(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "gdpr" {
  region     = "eu-central-1"
  access_key = "testing"
  secret_key = "testing"
  endpoints  = { sts = %q }
}`, unreachable) + regionLookup,
			ExpectError: regexp.MustCompile(`Error: Cannot reach AWS STS at ` + regexp.QuoteMeta(unreachable) + `: connection refused`),
		}},
	})
}

// TestAccProvider_dataSourcesWorkWithoutCredentials holds the gdpr_region page to its word: with no AWS
// credentials anywhere, a provider block with only a region fails the credentials check with an error that
// says how to use the data sources anyway, and skip_credentials_validation = true makes them work.
func TestAccProvider_dataSourcesWorkWithoutCredentials(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	// The credentials must be missing, not unreachable: STS answers (the emulator), so only they can fail.
	sts := acctest.Endpoint()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "gdpr" {
  region    = "eu-central-1"
  endpoints = { sts = %q }
}`, sts) + regionLookup,
				ExpectError: regexp.MustCompile(`(?s)Cannot validate AWS credentials.*` + acctest.Wrapped(
					`only the provider's data sources and functions makes no AWS call and needs no credentials: `+
						`set skip_credentials_validation = true`)),
			},
			{
				Config: `
provider "gdpr" {
  region                      = "eu-central-1"
  skip_credentials_validation = true
}` + regionLookup,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.gdpr_region.here", tfjsonpath.New("allowed"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

func providerBadInputs() []acctest.BadInput {
	var out []acctest.BadInput
	for name, tc := range map[string]struct{ block, want string }{
		"secret key without access key": {`secret_key = "x"`, `(?s)Incomplete AWS credentials.*access_key and secret_key must be set together`},
		"endpoint not a URL":            {`endpoints = { kms = "localhost:4566" }`, `(?s)Invalid endpoint URL.*"localhost:4566" is not an absolute URL`},
		"negative retries":              {`max_retries = -1`, `(?s)max_retries.*between 0 and 100`},
		"empty jurisdictions":           {`allowed_jurisdictions = []`, `(?s)allowed_jurisdictions.*at least 1`},
		"duplicate jurisdictions":       {`allowed_jurisdictions = ["EU", "EU"]`, `(?s)allowed_jurisdictions.*duplicate`},
	} {
		out = append(out, acctest.BadInput{Kind: "provider", Name: name, Want: tc.want,
			Config: "provider \"gdpr\" {\n  region = \"eu-central-1\"\n  " + tc.block + "\n}\n" + regionLookup})
	}
	return out
}
