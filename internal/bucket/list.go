package bucket

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/identity"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/listing"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

var (
	_ list.ListResource              = (*bucketList)(nil)
	_ list.ListResourceWithConfigure = (*bucketList)(nil)
)

// bucketList is the gdpr_bucket list resource: the buckets of the provider's region for `terraform query`.
type bucketList struct {
	data *providerdata.Data
}

// NewListResource returns the gdpr_bucket list resource.
func NewListResource() list.ListResource {
	return &bucketList{}
}

func (l *bucketList) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (l *bucketList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listing.Schema(ResourceType, "S3 buckets", "the bucket's name", stringvalidator.LengthAtMost(63))
}

func (l *bucketList) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerdata.Get(req.ProviderData, ResourceType, &resp.Diagnostics)
}

// List reads each bucket of the provider's region as Read does, and judges it with the same declarations:
// the guarantees through fromAPI and awsapi, the residency through policy. The name prefix is S3's own
// filter; the tags and non_compliant_only are applied to what the reads found.
func (l *bucketList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	f, tags, diags := listing.Read(ctx, req)
	c := l.data.ClientsFor(ResourceType, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	account := l.data.CallerAccount(ctx)
	found := c.ListBuckets(ctx, f.NamePrefix.ValueString())
	stream.Results = listing.Stream(req, found, ResourceType, listing.Failed(ResourceType, "s3:ListAllMyBuckets"),
		func(b *awsapi.Bucket) (list.ListResult, bool) {
			m := bucketModel{Tags: types.MapNull(types.StringType)}
			_, violations := m.fromAPI(ctx, b)
			m.Region, m.Jurisdiction = providerdata.PlacementOf(b.Region)
			v := listing.Verdict{Name: b.Name, Region: b.Region, Jurisdiction: m.Jurisdiction.ValueString(),
				Broken: violations, Residency: listing.Residency(b.Region, l.data.Allowed), Unfinished: b.Unfinished != ""}
			if !f.Keep(v, b.Tags, tags) {
				return list.ListResult{}, false
			}
			r := req.NewListResult(ctx)
			r.DisplayName = v.DisplayName()
			r.Diagnostics.Append(Identity.Set(ctx, r.Identity, identity.Identity{AccountID: account, Region: b.Region, ID: b.Name})...)
			if req.IncludeResource {
				r.Diagnostics.Append(r.Resource.Set(ctx, m)...)
			}
			return r, true
		})
}
