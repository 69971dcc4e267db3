package retention

import (
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// model is gdpr_retention: the retention asked about, what was read of the bucket, and the verdict.
type model struct {
	Days           types.Int64  `tfsdk:"days"`
	Bucket         types.String `tfsdk:"bucket"`
	MinimumDays    types.Int64  `tfsdk:"minimum_days"`
	ExpirationDays types.Int64  `tfsdk:"expiration_days"`
	ObjectLockMode types.String `tfsdk:"object_lock_mode"`
	ObjectLockDays types.Int64  `tfsdk:"object_lock_days"`
	// NoncurrentVersionDays is how long the bucket's lifecycle keeps a version once it is noncurrent.
	NoncurrentVersionDays types.Int64  `tfsdk:"noncurrent_version_days"`
	MaxDays               types.Int64  `tfsdk:"max_days"`
	Compliant             types.Bool   `tfsdk:"compliant"`
	Reason                types.String `tfsdk:"reason"`
}
