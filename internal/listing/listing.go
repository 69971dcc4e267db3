// Package listing is what the list resources of gdpr_key, gdpr_bucket and gdpr_server share for `terraform
// query` (Terraform 1.14 and later): the filters of a list block's config, how a found store is judged and
// named, and how a listing from awsapi becomes Terraform's stream of results. What a store must have is
// decided where the resources decide it (awsapi's guarantees, policy's residency); this package only words
// and filters the verdict.
package listing

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/diagnostics"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/tfvalue"
)

// The filters every list block's config takes.
const (
	AttrNonCompliantOnly = "non_compliant_only"
	AttrTags             = "tags"
	AttrNamePrefix       = "name_prefix"
)

// Filter is a list block's config.
type Filter struct {
	NonCompliantOnly types.Bool   `tfsdk:"non_compliant_only"`
	Tags             types.Map    `tfsdk:"tags"`
	NamePrefix       types.String `tfsdk:"name_prefix"`
}

// Schema is the config schema of a list resource that lists what (such as "S3 buckets"); namePrefix says
// what name_prefix is matched against, and prefixValidators are its validators beyond "not empty".
func Schema(typeName, what, namePrefix string, prefixValidators ...validator.String) schema.Schema {
	return schema.Schema{
		MarkdownDescription: fmt.Sprintf("Lists the %s in the provider's region, whoever made them, each with "+
			"its jurisdiction and the guarantees of `%s` it breaks, so that `terraform query` finds the stores "+
			"of personal data that no configuration manages yet and those that do not keep the guarantees. "+
			"Every result carries the resource identity of a `%s`, so `terraform query -generate-config-out` "+
			"writes the import blocks and resource blocks that bring them under Terraform.", what, typeName, typeName),
		Attributes: map[string]schema.Attribute{
			AttrNonCompliantOnly: schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Whether to list only the %s that are not compliant: those that "+
					"break a guarantee of `%s`, lie outside the provider's `allowed_jurisdictions`, or were left "+
					"half-made by an interrupted apply. Defaults to `false`, which lists them all.", what, typeName),
			},
			AttrTags: schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: fmt.Sprintf("Tags the %s must carry: each given tag must be there with the "+
					"given value; other tags do not matter. Keys are 1 to 128 characters and values at most 256, "+
					"as AWS allows; a key may be one of AWS's own, such as `aws:cloudformation:stack-name`.", what),
				Validators: []validator.Map{
					mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 128)),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(256)),
				},
			},
			AttrNamePrefix: schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("A prefix of %s: only the %s whose %s begins with it are listed.", namePrefix, what, namePrefix),
				Validators:          append([]validator.String{stringvalidator.LengthAtLeast(1)}, prefixValidators...),
			},
		},
	}
}

// Read reads a list block's config into a Filter with its tags as a Go map.
func Read(ctx context.Context, req list.ListRequest) (Filter, map[string]string, diag.Diagnostics) {
	var f Filter
	diags := req.Config.Get(ctx, &f)
	if diags.HasError() {
		return f, nil, diags
	}
	tags, err := tfvalue.StringMap(ctx, f.Tags)
	if err != nil {
		diags.AddAttributeError(pathTags, "Cannot read the tags filter", err.Error())
	}
	return f, tags, diags
}

// Verdict is what a listing found of one store and how it judges it.
type Verdict struct {
	// Name is the store's bucket name, key id or instance id, with what a reader knows it by when that
	// differs (a key's description, a server's Name tag).
	Name string
	// Region and Jurisdiction are where the store is.
	Region, Jurisdiction string
	// Broken names the guarantees the store breaks, as the resource's guarantees_broken does.
	Broken []string
	// Residency is policy's decision on the store's region under the provider's allowed_jurisdictions.
	Residency policy.Decision
	// Unfinished is true for a store the provider began to create and an interrupted apply left half-made.
	Unfinished bool
}

// Compliant reports whether the store keeps every guarantee, is where it may be and was finished.
func (v Verdict) Compliant() bool {
	return len(v.Broken) == 0 && v.Residency.Allowed && !v.Unfinished
}

// DisplayName is the line `terraform query` prints for the store: what it is, where, and whether it is
// compliant or what it breaks.
func (v Verdict) DisplayName() string {
	where := v.Region
	if v.Jurisdiction != "" {
		where = v.Jurisdiction + ", " + v.Region
	}
	var why []string
	if v.Unfinished {
		why = append(why, "left half-made by an interrupted apply")
	}
	if !v.Residency.Allowed {
		why = append(why, "outside the allowed jurisdictions")
	}
	if len(v.Broken) > 0 {
		why = append(why, "breaks: "+strings.Join(v.Broken, ", "))
	}
	if len(why) == 0 {
		why = []string{"compliant"}
	}
	return fmt.Sprintf("%s (%s): %s", v.Name, where, strings.Join(why, "; "))
}

// Keep reports whether a store with the verdict and the tags passes the filter's non_compliant_only and
// tags; the name prefix is applied by the listing itself.
func (f Filter) Keep(v Verdict, have, want map[string]string) bool {
	if f.NonCompliantOnly.ValueBool() && v.Compliant() {
		return false
	}
	for k, val := range want {
		if got, ok := have[k]; !ok || got != val {
			return false
		}
	}
	return true
}

// Stream turns a listing into Terraform's results: result makes the result of one store, or reports false
// when the filter leaves it out. A store that could not be read is a warning naming it, and the listing
// goes on; a failed listing is an error, worded by failed, and ends it. At most req.Limit results are sent.
func Stream[T any](req list.ListRequest, found iter.Seq2[T, error], typeName string,
	failed func(error) diag.Diagnostic, result func(T) (list.ListResult, bool)) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		var sent int64
		for item, err := range found {
			var r list.ListResult
			var itemErr *awsapi.ItemError
			switch {
			case errors.As(err, &itemErr):
				r.Diagnostics.Append(unreadableWarning(typeName, itemErr))
			case err != nil:
				r.Diagnostics.Append(failed(err))
				push(r)
				return
			default:
				var keep bool
				if r, keep = result(item); !keep {
					continue
				}
				sent++
			}
			if !push(r) || (req.Limit > 0 && sent >= req.Limit) {
				return
			}
		}
	}
}

// Residency is policy's decision on a store found in region under the provider's allowed jurisdictions,
// as the resources' imports decide it; a region missing from the jurisdiction data is not allowed.
func Residency(region string, allowed []string) policy.Decision {
	r, err := jurisdiction.Lookup("aws", region)
	if err != nil {
		return policy.Decision{Reason: err.Error()}
	}
	return policy.Residency(r, allowed)
}

// Failed is the error that ends a listing whose own request failed.
func Failed(typeName, operation string) func(error) diag.Diagnostic {
	return func(err error) diag.Diagnostic {
		return diagnostics.APIError("Cannot list "+typeName, operation, err)
	}
}
