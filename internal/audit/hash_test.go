package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// guideFields reads the fields of an event, in order, from the table in the audit guide: the format is
// what the guide says, and a field the package writes but the guide does not name is a bug of one or the
// other.
func guideFields(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "guides", "audit-trail.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "## The event")
	if !ok {
		t.Fatal(`the audit guide has no "## The event" section`)
	}
	table, _, _ = strings.Cut(table, "\n## ")
	name := regexp.MustCompile("`([a-z0-9_]+)`")
	var fields []string
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cell := strings.Split(line, "|")[1]
		for _, m := range name.FindAllStringSubmatch(cell, -1) {
			fields = append(fields, m[1])
		}
	}
	return fields
}

// field is one member of an event line as the guide defines it.
type field struct{ name, value string }

// guideLine builds an event line the way the guide defines it, with code of its own rather than the
// package's encoder: one JSON object with the fields in the guide's order, then "hash", the SHA-256 in hex
// of the line without it, and "sig", key's ed25519 signature of the hash in standard base64. Every field
// here has a value, so none is left out.
func guideLine(t *testing.T, fields []field, key ed25519.PrivateKey) (withoutHash, line, hash string) {
	t.Helper()
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.name)
		if err != nil {
			t.Fatal(err)
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	withoutHash = b.String() + "}"
	sum := sha256.Sum256([]byte(withoutHash))
	hash = hex.EncodeToString(sum[:])
	return withoutHash, b.String() + `,"hash":"` + hash + `","sig":"` + guideSig(key, hash) + `"}`, hash
}

// guideSig is the signature of a hash as the guide defines it.
func guideSig(key ed25519.PrivateKey, hash string) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(hash)))
}

// guideFingerprint is the fingerprint of a public key as the guide defines it: "SHA256:" and the SHA-256 of
// the key's 32 bytes in base64 without padding.
func guideFingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + strings.TrimRight(base64.StdEncoding.EncodeToString(sum[:]), "=")
}

// seedKey is a signing key that is the same in every run, so that signatures can be written down.
func seedKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	return ed25519.NewKeyFromSeed(seed)
}

// fullEvent has a value in every field the package lets a caller set.
func fullEvent(i int) Event {
	return Event{
		Time: time.Date(2025, 5, 1, 12, 0, i, 0, time.UTC), Action: Create, ResourceType: "gdpr_bucket",
		CloudID: "records-" + string(rune('a'+i)), Region: "eu-central-1", Jurisdiction: "EU",
		CallerAccount: "123456789012", CallerARN: "arn:aws:iam::123456789012:user/ci",
		TFCRunID: "run-abc", TFCWorkspaceID: "ws-def", TFCWorkspaceName: "records-prod",
		TFCOrganization: "acme", TFCProject: "customer-data", TFCGitCommitSHA: "0123456789abcdef0123456789abcdef01234567",
		TFCGitBranch: "release", TFCGitTag: "v2.0.0",
		ArgumentsSHA256: strings.Repeat("ab", 32),
		MovedTo:         "records-new", MovedObjects: "200", MovedBytes: "123456", ManifestSHA256: strings.Repeat("ef", 32),
		Snapshots:      "gdpr-move-records-db-x,gdpr-move-records-db-x-0123abcd",
		ErasedVersions: "12", ErasedDeleteMarkers: "3", ErasedBytes: "4096", KeysSHA256: strings.Repeat("9a", 32),
		RestoredToTime: "2025-04-30T08:00:00Z", RestoredKeys: "41", HiddenKeys: "7", UnchangedKeys: "952",
		IncidentID: "INC-2025-0042", IsolationGroup: "sg-0123456789abcdef0", Stopped: "true",
	}
}

