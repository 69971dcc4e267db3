package key

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/tfvalue"
)

type keyModel struct {
	ID                 types.String         `tfsdk:"id"`
	ARN                types.String         `tfsdk:"arn"`
	Description        types.String         `tfsdk:"description"`
	DeletionWindowDays types.Int64          `tfsdk:"deletion_window_days"`
	RotationPeriodDays types.Int64          `tfsdk:"rotation_period_days"`
	Policy             jsontypes.Normalized `tfsdk:"policy"`
	Tags               types.Map            `tfsdk:"tags"`
	Region             types.String         `tfsdk:"region"`
	Jurisdiction       types.String         `tfsdk:"jurisdiction"`
	GuaranteesBroken   types.List           `tfsdk:"guarantees_broken"`
}

func (m keyModel) toAPI(ctx context.Context) (awsapi.KeyInput, error) {
	in := awsapi.KeyInput{Description: m.Description.ValueString()}
	if !m.Policy.IsNull() && !m.Policy.IsUnknown() {
		in.Policy = m.Policy.ValueString()
	}
	tags, err := tfvalue.StringMap(ctx, m.Tags)
	in.Tags = tags
	return in, err
}

// fromAPI copies what KMS reports into the model and returns the names of the arguments that differ from
// what the model held before: changes made outside Terraform.
func (m *keyModel) fromAPI(ctx context.Context, k *awsapi.Key) (changed []string, err error) {
	// Right after an import the model holds only the id: there is nothing to compare with yet.
	compare := !m.Description.IsNull()
	m.ID = types.StringValue(k.ID)
	m.ARN = types.StringValue(k.ARN)

	if compare && m.Description.ValueString() != k.Description {
		changed = append(changed, "description")
	}
	m.Description = types.StringValue(k.Description)

	switch {
	case !k.RotationEnabled:
		if compare {
			changed = append(changed, "rotation_period_days")
		}
		m.RotationPeriodDays = types.Int64Null()
	case k.RotationPeriodDays != nil:
		if compare && m.RotationPeriodDays.ValueInt64() != int64(*k.RotationPeriodDays) {
			changed = append(changed, "rotation_period_days")
		}
		m.RotationPeriodDays = types.Int64Value(int64(*k.RotationPeriodDays))
	case m.RotationPeriodDays.IsNull() || m.RotationPeriodDays.IsUnknown():
		// Rotation is on but the service does not report its period (some emulators): assume the default.
		m.RotationPeriodDays = types.Int64Value(DefaultRotationPeriodDays)
	}

	policy := jsontypes.NewNormalizedValue(k.Policy)
	if !m.Policy.IsNull() && !m.Policy.IsUnknown() {
		same, diags := m.Policy.StringSemanticEquals(ctx, policy)
		if diags.HasError() {
			return nil, fmt.Errorf("comparing key policies: %v", diags)
		}
		if same {
			policy = m.Policy
		} else if compare {
			changed = append(changed, "policy")
		}
	}
	m.Policy = policy

	prior, err := tfvalue.StringMap(ctx, m.Tags)
	if err != nil {
		return nil, err
	}
	if compare && !maps.Equal(prior, k.Tags) {
		changed = append(changed, "tags")
	}
	// An empty tag set stays as the configuration wrote it: null or {}.
	if len(k.Tags) > 0 || m.Tags.IsUnknown() {
		m.Tags = tfvalue.MapValue(k.Tags)
	} else if !m.Tags.IsNull() {
		m.Tags = tfvalue.MapValue(map[string]string{})
	}
	m.GuaranteesBroken = tfvalue.ListValue(awsapi.ProblemNames(k.Violations()))
	// KMS keeps no deletion window until a deletion is scheduled, so an imported key gets the default.
	if m.DeletionWindowDays.IsNull() || m.DeletionWindowDays.IsUnknown() {
		m.DeletionWindowDays = types.Int64Value(DefaultDeletionWindowDays)
	}
	return changed, nil
}

// deletionWindowDays is the window a destroy schedules the deletion with: the state's, or the default when
// the state holds none, so the plan's warning and the destroy itself always name the same date.
func (m keyModel) deletionWindowDays() int64 {
	if w := m.DeletionWindowDays.ValueInt64(); w != 0 {
		return w
	}
	return DefaultDeletionWindowDays
}

// fingerprint identifies the create of this key in region from in, its input (see awsapi.CreatingTag).
func (m keyModel) fingerprint(region string, in awsapi.KeyInput) string {
	return awsapi.Fingerprint(region, ResourceType, in, m.RotationPeriodDays.ValueInt64())
}
