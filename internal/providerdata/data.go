// Package providerdata is what the provider's Configure hands to every resource and data source: the AWS
// clients, and the placement, residency, retention and audit settings, each decided once per provider
// configuration. Resources and data sources take it with Get in their Configure and ask it; they never
// decide residency themselves.
package providerdata

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// Values of the provider's key_destruction argument.
const (
	KeyDestructionWarn = "warn"
	KeyDestructionDeny = "deny"
)

// Defaults of the provider block. The provider's schema descriptions print them, so the docs and the code
// cannot disagree; they are policy's, which the run task's plan rules share.
const (
	DefaultJurisdiction     = policy.DefaultJurisdiction
	DefaultMaxRetentionDays = policy.DefaultMaxRetentionDays
)

// Data is the provider's configuration as resources and data sources need it.
type Data struct {
	// Unknown is true while the provider block still has values that are only known at apply time; the
	// checks that need them wait until the provider is configured again.
	Unknown bool
	Clients *awsapi.Clients
	// Allowed is the provider's allowed_jurisdictions.
	Allowed          []string
	MaxRetentionDays int64
	// KeyDestruction is KeyDestructionWarn or KeyDestructionDeny: what a plan that destroys a key does.
	KeyDestruction string
	// Audit is the trail of creates and deletes, nil unless the provider block configures one.
	Audit  *audit.Trail
	Caller CallerIdentity
	// Successors are the buckets this process created to receive the objects of the buckets they replace.
	Successors awsapi.Successors

	// regionName is the region Place was given; region is that region in the jurisdiction data, nil with
	// regionErr set when it is not there.
	regionName string
	region     *jurisdiction.Region
	regionErr  error
	// residency is policy.Residency of region under Allowed, decided once by Place.
	residency policy.Decision
}

// New returns the data of a provider block before its arguments are read: the defaults.
func New() *Data {
	return &Data{
		Allowed:          []string{DefaultJurisdiction},
		MaxRetentionDays: DefaultMaxRetentionDays,
		KeyDestruction:   KeyDestructionWarn,
	}
}

// Place looks the provider's AWS region up in the jurisdiction data and decides, once for this
// configuration, whether resources may hold personal data there. Configure calls it after Allowed is set; a
// region missing from the data is reported by every resource at plan, while data sources still work.
func (d *Data) Place(regionName string) {
	d.regionName = regionName
	region, err := jurisdiction.Lookup("aws", regionName)
	if err != nil {
		d.regionErr = err
		return
	}
	d.region = &region
	d.residency = policy.Residency(region, d.Allowed)
}

// Residency is the decision Place took. ok is false when the provider's region is not in the jurisdiction
// data (err says why), or the provider is not configured yet.
func (d *Data) Residency() (decision policy.Decision, ok bool, err error) {
	if d == nil || d.region == nil {
		if d != nil {
			err = d.regionErr
		}
		return policy.Decision{}, false, err
	}
	return d.residency, true, nil
}

// Placement is the region and jurisdiction every resource of this provider is placed in, as Terraform
// values: what a plan predicts and what create and read save. The jurisdiction is null when the region is
// not in the jurisdiction data (plans then fail, but a refresh still records where the resource is), and
// both are null before the provider is configured.
func (d *Data) Placement() (region, jurisdiction types.String) {
	if d == nil || d.regionName == "" {
		return types.StringNull(), types.StringNull()
	}
	if d.region == nil {
		return types.StringValue(d.regionName), types.StringNull()
	}
	return types.StringValue(d.region.Name), types.StringValue(string(d.region.Country.Jurisdiction))
}

// PlacementOf is the region and jurisdiction of a resource found in region, which need not be the provider's
// (a bucket's name is global, so S3 says where it is). The jurisdiction is null for a region missing from the
// jurisdiction data.
func PlacementOf(region string) (types.String, types.String) {
	r, err := jurisdiction.Lookup("aws", region)
	if err != nil {
		return types.StringValue(region), types.StringNull()
	}
	return types.StringValue(r.Name), types.StringValue(string(r.Country.Jurisdiction))
}

// ClientsFor returns the provider's AWS clients, or reports that the provider is not configured and returns
// nil; every call to AWS of typeName starts with it. d may be nil.
func (d *Data) ClientsFor(typeName string, diags *diag.Diagnostics) *awsapi.Clients {
	if d == nil || d.Clients == nil {
		diags.Append(NotConfiguredDiag(typeName))
		return nil
	}
	return d.Clients
}

// ClientsIn is ClientsFor, in region: the clients of the region a resource's state records, so it is read and
// deleted where it is even after the provider's region changed. An empty region is the provider's.
func (d *Data) ClientsIn(typeName, region string, diags *diag.Diagnostics) *awsapi.Clients {
	c := d.ClientsFor(typeName, diags)
	if c == nil {
		return nil
	}
	return c.In(region)
}

// Get returns the Data in a ConfigureRequest's ProviderData, nil when the provider has not been configured
// yet (Terraform calls Configure on resources before the provider's own Configure, with nil). Anything else
// is a bug, reported against typeName.
func Get(providerData any, typeName string, diags *diag.Diagnostics) *Data {
	if providerData == nil {
		return nil
	}
	d, ok := providerData.(*Data)
	if !ok {
		diags.Append(NotConfiguredDiag(typeName))
		return nil
	}
	return d
}
