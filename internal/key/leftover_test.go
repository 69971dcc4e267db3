package key_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestAccKey_leftoverWithOtherArgumentsIsNeverTaken leaves a key half-made, as an apply whose provider is
// killed right after CreateKey leaves it, then applies a key whose arguments differ in one way only: another
// description, or another policy. The create must make a key of its own and leave the leftover as it was,
// still carrying its creation marker, its description and its policy: a key made for other arguments is not
// the key the configuration asks for, and taking it would give the configuration a key that breaks it.
func TestAccKey_leftoverWithOtherArgumentsIsNeverTaken(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	// A region no other key test uses: the create lists every key of its region to find leftovers.
	const region = "eu-west-3"
	rootOnly := policyJSON("kms:*")
	withAnalytics := `jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Analytics", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:role/analytics" }, Action = "kms:Decrypt", Resource = "*" }
    ]
  })`
	for _, tc := range []struct {
		name string
		// left and now are the description's suffix and the policy of the killed create and of the next one.
		left, now             string
		leftPolicy, nowPolicy string
	}{
		{name: "another description", left: "records", now: "invoices", leftPolicy: rootOnly, nowPolicy: rootOnly},
		{name: "another policy", left: "records", now: "records", leftPolicy: rootOnly, nowPolicy: withAnalytics},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := sdkacctest.RandString(8)
			config := func(suffix, policy string) string {
				return fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "leftover %s %s"
  deletion_window_days = 7
  policy               = %s
}
`, run, suffix, policy)
			}
			var bin string
			var fired, armed atomic.Bool
			armed.Store(true)
			proxy := acctest.NewProxy(t, &acctest.Rule{
				Match: func(_ *http.Request, op string) bool {
					return op == "kms:CreateKey" && armed.CompareAndSwap(true, false)
				},
				Fault: acctest.Crash,
				Then: func() {
					fired.Store(true)
					acctest.KillProcesses(bin)
				},
			})
			w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, region, "1", config(tc.left, tc.leftPolicy)))
			bin = w.OwnBinary()
			if out, err := w.Terraform("apply", "-auto-approve", "-input=false", "-no-color"); !fired.Load() || err == nil {
				t.Fatalf("the provider was not killed after CreateKey (err %v):\n%s", err, out)
			}
			left := acctest.KeyInventory(t, region, fmt.Sprintf("leftover %s %s", run, tc.left))
			if len(left) != 1 {
				t.Fatalf("keys left by the killed apply: %v, want one", left)
			}
			leftover := left[0]
			c := acctest.KMS(t, region)
			t.Cleanup(func() {
				_, _ = c.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: &leftover, PendingWindowInDays: aws.Int32(7)})
			})
			before := keyAsItIs(t, c, leftover)
			if before.marker == "" {
				t.Fatalf("the key the killed apply left, %s, carries no %s tag: it is no leftover", leftover, awsapi.CreatingTag)
			}

			if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(acctest.FaultConfig(proxy.URL, region, "1", config(tc.now, tc.nowPolicy))), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { w.MustTerraform("destroy", "-auto-approve", "-input=false") })
			out, err := w.Terraform("apply", "-auto-approve", "-input=false", "-no-color")
			ids := acctest.StateIDs(t, w, "gdpr_key")
			if after := keyAsItIs(t, c, leftover); after != before || slices.Contains(ids, leftover) {
				t.Fatalf("the create took the leftover %s made with other arguments: it is now %+v, was %+v; the state holds %v (apply: %v)\n%s",
					leftover, after, before, ids, err, out)
			}
			if err != nil {
				t.Fatalf("the apply failed: %v\n%s", err, out)
			}
			if len(ids) != 1 {
				t.Fatalf("keys in the state: %v, want one", ids)
			}
			if strings.Contains(out, "Finished a create that an interrupted apply began") {
				t.Errorf("the apply says it finished a create made with other arguments:\n%s", out)
			}
			if !strings.Contains(strings.Join(strings.Fields(out), " "), "terraform import <address> "+leftover) {
				t.Errorf("the plan does not name the leftover %s with its import command:\n%s", leftover, out)
			}
			made := keyAsItIs(t, c, ids[0])
			if made.marker != "" || made.description != fmt.Sprintf("leftover %s %s", run, tc.now) {
				t.Errorf("the key made is %+v, want a finished key with the configuration's description", made)
			}
			if tc.leftPolicy != tc.nowPolicy && made.policy == before.policy {
				t.Errorf("the key made has the leftover's policy %s, want the configuration's", made.policy)
			}
		})
	}
}

// keyState is what KMS says of a key that a create's arguments decide, and its creation marker.
type keyState struct {
	description, policy, marker string
}

func keyAsItIs(t *testing.T, c *kms.Client, id string) keyState {
	t.Helper()
	ctx := context.Background()
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id, PolicyName: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &id})
	if err != nil {
		t.Fatal(err)
	}
	s := keyState{description: aws.ToString(d.KeyMetadata.Description), policy: aws.ToString(p.Policy)}
	for _, tag := range tags.Tags {
		if aws.ToString(tag.TagKey) == awsapi.CreatingTag {
			s.marker = aws.ToString(tag.TagValue)
		}
	}
	return s
}