// guideFieldsOf lists the event's values under the guide's field names, in the guide's order, for an event
// signed by key.
func guideFieldsOf(e Event, prevHash string, key ed25519.PrivateKey) []field {
	return []field{
		{"time", e.Time.UTC().Format(time.RFC3339)},
		{"action", string(e.Action)},
		{"resource_type", e.ResourceType},
		{"cloud_id", e.CloudID},
		{"region", e.Region},
		{"jurisdiction", e.Jurisdiction},
		{"caller_account", e.CallerAccount},
		{"caller_arn", e.CallerARN},
		{"tfc_run_id", e.TFCRunID},
		{"tfc_workspace_id", e.TFCWorkspaceID},
		{"tfc_workspace_name", e.TFCWorkspaceName},
		{"tfc_organization", e.TFCOrganization},
		{"tfc_project", e.TFCProject},
		{"tfc_git_commit_sha", e.TFCGitCommitSHA},
		{"tfc_git_branch", e.TFCGitBranch},
		{"tfc_git_tag", e.TFCGitTag},
		{"arguments_sha256", e.ArgumentsSHA256},
		{"moved_to", e.MovedTo},
		{"moved_objects", e.MovedObjects},
		{"moved_bytes", e.MovedBytes},
		{"manifest_sha256", e.ManifestSHA256},
		{"snapshots", e.Snapshots},
		{"erased_versions", e.ErasedVersions},
		{"erased_delete_markers", e.ErasedDeleteMarkers},
		{"erased_bytes", e.ErasedBytes},
		{"keys_sha256", e.KeysSHA256},
		{"restored_to_time", e.RestoredToTime},
		{"restored_keys", e.RestoredKeys},
		{"hidden_keys", e.HiddenKeys},
		{"unchanged_keys", e.UnchangedKeys},
		{"incident_id", e.IncidentID},
		{"isolation_group", e.IsolationGroup},
		{"stopped", e.Stopped},
		{"key_fingerprint", guideFingerprint(publicOf(key))},
		{"prev_hash", prevHash},
	}
}

