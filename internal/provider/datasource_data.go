package provider

import "github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"

// fillDataSourceData hands the configuration Configure decided to the data sources, which take
// providerdata.Data, while the resources still in this package take providerData. Once every resource
// takes providerdata.Data, Configure fills one for all and this file goes.
func (d *providerData) fillDataSourceData(to *providerdata.Data) {
	to.Unknown = d.unknown
	to.Clients = d.clients
	if d.allowed != nil {
		to.Allowed = d.allowed
	}
	to.MaxRetentionDays = d.maxRetentionDays
	to.KeyDestruction = d.keyDestruction
	to.Audit = d.audit
	if d.clients != nil {
		to.Place()
	}
}
