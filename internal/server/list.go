package server

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/identity"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/listing"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

var (
	_ list.ListResource              = (*serverList)(nil)
	_ list.ListResourceWithConfigure = (*serverList)(nil)
)

// serverList is the gdpr_server list resource: the instances of the provider's region for `terraform query`.
type serverList struct {
	data *providerdata.Data
}

// NewListResource returns the gdpr_server list resource.
func NewListResource() list.ListResource {
	return &serverList{}
}

func (l *serverList) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (l *serverList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listing.Schema(ResourceType, "EC2 instances", "the instance's `Name` tag")
}

func (l *serverList) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerdata.Get(req.ProviderData, ResourceType, &resp.Diagnostics)
}

// List reads each instance of the provider's region that is not terminated as Read does, and judges it
// with the declarations the resource uses: the guarantees through awsapi, the residency through policy. The
// tags and the name prefix are EC2's own filters; non_compliant_only is applied to what the reads found.
func (l *serverList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	f, tags, diags := listing.Read(ctx, req)
	c := l.data.ClientsFor(ResourceType, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	found := c.ListServers(ctx, tags, f.NamePrefix.ValueString())
	stream.Results = listing.Stream(req, found, ResourceType, listing.Failed(ResourceType, "ec2:DescribeInstances"),
		func(s *awsapi.Server) (list.ListResult, bool) {
			r := req.NewListResult(ctx)
			m := serverModel{Tags: types.MapNull(types.StringType), SecurityGroupIDs: types.SetNull(types.StringType)}
			if _, err := m.fromAPI(ctx, s); err != nil {
				r.Diagnostics.Append(unreadableDiag("Cannot read server "+s.ID, err))
				return r, true
			}
			m.Region, m.Jurisdiction = providerdata.PlacementOf(c.Region)
			name := s.ID
			if n := s.Tags["Name"]; n != "" {
				name += " " + strconv.Quote(n)
			}
			v := listing.Verdict{Name: name, Region: c.Region, Jurisdiction: m.Jurisdiction.ValueString(),
				Broken: awsapi.ProblemNames(s.Problems()), Residency: listing.Residency(c.Region, l.data.Allowed),
				Unfinished: s.Unfinished != ""}
			if !f.Keep(v, s.Tags, tags) {
				return list.ListResult{}, false
			}
			r.DisplayName = v.DisplayName()
			found, err := identity.FromARN(s.ARN, s.ID)
			if err != nil {
				r.Diagnostics.Append(unreadableDiag("Cannot read server "+s.ID, err))
				return r, true
			}
			r.Diagnostics.Append(Identity.Set(ctx, r.Identity, found)...)
			if req.IncludeResource {
				r.Diagnostics.Append(r.Resource.Set(ctx, m)...)
			}
			return r, true
		})
}
