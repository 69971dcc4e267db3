package restore

import (
	"strings"
	"testing"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// A key refused because its version at the moment may have expired is named with the bucket's noncurrent
// days, and the advice says which argument sets them, so the next incident finds the versions still there.
func TestBlockedDiag_mayBeExpiredNamesTheWindow(t *testing.T) {
	written := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	d := blockedDiag(`bucket "records"`, written.Add(-48*time.Hour), &awsapi.RestoreBlockedError{Total: 1, Keys: []awsapi.BlockedKey{{
		Key: "invoices/1.pdf", Reason: awsapi.MayBeExpired, VersionID: "v2", Modified: written,
		Rule: awsapi.LifecycleRuleID, Days: 30, ExpiredSince: written.Add(30 * 24 * time.Hour),
	}}})
	for _, want := range []string{
		`is more than 30 day(s) old, after which the lifecycle rule "gdpr-storage-limitation" expires noncurrent versions`,
		"Or choose a later to_time",
		"A gdpr_bucket keeps overwritten and deleted versions for its noncurrent_version_days",
	} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail does not say %q:\n%s", want, d.Detail())
		}
	}
}
