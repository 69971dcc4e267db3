package key

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// destructionDiag says when the deletion of a key's material completes; under key_destruction = "deny" it is
// an error that fails the plan.
func destructionDiag(id string, windowDays int64, at time.Time, deny bool) diag.Diagnostic {
	detail := fmt.Sprintf("Destroying %s %q schedules the deletion of its key material, which completes "+
		"on %s, %d days from now. From then on everything encrypted under the key, in buckets, backups and "+
		"snapshots, is unreadable for good: this is crypto-shredding (GDPR Art. 17, erasure). Until then the "+
		"deletion can be cancelled in KMS.", ResourceType, id, at.UTC().Format(time.DateOnly), windowDays)
	if deny {
		return diag.NewErrorDiagnostic("Key destruction denied",
			detail+" The provider's key_destruction is \"deny\", so the plan fails: have the erasure reviewed, "+
				"then apply with key_destruction = \"warn\".")
	}
	return diag.NewWarningDiagnostic("Key will be destroyed", detail)
}

// unreadableDiag reports what AWS answered that the provider could not turn into the resource's model.
func unreadableDiag(summary string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summary, "The provider could not read what AWS reported. This is a bug in the "+
		"provider; please report it.\n\nCause: "+err.Error())
}

// foreignARNDiags refuses the import of a key ARN whose partition, region or account is not the provider's,
// one error for each, naming both values and the provider alias that can import it. account is the
// caller's account, "" when STS could not say: that one check is then skipped, and KMS itself refuses a key
// of another account unless its key policy grants this caller access.
func foreignARNDiags(id, region, account string) diag.Diagnostics {
	var diags diag.Diagnostics
	a, err := arn.Parse(id)
	if err != nil {
		// Not an ARN after all: KMS words what is wrong with the id.
		return nil
	}
	refuse := func(what string) {
		diags.AddError("Cannot import "+ResourceType, fmt.Sprintf("%q cannot be imported by this provider: %s. "+
			"A %s is read and destroyed with the credentials and in the region of the provider that manages it. "+
			"Configure a provider alias with that account's credentials and that region (provider \"gdpr\" { alias "+
			"= ... }) and import with it (provider = gdpr.<alias> in the import block).",
			id, what, ResourceType))
	}
	if want := partitionOf(region); a.Partition != want {
		refuse(fmt.Sprintf("its partition is %q, and the provider's region %q is in partition %q", a.Partition, region, want))
	}
	if a.Region != region {
		refuse(fmt.Sprintf("its region is %q, and the provider's region is %q", a.Region, region))
	}
	if account != "" && a.AccountID != account {
		refuse(fmt.Sprintf("its account is %q, and the provider's credentials belong to account %q", a.AccountID, account))
	}
	return diags
}

// partitionOf is the AWS partition of region (aws, aws-cn, aws-us-gov, ...), read from the ARN awsapi builds
// for the region, so the rule lives in one place.
func partitionOf(region string) string {
	a, err := arn.Parse(awsapi.BucketARN("x", region))
	if err != nil {
		return "aws"
	}
	return a.Partition
}
