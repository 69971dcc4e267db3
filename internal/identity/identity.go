// Package identity is the resource identity of the gdpr_* resources (Terraform 1.12 and later): the account
// and region a resource lives in and its id there, which never change for its life. Import blocks name a
// resource by it, list results carry it, and every read checks that the resource it finds still has it: a
// resource with another identity is another resource, which is replaced, never adopted silently.
package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The identity attributes every gdpr_* resource shares; the third, its id, is named by each resource.
const (
	AccountID = "account_id"
	Region    = "region"
)

// Identity is what names a resource for its whole life.
type Identity struct {
	AccountID string
	Region    string
	ID        string
}

// Kind is one resource type's identity: the name of its id attribute and what that id is.
type Kind struct {
	TypeName string
	// IDAttribute is the identity attribute holding the id, named as hashicorp/aws names it ("id", "bucket").
	IDAttribute string
	// IDDescription says what the id is, in a sentence.
	IDDescription string
}

// Schema is the identity schema of the kind. Only the id is required in an import block; the account and
// region default to the provider's.
func (k Kind) Schema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			AccountID: identityschema.StringAttribute{
				OptionalForImport: true,
				Description: "The AWS account the resource lives in. In an import block it defaults to the account " +
					"of the provider's credentials and must equal it.",
			},
			Region: identityschema.StringAttribute{
				OptionalForImport: true,
				Description: "The AWS region the resource lives in. In an import block it defaults to where the " +
					"resource is and must equal it.",
			},
			k.IDAttribute: identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       k.IDDescription,
			},
		},
	}
}

// Of returns the identity held in src; an empty Identity when src holds none (a state written before
// identities, or by a Terraform without them).
func (k Kind) Of(ctx context.Context, src *tfsdk.ResourceIdentity) (Identity, diag.Diagnostics) {
	var diags diag.Diagnostics
	if src == nil || src.Raw.IsNull() {
		return Identity{}, diags
	}
	var account, region, id types.String
	diags.Append(src.GetAttribute(ctx, path.Root(AccountID), &account)...)
	diags.Append(src.GetAttribute(ctx, path.Root(Region), &region)...)
	diags.Append(src.GetAttribute(ctx, path.Root(k.IDAttribute), &id)...)
	return Identity{AccountID: account.ValueString(), Region: region.ValueString(), ID: id.ValueString()}, diags
}

// Set writes id into dst. dst is nil when Terraform does not support identities; then there is nothing to do.
func (k Kind) Set(ctx context.Context, dst *tfsdk.ResourceIdentity, id Identity) diag.Diagnostics {
	var diags diag.Diagnostics
	if dst == nil {
		return diags
	}
	diags.Append(dst.SetAttribute(ctx, path.Root(AccountID), id.AccountID)...)
	diags.Append(dst.SetAttribute(ctx, path.Root(Region), id.Region)...)
	diags.Append(dst.SetAttribute(ctx, path.Root(k.IDAttribute), id.ID)...)
	return diags
}

// FromARN is the identity of a resource whose ARN names its account and region (keys, instances), with the
// id given.
func FromARN(resourceARN, id string) (Identity, error) {
	a, err := arn.Parse(resourceARN)
	if err != nil {
		return Identity{}, fmt.Errorf("reading the account and region from %q: %w", resourceARN, err)
	}
	return Identity{AccountID: a.AccountID, Region: a.Region, ID: id}, nil
}

// Differences names the identity attributes in which found differs from stored, as `attribute "stored",
// now "found"`. An empty stored identity (one not recorded yet) differs in nothing, and neither does an account
// either side cannot tell.
func (k Kind) Differences(stored, found Identity) []string {
	if stored == (Identity{}) {
		return nil
	}
	var out []string
	add := func(attr, was, is string) {
		if was != is && was != "" && is != "" {
			out = append(out, fmt.Sprintf("%s %q, now %q", attr, was, is))
		}
	}
	add(AccountID, stored.AccountID, found.AccountID)
	add(Region, stored.Region, found.Region)
	add(k.IDAttribute, stored.ID, found.ID)
	return out
}

// Requested is the identity an import asks for: the id given to `terraform import` or an import block's id,
// or the attributes of an import block's identity.
func (k Kind) Requested(ctx context.Context, req resource.ImportStateRequest) (Identity, diag.Diagnostics) {
	if req.ID != "" {
		return Identity{ID: req.ID}, nil
	}
	return k.Of(ctx, req.Identity)
}

