package provider_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccSecrets_neverInLogsOrState runs Terraform as users do, with a separate provider process and
// TF_LOG=trace, and searches the whole log, the state and the saved plan for the credentials it was given.
func TestAccSecrets_neverInLogsOrState(t *testing.T) {
	acctest.RequireEmulator(t)
	secrets := map[string]string{
		"access key":    "AKIAGDPRNEVERLOGGED1",
		"secret key":    "gdpr-secret-key-that-must-never-be-logged",
		"session token": "gdpr-session-token-that-must-never-be-logged",
	}
	// User data is a write-only argument, which Terraform supports from 1.11 on.
	if acctest.Has(t, acctest.WriteOnly) {
		secrets["user data"] = "gdpr-user-data-password-that-must-never-be-logged"
	}
	t.Run("credentials in the provider block", func(t *testing.T) {
		// Terraform itself copies literal configuration, credentials included, into saved plan files, so
		// only the log and the state are the provider's to keep clean here; the docs recommend the
		// environment for credentials.
		block := fmt.Sprintf("access_key = %q\n  secret_key = %q\n  token = %q", secrets["access key"], secrets["secret key"], secrets["session token"])
		checkNoSecrets(t, secrets, block, nil, false)
	})
	t.Run("credentials in the environment", func(t *testing.T) {
		env := []string{"AWS_ACCESS_KEY_ID=" + secrets["access key"], "AWS_SECRET_ACCESS_KEY=" + secrets["secret key"], "AWS_SESSION_TOKEN=" + secrets["session token"]}
		checkNoSecrets(t, secrets, "", env, true)
	})
}

func checkNoSecrets(t *testing.T, secrets map[string]string, credentials string, env []string, checkPlan bool) {
	config := fmt.Sprintf(`
terraform {
  required_providers {
    gdpr = { source = "gdpr-immutable/gdpr" }
  }
}

provider "gdpr" {
  region     = "eu-central-1"
  %s
  endpoints  = { kms = %[2]q, s3 = %[2]q, ec2 = %[2]q, sts = %[2]q, rds = %[2]q }
  s3_use_path_style = true
}

resource "gdpr_key" "k" {
  description = "secrets test"
}

resource "gdpr_bucket" "b" {
  bucket_prefix   = "gdpr-secrets-"
  kms_key_arn     = gdpr_key.k.arn
  expiration_days = 7
}
`, credentials, acctest.Endpoint())
	if userData, ok := secrets["user data"]; ok {
		// Built at run time, so the secret is not a literal in the configuration Terraform copies into plans.
		config += fmt.Sprintf(`
resource "gdpr_server" "s" {
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.k.arn
  user_data     = base64decode(%q)
}
`, acctest.LinuxImage, base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho "+userData)))
	}
	logPath := filepath.Join(t.TempDir(), "trace.log")
	w := acctest.NewWorkdir(t, config, append(env, "TF_LOG=trace", "TF_LOG_PATH="+logPath)...)
	w.MustTerraform("plan", "-input=false", "-out=tfplan")
	texts := map[string]string{"plan JSON": w.MustTerraform("show", "-json", "tfplan")}
	planFile, err := os.ReadFile(filepath.Join(w.Dir, "tfplan"))
	if err != nil {
		t.Fatal(err)
	}
	texts["plan file"] = string(planFile)
	if !checkPlan {
		texts = map[string]string{}
	}
	w.MustTerraform("apply", "-input=false", "-auto-approve", "tfplan")
	state, err := os.ReadFile(filepath.Join(w.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	texts["state"] = string(state)
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "gdpr_bucket") || len(log) < 10000 {
		t.Fatalf("the trace log has %d bytes and does not mention the resources: the test would prove nothing", len(log))
	}
	if _, ok := secrets["user data"]; ok && !strings.Contains(string(log), "gdpr_server.s") {
		t.Fatal("the trace log does not mention the server: its user data was not exercised")
	}
	texts["trace log"] = string(log)
	for what, secret := range secrets {
		for name, text := range texts {
			if strings.Contains(text, secret) {
				t.Errorf("the %s holds the %s", name, what)
			}
		}
	}
}
