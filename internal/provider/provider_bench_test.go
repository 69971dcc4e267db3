package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// benchKeyPolicy is a typical customer-managed key policy as a configuration writes it: the account root,
// a key administrator and a service role that may only encrypt and decrypt.
const benchKeyPolicy = `{"Version":"2012-10-17","Id":"records-key","Statement":[` +
	`{"Sid":"EnableIAMUserPermissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},` +
	`"Action":"kms:*","Resource":"*"},` +
	`{"Sid":"AllowKeyAdministration","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/KeyAdmin"},` +
	`"Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*",` +
	`"kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion",` +
	`"kms:CancelKeyDeletion"],"Resource":"*"},` +
	`{"Sid":"AllowUseOfTheKey","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/RecordsService"},` +
	`"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*",` +
	`"Condition":{"StringEquals":{"kms:ViaService":"s3.eu-central-1.amazonaws.com"}}}]}`

// benchKeyPolicyFromKMS is the same policy as KMS returns it: indented, with the keys in another order.
const benchKeyPolicyFromKMS = `{
  "Id" : "records-key",
  "Statement" : [ {
    "Action" : "kms:*", "Effect" : "Allow", "Principal" : { "AWS" : "arn:aws:iam::123456789012:root" },
    "Resource" : "*", "Sid" : "EnableIAMUserPermissions"
  }, {
    "Action" : [ "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
      "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
      "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion" ],
    "Effect" : "Allow", "Principal" : { "AWS" : "arn:aws:iam::123456789012:role/KeyAdmin" },
    "Resource" : "*", "Sid" : "AllowKeyAdministration"
  }, {
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey" ],
    "Condition" : { "StringEquals" : { "kms:ViaService" : "s3.eu-central-1.amazonaws.com" } },
    "Effect" : "Allow", "Principal" : { "AWS" : "arn:aws:iam::123456789012:role/RecordsService" },
    "Resource" : "*", "Sid" : "AllowUseOfTheKey"
  } ],
  "Version" : "2012-10-17"
}`

// BenchmarkPolicySemanticEquality measures the comparison FuzzPolicySemanticEquality checks, which every
// refresh of a gdpr_key makes between the policy in state and the one KMS reports.
func BenchmarkPolicySemanticEquality(b *testing.B) {
	state := jsontypes.NewNormalizedValue(benchKeyPolicy)
	for _, tc := range []struct {
		name, other string
		want        bool
	}{
		{"equal", benchKeyPolicyFromKMS, true},
		{"changed", `{"Version":"2012-10-17","Statement":[]}`, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := b.Context()
			other := jsontypes.NewNormalizedValue(tc.other)
			equal, diags := state.StringSemanticEquals(ctx, other)
			if diags.HasError() || equal != tc.want {
				b.Fatalf("StringSemanticEquals = %t, %v; want %t and no diagnostics", equal, diags, tc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				equal, _ = state.StringSemanticEquals(ctx, other)
			}
			if equal != tc.want {
				b.Fatalf("StringSemanticEquals = %t in the loop, want %t", equal, tc.want)
			}
		})
	}
}

// BenchmarkReplaceOnly measures the schema walk that makes every configurable attribute of a resource
// force replacement, which runs each time Terraform asks the provider for its schemas.
func BenchmarkReplaceOnly(b *testing.B) {
	for _, tc := range []struct {
		name   string
		schema schema.Schema
	}{
		{"key", keySchema()},
		{"bucket", bucketSchema()},
		{"server", serverSchema()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if n := forcingReplacement(b.Context(), replaceOnly(tc.schema).Attributes); n == 0 {
				b.Fatalf("replaceOnly made no attribute of the %s schema force replacement", tc.name)
			} else if n != configurable(tc.schema.Attributes) {
				b.Fatalf("replaceOnly made %d attributes of the %s schema force replacement, want %d",
					n, tc.name, configurable(tc.schema.Attributes))
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = replaceOnly(tc.schema)
			}
		})
	}
}

// forcingReplacement counts the attributes, nested ones included, with a RequiresReplace plan modifier.
func forcingReplacement(ctx context.Context, attrs map[string]schema.Attribute) int {
	n := 0
	for _, a := range attrs {
		for _, m := range planModifiers(a) {
			if m.Description(ctx) == requiresReplace {
				n++
				break
			}
		}
		n += forcingReplacement(ctx, nested(a))
	}
	return n
}

// configurable counts the required and optional attributes, nested ones included.
func configurable(attrs map[string]schema.Attribute) int {
	n := 0
	for _, a := range attrs {
		if a.IsRequired() || a.IsOptional() {
			n++
		}
		n += configurable(nested(a))
	}
	return n
}

// BenchmarkKeyModel_fromAPI measures the same for a gdpr_key, whose policy is compared by meaning.
func BenchmarkKeyModel_fromAPI(b *testing.B) {
	ctx := b.Context()
	api := apiKey()
	api.Policy = benchKeyPolicyFromKMS
	model := keyTestModel()
	model.Policy = jsontypes.NewNormalizedValue(benchKeyPolicy)
	m := model
	changed, err := m.fromAPI(ctx, api)
	if err != nil || len(changed) != 0 {
		b.Fatalf("fromAPI on an unchanged key = %v, %v; want nothing changed", changed, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m := model
		changed, err = m.fromAPI(ctx, api)
	}
	if err != nil || len(changed) != 0 {
		b.Fatalf("fromAPI in the loop = %v, %v", changed, err)
	}
}