// CheckImport refuses an import whose requested identity names another account or region than the ones the
// resource would be managed in: region is where the resource is (or, for kinds that live in the provider's
// region, that region), account the account of the provider's credentials, "" when STS cannot say.
func (k Kind) CheckImport(requested Identity, region, account string) diag.Diagnostics {
	var diags diag.Diagnostics
	refuse := func(what string) {
		diags.AddAttributeError(path.Root(what), "Cannot import "+k.TypeName, fmt.Sprintf("The import block's "+
			"identity names %s, and %s. A %s is read and destroyed with the credentials and in the region of the "+
			"provider that manages it. Configure a provider alias with that account's credentials and that region "+
			"(provider \"gdpr\" { alias = ... }) and import with it (provider = gdpr.<alias> in the import block), "+
			"or leave %s out of the identity.", describe(what, requested), k.where(what, region, account), k.TypeName, what))
	}
	if requested.AccountID != "" && account != "" && requested.AccountID != account {
		refuse(AccountID)
	}
	if requested.Region != "" && requested.Region != region {
		refuse(Region)
	}
	return diags
}

func describe(attr string, id Identity) string {
	if attr == AccountID {
		return fmt.Sprintf("account %q", id.AccountID)
	}
	return fmt.Sprintf("region %q", id.Region)
}

func (k Kind) where(attr, region, account string) string {
	if attr == AccountID {
		return fmt.Sprintf("the provider's credentials belong to account %q", account)
	}
	return fmt.Sprintf("the %s would be managed in region %q", k.TypeName, region)
}

// changedKey is the private-state key under which a read records how the resource it found differs from
// the state's identity. Every read sets or clears it, so restoring the provider's credentials or region
// before applying also restores the plan.
const changedKey = "identity_changed"

// Check compares the identity of the resource a read found with the one in the state. With none in the
// state yet (a state written before identities, or right after an import) it records found. Otherwise the
// stored identity stays, since Terraform refuses one that changes; a difference is a warning and is kept
// in private state for Replace, so the next plan replaces the resource instead of adopting another one
// under its name. id is the resource's id, for the warning.
func (k Kind) Check(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, id string, found Identity) {
	was, diags := k.Of(ctx, req.Identity)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if was == (Identity{}) {
		resp.Diagnostics.Append(k.Set(ctx, resp.Identity, found)...)
		return
	}
	differences := k.Differences(was, found)
	var record []byte // no value clears the key
	if len(differences) > 0 {
		resp.Diagnostics.Append(k.changedWarning(id, differences))
		record, _ = json.Marshal(differences) // private state holds JSON; strings always marshal
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, changedKey, record)...)
}

// Replace plans the replacement of a resource whose last read found another identity than the state's.
func Replace(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Private == nil || req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	if changed, diags := req.Private.GetKey(ctx, changedKey); diags.HasError() || len(changed) == 0 {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("id"))
}

// changedWarning tells the user that what a read found under a resource's id is not the resource the state
// recorded, and that the next apply replaces it.
func (k Kind) changedWarning(id string, differences []string) diag.Diagnostic {
	return diag.NewWarningDiagnostic(k.TypeName+" is not the resource Terraform recorded",
		fmt.Sprintf("%s %q has another identity than the one in the state: %s. A resource with another identity is "+
			"another resource: Terraform does not adopt it, and the next apply replaces it with a new %s. If the "+
			"provider's credentials or region changed by mistake, restore them: the next plan then keeps the resource.",
			k.TypeName, id, strings.Join(differences, "; "), k.TypeName))
}

// SetFromARN records in dst the identity of a resource whose ARN names its account and region.
func (k Kind) SetFromARN(ctx context.Context, dst *tfsdk.ResourceIdentity, resourceARN, id string) diag.Diagnostics {
	found, err := FromARN(resourceARN, id)
	if err != nil {
		return diag.Diagnostics{diag.NewErrorDiagnostic("Cannot record the identity of "+k.TypeName+" "+id, err.Error())}
	}
	return k.Set(ctx, dst, found)
}

// Fill records in dst the identity from gives, when dst holds none: a read that found the resource gone,
// or an update of the state alone, under a Terraform that sends no identity (older than 1.12) or with a
// state written before identities. The framework requires an identity after every read and update that
// succeeds. from is asked only then.
func (k Kind) Fill(ctx context.Context, dst *tfsdk.ResourceIdentity, from func() (Identity, error)) diag.Diagnostics {
	if dst == nil || !dst.Raw.IsFullyNull() {
		return nil
	}
	id, err := from()
	if err != nil {
		return diag.Diagnostics{diag.NewErrorDiagnostic("Cannot record the identity of "+k.TypeName, err.Error())}
	}
	return k.Set(ctx, dst, id)
}

// FromStateARN is the identity of a resource whose state holds its id and ARN (keys, servers).
func FromStateARN(ctx context.Context, st tfsdk.State) (Identity, error) {
	var id, resourceARN types.String
	if diags := st.GetAttribute(ctx, path.Root("id"), &id); diags.HasError() {
		return Identity{}, fmt.Errorf("reading the id from the state: %v", diags)
	}
	if diags := st.GetAttribute(ctx, path.Root("arn"), &resourceARN); diags.HasError() {
		return Identity{}, fmt.Errorf("reading the ARN from the state: %v", diags)
	}
	return FromARN(resourceARN.ValueString(), id.ValueString())
}
