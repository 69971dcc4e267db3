package retention

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// bucketUnreadableDiag reports a bucket whose retention cannot be read, on the bucket argument: missing,
// not readable with these credentials, or another failure, with the cause last.
func bucketUnreadableDiag(name, region string, err error) diag.Diagnostic {
	p := path.Root("bucket")
	switch {
	case awsapi.IsNotFound(err):
		return diag.NewAttributeErrorDiagnostic(p, "Bucket not found",
			fmt.Sprintf("The bucket %q does not exist in %s, or is not visible to these credentials. Check the "+
				"name and the provider's region.", name, region))
	case awsapi.IsAccessDenied(err):
		return diag.NewAttributeErrorDiagnostic(p, "Cannot read bucket",
			fmt.Sprintf("The credentials may not read the lifecycle and Object Lock configuration of %q: grant "+
				"s3:GetLifecycleConfiguration and s3:GetBucketObjectLockConfiguration.\n\nCause: %s", name, err))
	}
	return diag.NewAttributeErrorDiagnostic(p, "Cannot read bucket",
		fmt.Sprintf("Reading the retention of %q failed.\n\nCause: %s", name, err))
}
