package provider

import (
	"sync"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

// Resources that have moved to a package of their own take a *providerdata.Data in Configure, while those
// still in this package take a *providerData; the framework hands every resource the same value. Until the
// last one has moved, Configure hands resources the *providerdata.Data, and the resources here find the
// providerData it describes through legacyData. Both hold one provider configuration and share its clients
// and audit trail. Data sources still get the providerData itself.
var legacy sync.Map // *providerdata.Data to *providerData

// shared returns a providerdata.Data that fill completes once Configure has read the provider block.
func (d *providerData) shared() *providerdata.Data {
	s := providerdata.New()
	legacy.Store(s, d)
	return s
}

// fill copies the configuration Configure has read into s; Configure defers it, so it runs on every path out.
func (d *providerData) fill(s *providerdata.Data) {
	s.Unknown = d.unknown
	s.Clients = d.clients
	if d.allowed != nil {
		s.Allowed = d.allowed
	}
	s.MaxRetentionDays = d.maxRetentionDays
	s.KeyDestruction = d.keyDestruction
	s.Audit = d.audit
	if d.caller.id != (awsapi.Identity{}) {
		s.Caller.Set(d.caller.id)
	}
	if d.region != nil || d.regionErr != nil {
		s.Place()
	}
}

// legacyData returns the providerData behind a Configure request's ProviderData.
func legacyData(v any) (*providerData, bool) {
	s, ok := v.(*providerdata.Data)
	if !ok {
		return nil, false
	}
	d, ok := legacy.Load(s)
	if !ok {
		return nil, false
	}
	data, ok := d.(*providerData)
	return data, ok
}
