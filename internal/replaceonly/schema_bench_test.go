package replaceonly_test

import (
	"context"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// BenchmarkReplaceOnly measures each registered resource's Schema, which builds the schema and walks it to
// make every configurable attribute force replacement; it runs each time Terraform asks for the schemas.
func BenchmarkReplaceOnly(b *testing.B) {
	ctx := context.Background()
	for _, newResource := range provider.New("bench")().Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "gdpr"}, &meta)
		b.Run(meta.TypeName, func(b *testing.B) {
			var resp resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &resp)
			if n, want := forcingReplacement(ctx, resp.Schema.Attributes), configurable(resp.Schema.Attributes); n == 0 || n != want {
				b.Fatalf("%d attributes of the %s schema force replacement, want %d", n, meta.TypeName, want)
			}
			b.ReportAllocs()
			for b.Loop() {
				r.Schema(ctx, resource.SchemaRequest{}, &resp)
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
