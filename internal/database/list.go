package database

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/identity"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/listing"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

var (
	_ list.ListResource              = (*databaseList)(nil)
	_ list.ListResourceWithConfigure = (*databaseList)(nil)
)

// databaseList is the gdpr_database list resource: the DB instances of the provider's region for
// `terraform query`.
type databaseList struct {
	data *providerdata.Data
}

// NewListResource returns the gdpr_database list resource.
func NewListResource() list.ListResource {
	return &databaseList{}
}

func (l *databaseList) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (l *databaseList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listing.Schema(ResourceType, "RDS DB instances", "the DB instance identifier")
}

func (l *databaseList) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerdata.Get(req.ProviderData, ResourceType, &resp.Diagnostics)
}

// List reads each DB instance of the provider's region that is not being deleted as Read does, and judges
// it with the declarations the resource uses: the guarantees through awsapi, the residency through policy.
// The tags and the identifier prefix narrow the listing; non_compliant_only is applied to what it found.
func (l *databaseList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	f, tags, diags := listing.Read(ctx, req)
	c := l.data.ClientsFor(ResourceType, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	found := c.ListDatabases(ctx, tags, f.NamePrefix.ValueString())
	stream.Results = listing.Stream(req, found, ResourceType, listing.Failed(ResourceType, "rds:DescribeDBInstances"),
		func(d *awsapi.Database) (list.ListResult, bool) {
			if deleting(d) {
				return list.ListResult{}, false
			}
			r := req.NewListResult(ctx)
			m := databaseModel{Tags: types.MapNull(types.StringType), SecurityGroupIDs: types.SetNull(types.StringType),
				RestoredFromSnapshot: types.StringNull()}
			if _, err := m.fromAPI(ctx, d); err != nil {
				r.Diagnostics.Append(unreadableDiag("Cannot read database "+d.Identifier, err))
				return r, true
			}
			m.Region, m.Jurisdiction = providerdata.PlacementOf(c.Region)
			v := listing.Verdict{Name: d.Identifier, Region: c.Region, Jurisdiction: m.Jurisdiction.ValueString(),
				Broken: awsapi.ProblemNames(d.Problems()), Residency: listing.Residency(c.Region, l.data.Allowed),
				Unfinished: d.Unfinished != ""}
			if !f.Keep(v, d.Tags, tags) {
				return list.ListResult{}, false
			}
			r.DisplayName = v.DisplayName()
			found, err := identity.FromARN(d.ARN, d.Identifier)
			if err != nil {
				r.Diagnostics.Append(unreadableDiag("Cannot read database "+d.Identifier, err))
				return r, true
			}
			r.Diagnostics.Append(Identity.Set(ctx, r.Identity, found)...)
			if req.IncludeResource {
				r.Diagnostics.Append(r.Resource.Set(ctx, m)...)
			}
			return r, true
		})
}
