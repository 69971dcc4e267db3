package key

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

// The bounds and defaults of the key's day counts. The schema's validators, defaults and descriptions, the
// model, the destroy check and Delete all use these, so the docs and the code cannot disagree. The bounds
// of the deletion window are those KMS accepts; the rotation period's too.
const (
	MinDeletionWindowDays     = 7
	MaxDeletionWindowDays     = 30
	DefaultDeletionWindowDays = 30

	MinRotationPeriodDays     = 90
	MaxRotationPeriodDays     = 2560
	DefaultRotationPeriodDays = 365
)

func keySchema() schema.Schema {
	useState := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		MarkdownDescription: "A replace-only AWS KMS key for encrypting personal data: symmetric, single-region, " +
			"with automatic rotation. Every argument forces a new key. Destroying it schedules the deletion " +
			"of the key material, which makes everything encrypted under it unreadable for good " +
			"(crypto-shredding, GDPR Art. 17).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The key id.",
				PlanModifiers:       useState,
			},
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The key's Amazon Resource Name, to use as `kms_key_arn` of other resources.",
				PlanModifiers:       useState,
			},
			"description": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "What the key protects. Changing it creates a new key.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 8192)},
			},
			"deletion_window_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(DefaultDeletionWindowDays),
				MarkdownDescription: fmt.Sprintf("Days, from %d to %d, between destroy and the deletion of the key "+
					"material. Until then the deletion can be cancelled in KMS; after it, data encrypted under the "+
					"key cannot be recovered. Defaults to `%d`. Changing it updates the state alone, with no call to AWS "+
					"and no replacement; a destroy uses the value in the state.",
					MinDeletionWindowDays, MaxDeletionWindowDays, DefaultDeletionWindowDays),
				Validators: []validator.Int64{int64validator.Between(MinDeletionWindowDays, MaxDeletionWindowDays)},
			},
			"rotation_period_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(DefaultRotationPeriodDays),
				MarkdownDescription: fmt.Sprintf("Days, from %d to %d, between automatic rotations of the key "+
					"material. Rotation is always on. Defaults to `%d`.",
					MinRotationPeriodDays, MaxRotationPeriodDays, DefaultRotationPeriodDays),
				Validators: []validator.Int64{int64validator.Between(MinRotationPeriodDays, MaxRotationPeriodDays)},
			},
			"policy": schema.StringAttribute{
				Optional:   true,
				Computed:   true,
				CustomType: jsontypes.NormalizedType{},
				MarkdownDescription: "Key policy as a JSON document, compared by meaning so formatting never " +
					"causes a difference. When unset, KMS applies its default policy, which this attribute " +
					"then reports; a later change of that policy outside Terraform still plans a replacement.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), sameMeaning{}},
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the key. " + validate.TagsDescription(),
				Validators:          []validator.Map{validate.Tags()},
			},
			replaceonly.AttrRegion: schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The AWS region the key is in: the provider's region when it was created. The " +
					"key is read and destroyed there, so a change of the provider's `region` replaces it: a new " +
					"key in the new region, the old one destroyed in the old region (its deletion is scheduled there).",
			},
			replaceonly.AttrJurisdiction: schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The jurisdiction of the key's region: `EU`, `EEA`, `ADEQUACY`, " +
					"`PARTIAL_ADEQUACY` or `THIRD_COUNTRY`.",
			},
			"guarantees_broken": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The properties the provider guarantees of every key that this key lacks, as the " +
					"last create, refresh or `terraform query` found them: `single_region`, " +
					"`symmetric_encrypt_decrypt`, `usable` (neither disabled nor pending deletion) and `rotation`. It " +
					"is empty for a key that keeps them all. An import refuses a key that breaks one, since replacing " +
					"a key would make everything encrypted under it unreadable.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
		},
	}
}
