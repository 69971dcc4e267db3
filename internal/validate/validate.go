// Package validate holds the attribute validators that the provider block, resources and data sources
// share. Each one words its error with the attribute path, what is wrong and what is allowed, through the
// package that owns the rule (policy, s3name).
package validate

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/s3name"
)

// jurisdictionValueValidator admits the values of allowed_jurisdictions; the policy package owns the rule
// and its wording, so the provider block and any future function agree.
type jurisdictionValueValidator struct{}

func JurisdictionValue() validator.String { return jurisdictionValueValidator{} }

func (jurisdictionValueValidator) Description(_ context.Context) string {
	return "value must be EU, EEA, ADEQUACY, PARTIAL_ADEQUACY or an ISO 3166-1 alpha-2 country code"
}

func (v jurisdictionValueValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (jurisdictionValueValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := policy.ValidateJurisdictionValue(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid jurisdiction", err.Error())
	}
}

// httpURLValidator admits absolute http and https URLs, which is what an endpoint override must be.
type httpURLValidator struct{}

func HTTPURL() validator.String { return httpURLValidator{} }

func (httpURLValidator) Description(_ context.Context) string {
	return "value must be an absolute http:// or https:// URL"
}

func (v httpURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid endpoint URL",
			fmt.Sprintf("%q is not an absolute URL; use the form http://127.0.0.1:5000 or https://kms.example.com.", raw))
	}
}

// kmsKeyARNPattern matches the ARN of a KMS key (not an alias), in any AWS partition.
var kmsKeyARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$`)

// kmsKeyARN validates kms_key_arn arguments, which must name a key so the provider knows exactly which key
// protects the data.
func KMSKeyARN() validator.String {
	return stringvalidator.RegexMatches(kmsKeyARNPattern,
		"must be the ARN of a KMS key, such as arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (usually gdpr_key.<name>.arn); aliases are not accepted")
}

// bucketNameValidator reports every S3 naming rule a bucket name breaks, one diagnostic each.
type bucketNameValidator struct{}

func BucketName() validator.String { return bucketNameValidator{} }

func (bucketNameValidator) Description(_ context.Context) string {
	return "value must follow the S3 naming rules for general purpose buckets"
}

func (v bucketNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (bucketNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	for _, p := range s3name.Problems(name) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid bucket name", fmt.Sprintf("The bucket name %q %s.", name, p))
	}
}

// bucketPrefixValidator applies the naming rules to a prefix, leaving room for the suffixLen characters
// generated after it.
type bucketPrefixValidator struct{ suffixLen int }

func BucketPrefix(suffixLen int) validator.String { return bucketPrefixValidator{suffixLen} }

func (bucketPrefixValidator) Description(_ context.Context) string {
	return "value must be the start of a valid S3 bucket name"
}

func (v bucketPrefixValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v bucketPrefixValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	prefix := req.ConfigValue.ValueString()
	for _, p := range s3name.PrefixProblems(prefix, v.suffixLen) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid bucket prefix", fmt.Sprintf("The bucket prefix %q %s.", prefix, p))
	}
}
