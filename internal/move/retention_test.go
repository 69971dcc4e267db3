package move

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestKeepsLongEnough_neverShortensTheSourcesLock: the target must keep moved objects at least as long as the
// source's default Object Lock, in a mode no weaker, and must not expire them before it ends.
func TestKeepsLongEnough_neverShortensTheSourcesLock(t *testing.T) {
	lock := func(mode string, days int32) *awsapi.ObjectLock { return &awsapi.ObjectLock{Mode: mode, Days: days} }
	for _, tc := range []struct {
		name           string
		source, target *awsapi.ObjectLock
		expiration     int32
		want           string // "" when allowed, else a fragment of the reason
	}{
		{"no lock in the source", nil, nil, 30, ""},
		{"no lock in the target", lock("COMPLIANCE", 30), nil, 365, "has no Object Lock"},
		{"a shorter lock", lock("GOVERNANCE", 30), lock("GOVERNANCE", 29), 365, "only for 29"},
		{"a weaker mode", lock("COMPLIANCE", 30), lock("GOVERNANCE", 30), 365, "weaken"},
		{"an earlier expiration", lock("COMPLIANCE", 30), lock("COMPLIANCE", 30), 20, "expires objects after 20"},
		{"as long, as strong", lock("GOVERNANCE", 30), lock("COMPLIANCE", 30), 30, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason, ok := keepsLongEnough(awsapi.Retention{ObjectLock: tc.source},
				&awsapi.Bucket{ObjectLock: tc.target, ExpirationDays: aws.Int32(tc.expiration)})
			if ok != (tc.want == "") || !strings.Contains(reason, tc.want) {
				t.Errorf("keepsLongEnough = %q, %v; want allowed %v with a reason containing %q", reason, ok, tc.want == "", tc.want)
			}
		})
	}
}
