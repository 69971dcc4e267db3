package key

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// apiKey is a key that keeps every guarantee, as KMS reports it.
func apiKey() *awsapi.Key {
	return &awsapi.Key{
		ID:                 "1234abcd-12ab-34cd-56ef-1234567890ab",
		ARN:                "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		Description:        "customer records",
		State:              "Enabled",
		KeySpec:            "SYMMETRIC_DEFAULT",
		KeyUsage:           "ENCRYPT_DECRYPT",
		RotationEnabled:    true,
		RotationPeriodDays: aws.Int32(365),
		Policy:             `{ "Version": "2012-10-17" }`,
		Tags:               map[string]string{},
	}
}

// testModel is the state of the key apiKey describes.
func testModel() keyModel {
	return keyModel{
		ID:                 types.StringValue("1234abcd-12ab-34cd-56ef-1234567890ab"),
		ARN:                types.StringValue("arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		Description:        types.StringValue("customer records"),
		DeletionWindowDays: types.Int64Value(30),
		RotationPeriodDays: types.Int64Value(365),
		Policy:             jsontypes.NewNormalizedValue(`{"Version":"2012-10-17"}`),
		Tags:               types.MapNull(types.StringType),
		Region:             types.StringValue("eu-central-1"),
		Jurisdiction:       types.StringValue("EU"),
		GuaranteesBroken:   types.ListValueMust(types.StringType, nil),
	}
}

func TestKeyModel_fromAPI(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		api         func(*awsapi.Key)
		model       func(*keyModel)
		wantChanged []string
		check       func(*testing.T, keyModel)
	}{
		"unchanged, policy formatted differently": {
			check: func(t *testing.T, m keyModel) {
				if m.Policy.ValueString() != `{"Version":"2012-10-17"}` {
					t.Errorf("policy = %s, want the state's formatting kept", m.Policy.ValueString())
				}
			},
		},
		"description changed": {
			api:         func(k *awsapi.Key) { k.Description = "something else" },
			wantChanged: []string{"description"},
		},
		"rotation turned off": {
			api:         func(k *awsapi.Key) { k.RotationEnabled, k.RotationPeriodDays = false, nil },
			wantChanged: []string{"rotation_period_days"},
			check: func(t *testing.T, m keyModel) {
				if !m.RotationPeriodDays.IsNull() {
					t.Errorf("rotation_period_days = %s, want null so the configured period plans a replacement", m.RotationPeriodDays)
				}
				if want := `["rotation"]`; m.GuaranteesBroken.String() != want {
					t.Errorf("guarantees_broken = %s, want %s", m.GuaranteesBroken, want)
				}
			},
		},
		"rotation period changed": {
			api:         func(k *awsapi.Key) { k.RotationPeriodDays = aws.Int32(90) },
			wantChanged: []string{"rotation_period_days"},
		},
		"rotation period not reported keeps the state's": {
			api: func(k *awsapi.Key) { k.RotationPeriodDays = nil },
			check: func(t *testing.T, m keyModel) {
				if m.RotationPeriodDays.ValueInt64() != 365 {
					t.Errorf("rotation_period_days = %s, want 365", m.RotationPeriodDays)
				}
			},
		},
		"policy changed": {
			api:         func(k *awsapi.Key) { k.Policy = `{"Version":"2012-10-17","Statement":[]}` },
			wantChanged: []string{"policy"},
		},
		"tag added": {
			api:         func(k *awsapi.Key) { k.Tags = map[string]string{"owner": "mallory"} },
			wantChanged: []string{"tags"},
			check: func(t *testing.T, m keyModel) {
				if len(m.Tags.Elements()) != 1 {
					t.Errorf("tags = %s, want the tag KMS reports", m.Tags)
				}
			},
		},
		"empty tags stay as configured": {
			model: func(m *keyModel) { m.Tags = types.MapValueMust(types.StringType, nil) },
			check: func(t *testing.T, m keyModel) {
				if m.Tags.IsNull() || len(m.Tags.Elements()) != 0 {
					t.Errorf("tags = %s, want {}", m.Tags)
				}
			},
		},
		"several changes are all named": {
			api: func(k *awsapi.Key) {
				k.Description = "x"
				k.Tags = map[string]string{"a": "b"}
			},
			wantChanged: []string{"description", "tags"},
		},
		"right after import nothing is compared": {
			model: func(m *keyModel) {
				*m = keyModel{ID: m.ID, Tags: types.MapNull(types.StringType), Policy: jsontypes.NewNormalizedNull(),
					DeletionWindowDays: types.Int64Null(), RotationPeriodDays: types.Int64Null()}
			},
			api: func(k *awsapi.Key) { k.Tags = map[string]string{"a": "b"} },
			check: func(t *testing.T, m keyModel) {
				if m.Description.ValueString() != "customer records" || m.DeletionWindowDays.ValueInt64() != 30 ||
					m.RotationPeriodDays.ValueInt64() != 365 || m.Policy.IsNull() || len(m.Tags.Elements()) != 1 {
					t.Errorf("imported model not filled in: %+v", m)
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := testModel()
			if tc.model != nil {
				tc.model(&m)
			}
			k := apiKey()
			if tc.api != nil {
				tc.api(k)
			}
			changed, err := m.fromAPI(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(changed, tc.wantChanged) {
				t.Errorf("changed = %v, want %v", changed, tc.wantChanged)
			}
			if m.ID.ValueString() != k.ID || m.ARN.ValueString() != k.ARN {
				t.Errorf("id/arn = %s/%s, want %s/%s", m.ID, m.ARN, k.ID, k.ARN)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}

func TestKeyModel_toAPI(t *testing.T) {
	m := testModel()
	m.Tags = types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringValue("crm")})
	in, err := m.toAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if in.Description != "customer records" || in.Policy != `{"Version":"2012-10-17"}` || in.Tags["team"] != "crm" {
		t.Errorf("toAPI = %+v", in)
	}
	m.Policy = jsontypes.NewNormalizedUnknown()
	if in, _ := m.toAPI(context.Background()); in.Policy != "" {
		t.Errorf("an unset policy was sent as %q; KMS must apply its default", in.Policy)
	}
}
