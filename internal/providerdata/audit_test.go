package providerdata

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestArgumentsSHA256 checks that the hash covers the arguments and nothing else: computed values and
// sensitive or write-only arguments leave it unchanged.
func TestArgumentsSHA256(t *testing.T) {
	ctx := context.Background()
	// A schema with each kind of attribute the hash must tell apart, as the server's has.
	s := resource.SchemaResponse{Schema: schema.Schema{Attributes: map[string]schema.Attribute{
		"id":            schema.StringAttribute{Computed: true},
		"instance_type": schema.StringAttribute{Required: true},
		"tags":          schema.MapAttribute{Optional: true, ElementType: types.StringType},
		"user_data":     schema.StringAttribute{Optional: true, WriteOnly: true},
		"secret":        schema.StringAttribute{Optional: true, Sensitive: true},
	}}}
	typ := s.Schema.Type().TerraformType(ctx)
	objType, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatal("the schema is not an object")
	}
	state := func(overrides map[string]tftypes.Value) *tfsdk.State {
		vals := map[string]tftypes.Value{}
		for name, at := range objType.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		vals["instance_type"] = tftypes.NewValue(tftypes.String, "t3.micro")
		vals["tags"] = tftypes.NewValue(tftypes.Map{ElementType: tftypes.String},
			map[string]tftypes.Value{"b": tftypes.NewValue(tftypes.String, "2"), "a": tftypes.NewValue(tftypes.String, "1")})
		for k, v := range overrides {
			vals[k] = v
		}
		return &tfsdk.State{Schema: s.Schema, Raw: tftypes.NewValue(typ, vals)}
	}
	base, err := ArgumentsSHA256(state(nil))
	if err != nil || len(base) != 64 {
		t.Fatalf("ArgumentsSHA256 = %q, %v", base, err)
	}
	for name, tc := range map[string]struct {
		override map[string]tftypes.Value
		same     bool
	}{
		"computed id":     {map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "i-1")}, true},
		"write-only data": {map[string]tftypes.Value{"user_data": tftypes.NewValue(tftypes.String, "secret")}, true},
		"sensitive":       {map[string]tftypes.Value{"secret": tftypes.NewValue(tftypes.String, "hunter2")}, true},
		"argument":        {map[string]tftypes.Value{"instance_type": tftypes.NewValue(tftypes.String, "t3.small")}, false},
	} {
		got, err := ArgumentsSHA256(state(tc.override))
		if err != nil || (got == base) != tc.same {
			t.Errorf("%s: hash %s vs %s (%v), want same=%v", name, got, base, err, tc.same)
		}
	}
}
