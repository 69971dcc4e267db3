package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// TestAccProvider_workspaceRunIsAuditedWithItsContext runs Terraform as an HCP Terraform workspace run with
// AWS dynamic credentials does: the run's variables in the environment, and a shared configuration file
// naming the role and the file holding the run's workload identity token, as the platform writes them.
// The provider assumes the role with the token from the file, and every audit event of the apply and the
// destroy carries the run's context and the assumed role as its caller, in an intact chain.
func TestAccProvider_workspaceRunIsAuditedWithItsContext(t *testing.T) {
	acctest.RequireEmulator(t)
	rec := &tokenRecorder{}
	proxy := acctest.NewProxy(t, rec.rule())
	dir := t.TempDir()
	token := hcpToken() + "-from-file"
	tokenFile := filepath.Join(dir, "token")
	sharedConfig := filepath.Join(dir, "config")
	trail := filepath.Join(dir, "audit.jsonl")
	for file, content := range map[string]string{
		tokenFile:    token,
		sharedConfig: "[default]\nrole_arn = " + deployerRole + "\nweb_identity_token_file = " + tokenFile + "\n",
	} {
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+credentialsProvider(proxy.URL, fmt.Sprintf(`  shared_config_files = [%q]
  audit = { path = %q }`, sharedConfig, trail))+`
resource "gdpr_key" "test" {
  description          = "workspace run"
  deletion_window_days = 7
}`, append(isolatedAWSEnv(t), runEnvironment...)...)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	w.MustTerraform("destroy", "-input=false", "-auto-approve")

	if !rec.seen(deployerRole, token, "") {
		t.Errorf("no AssumeRoleWithWebIdentity of %s with the token from the file; requests: %v", deployerRole, proxy.Signed())
	}
	checkSignedByIssuedKeys(t, proxy, "kms", "sts")
	if n, err := audit.VerifyFile(trail); err != nil || n != 2 {
		t.Fatalf("audit trail: %d events, %v; want a create and a delete in an intact chain", n, err)
	}
	for _, e := range acctest.AuditEvents(t, trail) {
		if e.TFCRunID != "run-audit-test" || e.TFCWorkspaceName != "records-prod" || e.TFCOrganization != "acme" ||
			e.TFCProject != "customer-data" || e.TFCGitCommitSHA != runCommit || e.TFCGitBranch != "main" {
			t.Errorf("%s event without the run's context: %+v", e.Action, e)
		}
		if !strings.Contains(e.CallerARN, "assumed-role/gdpr-deployer/") {
			t.Errorf("%s event's caller is %q, want the assumed role gdpr-deployer", e.Action, e.CallerARN)
		}
	}
}
