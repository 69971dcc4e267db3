package key

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/identity"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/listing"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

var (
	_ list.ListResource              = (*keyList)(nil)
	_ list.ListResourceWithConfigure = (*keyList)(nil)
)

// keyList is the gdpr_key list resource: the customer-managed keys of the provider's region for
// `terraform query`.
type keyList struct {
	data *providerdata.Data
}

// NewListResource returns the gdpr_key list resource.
func NewListResource() list.ListResource {
	return &keyList{}
}

func (l *keyList) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (l *keyList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	// A key's name is its description: aliases are optional, several per key and kept by another API, while
	// every gdpr_key has a description saying what it protects.
	resp.Schema = listing.Schema(ResourceType, "customer-managed KMS keys", "the key's description")
}

func (l *keyList) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerdata.Get(req.ProviderData, ResourceType, &resp.Diagnostics)
}

// List reads each customer-managed key of the provider's region as Read does (keys AWS services manage for
// themselves, and keys pending deletion, are left out), and judges it with the declarations the resource
// uses: the guarantees through awsapi, the residency through policy.
func (l *keyList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	f, tags, diags := listing.Read(ctx, req)
	c := l.data.ClientsFor(ResourceType, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	found := c.ListKeys(ctx, f.NamePrefix.ValueString())
	stream.Results = listing.Stream(req, found, ResourceType, listing.Failed(ResourceType, "kms:ListKeys"),
		func(k *awsapi.Key) (list.ListResult, bool) {
			r := req.NewListResult(ctx)
			m := keyModel{Tags: types.MapNull(types.StringType), Policy: jsontypes.NewNormalizedNull()}
			if _, err := m.fromAPI(ctx, k); err != nil {
				r.Diagnostics.Append(unreadableDiag("Cannot read key "+k.ID, err))
				return r, true
			}
			m.Region, m.Jurisdiction = providerdata.PlacementOf(c.Region)
			v := listing.Verdict{Name: fmt.Sprintf("%s %q", k.ID, k.Description), Region: c.Region,
				Jurisdiction: m.Jurisdiction.ValueString(), Broken: awsapi.ProblemNames(k.Violations()),
				Residency: listing.Residency(c.Region, l.data.Allowed), Unfinished: k.Unfinished != ""}
			if !f.Keep(v, k.Tags, tags) {
				return list.ListResult{}, false
			}
			r.DisplayName = v.DisplayName()
			found, err := identity.FromARN(k.ARN, k.ID)
			if err != nil {
				r.Diagnostics.Append(unreadableDiag("Cannot read key "+k.ID, err))
				return r, true
			}
			r.Diagnostics.Append(Identity.Set(ctx, r.Identity, found)...)
			if req.IncludeResource {
				r.Diagnostics.Append(r.Resource.Set(ctx, m)...)
			}
			return r, true
		})
}
