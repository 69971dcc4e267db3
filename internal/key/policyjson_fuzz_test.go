package key

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
)

// policyJSONSeeds are key policy shapes, JSON edge cases and near-JSON that
// must not crash the comparison.
var policyJSONSeeds = []string{
	`{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`,
	`{"Statement":[{"Resource":"*","Action":["kms:Decrypt","kms:Encrypt"],"Effect":"Deny",` +
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}],"Version":"2012-10-17"}`,
	`{"a":1,"a":2}`, `{"n":1.0}`, `{"n":1e2}`, `{"n":12345678901234567890123}`, `[1e400]`,
	`"<script>&amp;"`, `"\u00e9\ud83d\ude00"`, "\"\xff\"", `null`, `true`, `0`, `-0`, `[]`, `{}`, ` [ ] `,
	``, `{`, `{"a":}`, `{} {}`, `{} x`, `[1,]`, `NaN`, `'single'`,
}

// FuzzPolicySemanticEquality checks that key policies compared with
// jsontypes.Normalized are equal exactly when they mean the same: a valid
// document re-encoded with other whitespace and key order is equal to itself,
// and one wrapped in an array or given an extra key is not.
func FuzzPolicySemanticEquality(f *testing.F) {
	for _, s := range policyJSONSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		ctx := context.Background()
		a := jsontypes.NewNormalizedValue(doc)

		if !json.Valid([]byte(doc)) {
			// Invalid JSON may be reported through diagnostics, but must not panic
			// whichever side of the comparison it is on.
			other := jsontypes.NewNormalizedValue(`{"Version":"2012-10-17"}`)
			_, _ = a.StringSemanticEquals(ctx, a)
			_, _ = a.StringSemanticEquals(ctx, other)
			_, _ = other.StringSemanticEquals(ctx, a)
			return
		}

		// The re-encoding keeps each number's literal (UseNumber), because
		// jsontypes compares numbers by their literal rather than their value:
		// 1.0 and 1 are different policies to it. Decoding numbers into float64
		// here would turn that documented choice into a false failure.
		dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("json.Valid accepts %q but decoding it fails: %v", doc, err)
		}
		reencoded, err := json.MarshalIndent(v, "\t", "   ")
		if err != nil {
			t.Fatalf("re-encoding %q: %v", doc, err)
		}
		b := jsontypes.NewNormalizedValue(string(reencoded))

		assertSemantic(ctx, t, a, b, true)
		assertSemantic(ctx, t, b, a, true)

		wrapped := jsontypes.NewNormalizedValue("[" + doc + "]")
		assertSemantic(ctx, t, a, wrapped, false)
		assertSemantic(ctx, t, wrapped, a, false)

		if obj, ok := v.(map[string]any); ok {
			key := "Sid"
			for _, taken := obj[key]; taken; _, taken = obj[key] {
				key += "x"
			}
			obj[key] = "added"
			extended, err := json.Marshal(obj)
			if err != nil {
				t.Fatalf("re-encoding %q with a key added: %v", doc, err)
			}
			assertSemantic(ctx, t, a, jsontypes.NewNormalizedValue(string(extended)), false)
		}
	})
}

func assertSemantic(ctx context.Context, t *testing.T, x, y jsontypes.Normalized, want bool) {
	t.Helper()
	got, diags := x.StringSemanticEquals(ctx, y)
	if diags.HasError() {
		t.Fatalf("comparing %q with %q: unexpected diagnostics %v", x.ValueString(), y.ValueString(), diags)
	}
	if got != want {
		t.Fatalf("%q semantically equal to %q = %t, want %t", x.ValueString(), y.ValueString(), got, want)
	}
}
