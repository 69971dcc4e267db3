package identity

import (
	"strings"
	"testing"
)

var bucketKind = Kind{TypeName: "gdpr_bucket", IDAttribute: "bucket", IDDescription: "The bucket's name."}

func TestDifferences_nameEveryChangedAttribute(t *testing.T) {
	stored := Identity{AccountID: "123456789012", Region: "eu-central-1", ID: "records"}
	tests := map[string]struct {
		found Identity
		want  []string
	}{
		"same":              {stored, nil},
		"another account":   {Identity{"111122223333", "eu-central-1", "records"}, []string{`account_id "123456789012", now "111122223333"`}},
		"another region":    {Identity{"123456789012", "eu-west-1", "records"}, []string{`region "eu-central-1", now "eu-west-1"`}},
		"another id":        {Identity{"123456789012", "eu-central-1", "logs"}, []string{`bucket "records", now "logs"`}},
		"account not known": {Identity{"", "eu-central-1", "records"}, nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := bucketKind.Differences(stored, tt.found); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Differences = %q, want %q", got, tt.want)
			}
		})
	}
	if got := bucketKind.Differences(Identity{}, Identity{"1", "2", "3"}); got != nil {
		t.Errorf("an identity not recorded yet differs in nothing, got %q", got)
	}
}

func TestCheckImport_refusesAnotherAccountOrRegion(t *testing.T) {
	tests := map[string]struct {
		requested Identity
		account   string
		want      []string
	}{
		"id only":                    {Identity{ID: "records"}, "123456789012", nil},
		"same account and region":    {Identity{"123456789012", "eu-central-1", "records"}, "123456789012", nil},
		"another account":            {Identity{AccountID: "111122223333", ID: "records"}, "123456789012", []string{`account "111122223333", and the provider's credentials belong to account "123456789012"`}},
		"account STS could not tell": {Identity{AccountID: "111122223333", ID: "records"}, "", nil},
		"another region":             {Identity{Region: "eu-west-1", ID: "records"}, "123456789012", []string{`region "eu-west-1", and the gdpr_bucket would be managed in region "eu-central-1"`}},
		"another account and region": {Identity{"111122223333", "eu-west-1", "records"}, "123456789012", []string{`account "111122223333"`, `region "eu-west-1"`}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			diags := bucketKind.CheckImport(tt.requested, "eu-central-1", tt.account)
			if len(diags) != len(tt.want) {
				t.Fatalf("CheckImport gave %d diagnostics, want %d: %v", len(diags), len(tt.want), diags)
			}
			for i, want := range tt.want {
				if d := diags[i].Detail(); !strings.Contains(d, want) || !strings.Contains(d, "provider alias") {
					t.Errorf("diagnostic %d = %q, want it to contain %q and name the provider alias", i, d, want)
				}
			}
		})
	}
}

func TestFromARN_readsAccountAndRegion(t *testing.T) {
	got, err := FromARN("arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "1234abcd-12ab-34cd-56ef-1234567890ab")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Identity{"123456789012", "eu-central-1", "1234abcd-12ab-34cd-56ef-1234567890ab"}); got != want {
		t.Errorf("FromARN = %+v, want %+v", got, want)
	}
	if _, err := FromARN("not-an-arn", "x"); err == nil {
		t.Error("FromARN of a malformed ARN: want an error")
	}
}
