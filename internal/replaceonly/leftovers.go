package replaceonly

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/diagnostics"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

// ReportLeftBehind is the plan step of a create that names what interrupted applies left of typeName in the
// provider's region, and tells this create of the leftover it finishes (see awsapi.CreatingTag). lookup is
// the kind's awsapi lookup; fingerprint computes the create's fingerprint for a region, "" when it cannot,
// and is asked only when the whole configuration is known, since only then is it the one the apply
// computes. remove is the command that removes a leftover, with %[1]s for the region and %[2]s for its id.
func ReportLeftBehind(ctx context.Context, data *providerdata.Data, typeName string, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse, remove string, fingerprint func(region string) string,
	lookup func(c *awsapi.Clients, fp string) (awsapi.LeftBehind, error)) {
	if data == nil || data.Unknown || data.Clients == nil {
		return
	}
	c := data.ClientsFor(typeName, &resp.Diagnostics)
	if c == nil {
		return
	}
	fp := ""
	if req.Config.Raw.IsFullyKnown() {
		fp = fingerprint(c.Region)
	}
	lb, err := lookup(c, fp)
	diagnostics.AppendLeftBehind(typeName, c.Region, remove, lb, err, &resp.Diagnostics)
}
