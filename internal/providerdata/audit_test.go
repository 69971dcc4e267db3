package providerdata

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
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

// A plan, or an erasure, whose event the audit file would take signed with another key than its last one
// stops with words that say how to start a new file and that nothing was written, naming both keys.
func TestCheckAudit_fileSignedWithAnotherKeyStops(t *testing.T) {
	dir := t.TempDir()
	keys := map[string]ed25519.PrivateKey{}
	for _, name := range []string{"old", "new"} {
		priv, pub := filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".pub.pem")
		if err := audit.GenerateKeys(priv, pub); err != nil {
			t.Fatal(err)
		}
		key, err := audit.LoadSigningKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = key
	}
	path := filepath.Join(dir, "audit.jsonl")
	if _, errs := audit.NewTrail(path, "", "", audit.DefaultRetry, audit.WithSigningKey(keys["old"])).
		Record(context.Background(), audit.Event{Action: audit.Create, ResourceType: "gdpr_key", CloudID: "k"}); len(errs) > 0 {
		t.Fatal(errs)
	}
	before, _ := os.ReadFile(path)
	d := &Data{Audit: audit.NewTrail(path, "", "", audit.DefaultRetry, audit.WithSigningKey(keys["new"]))}
	fingerprint := func(k ed25519.PrivateKey) string {
		pub, _ := k.Public().(ed25519.PublicKey)
		return audit.Fingerprint(pub)
	}
	for name, check := range map[string]func(string, *diag.Diagnostics){"plan": d.CheckAudit, "action": d.CheckAuditAction} {
		var diags diag.Diagnostics
		check("gdpr_key", &diags)
		if len(diags) != 1 || diags[0].Summary() != "Audit signing key does not match the audit file" {
			t.Fatalf("%s: diagnostics %v, want one saying the signing key does not match the audit file", name, diags)
		}
		for _, want := range []string{"set audit.path in the provider block to the path of a new file",
			"nothing was written", "was signed by the key " + fingerprint(keys["old"]),
			"now signs with the key " + fingerprint(keys["new"]), path} {
			if !strings.Contains(diags[0].Detail(), want) {
				t.Errorf("%s: the detail does not say %q:\n%s", name, want, diags[0].Detail())
			}
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("the audit file changed:\n%s", after)
	}
}