// TestEventHash_asTheGuideDefinesIt computes each line of a trail and its hash as the audit guide defines
// them, independently of the package's encoder and hash, and requires the file to hold exactly that. It
// then changes each field of a line in turn, keeping the line in the exact written form but leaving its
// hash, and requires Verify to find that the hash does not match: every field is covered by the hash.
func TestEventHash_asTheGuideDefinesIt(t *testing.T) {
	want := guideFields(t)
	var tags []string
	typ := reflect.TypeFor[Event]()
	for i := range typ.NumField() {
		tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		tags = append(tags, tag)
	}
	if !slices.Equal(tags, want) {
		t.Fatalf("the event's fields are %v, the guide's are %v", tags, want)
	}

	path := filepath.Join(t.TempDir(), "audit.jsonl")
	key := seedKey()
	f := &File{path: path, key: key}
	events := []Event{fullEvent(0), fullEvent(1)}
	events[1].Action = Delete
	var written []string
	prev := ""
	for _, e := range events {
		if _, err := f.Append(e); err != nil {
			t.Fatal(err)
		}
		fields := guideFieldsOf(e, prev, key)
		// hash and sig are not fields of the hashed line.
		if got := len(fields) + 2; got != len(want) {
			t.Fatalf("the test builds %d fields, the guide names %d", got, len(want))
		}
		_, line, hash := guideLine(t, fields, key)
		written = append(written, line)
		prev = hash
	}
	got := lines(t, path)
	if !slices.Equal(got, written) {
		// Not fatal: the tampering below shows which fields the package's hash leaves out.
		t.Errorf("the file holds\n%s\nthe guide defines\n%s", strings.Join(got, "\n"), strings.Join(written, "\n"))
	}
	if n, err := VerifyFile(path); err != nil || n != 2 {
		t.Fatalf("VerifyFile = %d, %v; want 2 events and an intact chain", n, err)
	}

	// Tamper with the second line the package wrote, field by field: a different value, the line still in
	// the exact form the provider writes, and the hash as it was.
	other := map[string]string{
		"time":                  "2025-05-01T12:00:59Z",
		"action":                string(Create),
		"resource_type":         "gdpr_key",
		"cloud_id":              "records-z",
		"region":                "eu-west-1",
		"jurisdiction":          "EEA",
		"caller_account":        "210987654321",
		"caller_arn":            "arn:aws:iam::210987654321:user/intruder",
		"tfc_run_id":            "run-xyz",
		"tfc_workspace_id":      "ws-xyz",
		"tfc_workspace_name":    "records-dev",
		"tfc_organization":      "example-org",
		"tfc_project":           "records",
		"tfc_git_commit_sha":    strings.Repeat("ab", 20),
		"tfc_git_branch":        "main",
		"tfc_git_tag":           "v1.2.3",
		"arguments_sha256":      strings.Repeat("cd", 32),
		"moved_to":              "records-elsewhere",
		"moved_objects":         "201",
		"moved_bytes":           "654321",
		"manifest_sha256":       strings.Repeat("12", 32),
		"snapshots":             "gdpr-move-customers-db-abc,gdpr-move-customers-db-abc-1234abcd",
		"erased_versions":       "13",
		"erased_delete_markers": "4",
		"erased_bytes":          "8192",
		"keys_sha256":           strings.Repeat("34", 32),
		"restored_to_time":      "2025-04-29T08:00:00Z",
		"restored_keys":         "42",
		"hidden_keys":           "8",
		"unchanged_keys":        "951",
		"incident_id":           "INC-2025-0043",
		"isolation_group":       "sg-0fedcba9876543210",
		"stopped":               "false",
		"key_fingerprint":       guideFingerprint(make(ed25519.PublicKey, ed25519.PublicKeySize)),
		"prev_hash":             strings.Repeat("0", 64),
		"hash":                  strings.Repeat("f", 64),
	}
	signed := func(withoutHash, hash string) string {
		return strings.TrimSuffix(withoutHash, "}") + `,"hash":"` + hash + `","sig":"` + guideSig(key, mustHash(t, got[1])) + `"}`
	}
	withoutHash, _, _ := guideLine(t, guideFieldsOf(events[1], mustHash(t, got[0]), key), key)
	if rebuilt := signed(withoutHash, mustHash(t, got[1])); rebuilt != got[1] {
		t.Fatalf("line 2 rebuilt with its own hash is\n%s\nnot\n%s", rebuilt, got[1])
	}
	for _, name := range want {
		if name == "sig" {
			// The signature is left out of the hash, as the hash itself is; the signature tests show
			// that it covers the hash instead.
			continue
		}
		t.Run(name, func(t *testing.T) {
			fields := guideFieldsOf(events[1], mustHash(t, got[0]), key)
			hash := mustHash(t, got[1])
			if name == "hash" {
				hash = other[name]
			} else {
				i := slices.IndexFunc(fields, func(f field) bool { return f.name == name })
				if fields[i].value == other[name] {
					t.Fatalf("the tampered %s equals the original", name)
				}
				fields[i].value = other[name]
			}
			withoutHash, _, _ := guideLine(t, fields, key)
			tampered := signed(withoutHash, hash)
			_, err := Verify(strings.NewReader(got[0] + "\n" + tampered + "\n"))
			var b *BrokenLink
			if !errors.As(err, &b) || b.Line != 2 || !strings.Contains(b.Reason, "hash does not match the line's content") {
				t.Errorf("with %s changed, Verify = %v; want line 2: the hash does not match the line's content", name, err)
			}
		})
	}
}

// mustHash returns the hash a written line carries.
func mustHash(t *testing.T, line string) string {
	t.Helper()
	var v struct{ Hash string }
	if err := json.Unmarshal([]byte(line), &v); err != nil || v.Hash == "" {
		t.Fatalf("line %q has no hash: %v", line, err)
	}
	return v.Hash
}
