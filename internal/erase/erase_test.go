package erase_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// TestAccEraseObjects_prefixErasesEveryVersionAndDeleteMarkerUnderIt erases customers/4711/ from a bucket
// where that subject's objects have several versions, a delete marker and a nested key, next to a sibling
// subject whose prefix begins the same (customers/47110/) and an object at customers/4711 itself: after the
// invocation S3 lists nothing under the prefix, and every other version is still there, each by its id.
// The audit event's keys_sha256 must be the digest of the erased keys sorted here, independently: S3 lists
// versions and delete markers in two lists, so the order in which they come (a/b, deleted.txt, profile.json,
// then deleted.txt's marker) is not the sorted order of the keys.
func TestAccEraseObjects_prefixErasesEveryVersionAndDeleteMarkerUnderIt(t *testing.T) {
	acctest.RequireActions(t)
	name := acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+bucketResources(name, "")+
		eraseAction("subject_4711", `    prefix = "customers/4711/"`), nil)
	seed(t, name, map[string][]string{
		"customers/4711/profile.json":  {`{"v":1}`, `{"v":2}`, `{"v":3}`},
		"customers/4711/a/b":           {"nested"},
		"customers/4711/deleted.txt":   {"gone but kept as a version"},
		"customers/47110/profile.json": {`{"other":1}`, `{"other":2}`},
		"customers/4711":               {"not under the prefix"},
		"customers/4712/profile.json":  {`{"x":1}`},
	}, "customers/4711/deleted.txt", "customers/47110/profile.json")
	under := func(k string) bool { return strings.HasPrefix(k, "customers/4711/") }
	erased, kept := split(listVersions(t, name), under)
	if len(erased) != 6 || len(kept) != 5 {
		t.Fatalf("seeded %d versions under the prefix and %d outside, want 6 and 5", len(erased), len(kept))
	}

	out, err := invoke(w, "subject_4711")
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`erased 6 of 6 versions`).MatchString(out) {
		t.Errorf("the invocation showed no progress message with the counts:\n%s", out)
	}
	left, got := split(listVersions(t, name), under)
	if len(left) != 0 {
		t.Errorf("versions left under the prefix: %+v", left)
	}
	if !slices.Equal(got, kept) {
		t.Errorf("the versions outside the prefix changed:\n got %+v\nwant %+v", got, kept)
	}
	var erases []audit.Event
	for _, e := range acctest.AuditEvents(t, trail) {
		if e.Action == audit.Erase {
			erases = append(erases, e)
		}
	}
	if len(erases) != 1 {
		t.Fatalf("%d erase events, want one: %+v", len(erases), erases)
	}
	if want := keysDigest(keysOf(erased)); erases[0].KeysSHA256 != want {
		t.Errorf("keys_sha256 is %s, want %s: the SHA-256 of the erased keys %q, sorted, each once", erases[0].KeysSHA256, want, keysOf(erased))
	}
	if erases[0].ErasedVersions != "5" || erases[0].ErasedDeleteMarkers != "1" {
		t.Errorf("the event counts %s versions and %s delete markers, want 5 and 1", erases[0].ErasedVersions, erases[0].ErasedDeleteMarkers)
	}
}

