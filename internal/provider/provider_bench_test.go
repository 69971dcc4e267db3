package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// BenchmarkReplaceOnly measures the schema walk that makes every configurable attribute of a resource
// force replacement, which runs each time Terraform asks the provider for its schemas.
func BenchmarkReplaceOnly(b *testing.B) {
	for _, tc := range []struct {
		name   string
		schema schema.Schema
	}{
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

// BenchmarkBucketModel_fromAPI measures turning what S3 reports into the model, which every refresh of a
// gdpr_bucket does; the bucket is compliant and unchanged, the common case.
func BenchmarkBucketModel_fromAPI(b *testing.B) {
	ctx := b.Context()
	api := compliantBucket()
	m := bucketTestModel()
	changed, violations := m.fromAPI(ctx, api)
	if len(changed) != 0 || len(violations) != 0 {
		b.Fatalf("fromAPI on a compliant, unchanged bucket: changed %v, violations %v", changed, violations)
	}
	b.ReportAllocs()
	for b.Loop() {
		m := bucketTestModel()
		changed, violations = m.fromAPI(ctx, api)
	}
	if len(changed) != 0 || len(violations) != 0 {
		b.Fatalf("fromAPI in the loop: changed %v, violations %v", changed, violations)
	}
}
