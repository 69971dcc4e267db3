// Replaced by awsapi's Bucket.Violations when the layout lands.

package bucket

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// bucketViolations names every enforced setting the bucket does not have.
func bucketViolations(ctx context.Context, b *awsapi.Bucket) []string {
	var v []string
	if b.Versioning != "Enabled" {
		v = append(v, "versioning")
	}
	if b.EncryptionAlgorithm != "aws:kms" || b.KMSKeyID == "" || !b.BucketKeyEnabled {
		v = append(v, "encryption")
	}
	if b.ExpirationDays == nil || b.NoncurrentExpireDays == nil || *b.NoncurrentExpireDays != 1 ||
		b.AbortMultipartAfterDays == nil || *b.AbortMultipartAfterDays != 1 {
		v = append(v, "lifecycle")
	}
	if b.ObjectLock != nil && !b.ObjectLockEnabled {
		v = append(v, "object_lock")
	}
	if !b.PublicAccessBlocked {
		v = append(v, "public_access_block")
	}
	if b.Ownership != "BucketOwnerEnforced" {
		v = append(v, "ownership")
	}
	want := jsontypes.NewNormalizedValue(awsapi.TLSOnlyPolicy(b.Name, b.Region))
	if same, diags := want.StringSemanticEquals(ctx, jsontypes.NewNormalizedValue(b.Policy)); b.Policy == "" || diags.HasError() || !same {
		v = append(v, "policy")
	}
	return v
}