// TestAccEraseObjects_keysEraseExactlyThoseKeys erases two keys by name: each loses every version and its
// delete marker, while a key that begins with one of them (profile.json.bak) and the subject's other
// objects keep theirs.
func TestAccEraseObjects_keysEraseExactlyThoseKeys(t *testing.T) {
	acctest.RequireActions(t)
	name := acctest.BucketName()
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, "")+
		eraseAction("two_keys", `    keys = ["customers/4711/profile.json", "invoices/4711-1.pdf"]`), nil)
	seed(t, name, map[string][]string{
		"customers/4711/profile.json":     {`{"v":1}`, `{"v":2}`},
		"customers/4711/profile.json.bak": {`{"v":0}`},
		"customers/4711/orders.json":      {`[]`},
		"invoices/4711-1.pdf":             {"%PDF-1"},
	}, "invoices/4711-1.pdf")
	named := func(k string) bool { return k == "customers/4711/profile.json" || k == "invoices/4711-1.pdf" }
	erased, kept := split(listVersions(t, name), named)
	if len(erased) != 4 || len(kept) != 2 {
		t.Fatalf("seeded %d versions of the keys and %d others, want 4 and 2", len(erased), len(kept))
	}
	if out, err := invoke(w, "two_keys"); err != nil {
		t.Fatalf("invoke: %v\n%s", err, out)
	}
	left, got := split(listVersions(t, name), named)
	if len(left) != 0 {
		t.Errorf("versions of the keys left: %+v", left)
	}
	if !slices.Equal(got, kept) {
		t.Errorf("the other versions changed:\n got %+v\nwant %+v", got, kept)
	}
}

// TestAccEraseObjects_prefixMatchingNothingSucceedsAndSaysSo invokes an erasure whose prefix matches no
// key: the invocation succeeds, says that nothing was erased, and every version stays.
func TestAccEraseObjects_prefixMatchingNothingSucceedsAndSaysSo(t *testing.T) {
	acctest.RequireActions(t)
	name := acctest.BucketName()
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, "")+
		eraseAction("nobody", `    prefix = "customers/9999/"`), nil)
	seed(t, name, map[string][]string{"customers/4711/profile.json": {"a", "b"}})
	before := listVersions(t, name)
	out, err := invoke(w, "nobody")
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`Nothing to erase: Bucket "` + name + `" holds no object version or delete marker under the prefix "customers/9999/", so nothing was erased`).MatchString(out) {
		t.Errorf("the invocation did not say that nothing was erased:\n%s", out)
	}
	if got := listVersions(t, name); !slices.Equal(got, before) {
		t.Errorf("versions changed:\n got %+v\nwant %+v", got, before)
	}
}

// TestAccEraseObjects_keysWithControlCharacters erases keys holding characters an XML listing cannot carry
// (U+0001, a carriage return), by prefix and by exact key: each loses every version, byte-exact, and a key
// that differs only in such a character is kept. (A key with a line feed is not among them: the emulator
// cannot store one, its URL routes end at a line feed.)
func TestAccEraseObjects_keysWithControlCharacters(t *testing.T) {
	acctest.RequireActions(t)
	name := acctest.BucketName()
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, "")+
		eraseAction("by_prefix", `    prefix = "subject\u0001/"`)+
		eraseAction("by_key", `    keys = ["ctl/carriage\rreturn"]`), nil)
	seed(t, name, map[string][]string{
		"subject\x01/profile.json": {`{"v":1}`, `{"v":2}`},
		"subject\x01/\x1fnote":     {"note"},
		"subject\x02/profile.json": {"another subject"},
		"ctl/carriage\rreturn":     {"one", "two"},
		"ctl/carriage return":      {"a space, not the key erased"},
	}, "subject\x01/\x1fnote")
	gone := func(k string) bool { return strings.HasPrefix(k, "subject\x01/") || k == "ctl/carriage\rreturn" }
	erased, kept := split(listVersions(t, name), gone)
	if len(erased) != 6 || len(kept) != 2 {
		t.Fatalf("seeded %d versions to erase and %d to keep, want 6 and 2", len(erased), len(kept))
	}
	for _, action := range []string{"by_prefix", "by_key"} {
		if out, err := invoke(w, action); err != nil {
			t.Fatalf("invoke %s: %v\n%s", action, err, out)
		}
	}
	left, got := split(listVersions(t, name), gone)
	if len(left) != 0 {
		t.Errorf("versions left of the erased keys: %+v", left)
	}
	if !slices.Equal(got, kept) {
		t.Errorf("the other versions changed:\n got %+v\nwant %+v", got, kept)
	}
}
