package erase_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccEraseObjects_erasureRequestResourceErasesOnCreate records an erasure request as a terraform_data
// resource whose action_trigger invokes the action after it is created: the apply that adds the request
// erases the subject's versions, and the other subject's stay.
func TestAccEraseObjects_erasureRequestResourceErasesOnCreate(t *testing.T) {
	acctest.RequireEmulator(t)
	name := acctest.BucketName()
	base := acctest.ProviderConfig(acctest.Region, "") + bucketResources(name, "") + eraseAction("subject_4711", `    prefix = "customers/4711/"`)
	request := `
resource "terraform_data" "erasure_request_4711" {
  input = "customers/4711/"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.gdpr_erase_objects.subject_4711]
    }
  }
}
`
	under := func(k string) bool { return strings.HasPrefix(k, "customers/4711/") }
	var kept []version
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Actions},
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{
			{Config: base},
			{
				PreConfig: func() {
					seed(t, name, map[string][]string{"customers/4711/profile.json": {"a", "b"}, "customers/4712/profile.json": {"c"}},
						"customers/4711/profile.json")
					_, kept = split(listVersions(t, name), under)
				},
				Config: base + request,
				Check: func(*terraform.State) error {
					left, got := split(listVersions(t, name), under)
					if len(left) != 0 || len(got) != len(kept) {
						return fmt.Errorf("after the request, %d versions left under the prefix and %d outside, want 0 and %d", len(left), len(got), len(kept))
					}
					return nil
				},
			},
		},
	})
}

// TestAccEraseObjects_badInputs plans every bad configuration of the action; each fails with the
// attribute's path, what is wrong and what is allowed, and nothing is invoked.
func TestAccEraseObjects_badInputs(t *testing.T) {
	acctest.RequireActions(t)
	action := func(body string) string {
		return acctest.ProviderConfig(acctest.Region, "") + `
action "gdpr_erase_objects" "bad" {
  config {
` + body + `
  }
}
`
	}
	cases := map[string]struct{ body, want string }{
		"empty prefix": {`    bucket = "records"
    prefix = ""`, `(?s)Empty prefix.*prefix.*The prefix is empty, and an empty prefix matches every key: the action would erase the whole bucket.*force_destroy = true`},
		"prefix above 1024 bytes": {fmt.Sprintf("    bucket = \"records\"\n    prefix = %q", strings.Repeat("é", 513)), `(?s)prefix.*string length must be at most 1024, got: 1026`},
		"neither prefix nor keys": {`    bucket = "records"`, `(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[prefix,keys\]`},
		"both prefix and keys": {`    bucket = "records"
    prefix = "customers/4711/"
    keys   = ["customers/4711/a"]`, `(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[prefix,keys\]`},
		"no keys": {`    bucket = "records"
    keys   = []`, `(?s)keys.*list must contain at least 1 elements, got: 0`},
		"empty key": {`    bucket = "records"
    keys   = ["customers/4711/a", ""]`, `(?s)keys\[1\].*string length must be between 1 and 1024, got: 0`},
		"key above 1024 bytes": {fmt.Sprintf("    bucket = \"records\"\n    keys   = [%q]", strings.Repeat("k", 1025)), `(?s)keys\[0\].*string length must be between 1 and 1024, got: 1025`},
		"duplicate key": {`    bucket = "records"
    keys   = ["customers/4711/a", "customers/4711/a"]`, `(?s)Duplicate List Value.*keys.*This attribute contains duplicate values of: "customers/4711/a"`},
		"null key": {`    bucket = "records"
    keys   = ["customers/4711/a", null]`, `(?s)Null List Value.*keys.*This attribute contains a null value`},
		"bucket name in upper case": {`    bucket = "Records"
    prefix = "customers/4711/"`, `(?s)Invalid bucket name.*bucket.*The bucket name "Records" may contain only lower-case letters, digits, periods and hyphens, not 'R'`},
		"bucket name too short": {`    bucket = "ab"
    prefix = "customers/4711/"`, `(?s)Invalid bucket name.*must be 3 to 63 characters long, not 2`},
	}
	var inputs []acctest.BadInput
	for name, c := range cases {
		inputs = append(inputs, acctest.BadInput{Kind: "action", Name: name, Config: action(c.body), Want: acctest.Wrapped(c.want)})
	}
	acctest.RunBadInputs(t, inputs, 11)
}
