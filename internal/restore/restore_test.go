package restore_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccRestoreObjects_prefixBackToTheMoment writes objects under records/, records a moment, then
// overwrites some, deletes one, adds one, brings back one that was deleted before the moment, and changes a
// key outside the prefix. A dry run reports the counts and writes nothing; the restore then returns every
// key under the prefix to what it held at the moment (its content read back with GetObject), hides the keys
// that did not exist then (404, every version still listed), keeps every version and delete marker there
// was, leaves the key outside the prefix as it is, encrypts what it writes under the bucket's key with the
// content type, metadata and tags of the version it copies, and records one event with the counts and the
// digest of the keys it changed. Invoked again, it writes nothing and counts every key unchanged.
func TestAccRestoreObjects_prefixBackToTheMoment(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	name := acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+bucketResources(name, "")+
		restoreAction("records", `    prefix  = "records/"
    to_time = var.to_time`)+restoreAction("preview", `    prefix  = "records/"
    to_time = var.to_time
    dry_run = true`)+`
variable "to_time" {
  type    = string
  default = "2026-01-01T00:00:00Z"
}
`, nil)
	put(t, name, "records/keep.txt", "keep 1")
	acctest.PutObject(t, name, "records/over.txt", "over 1", func(in *s3.PutObjectInput) {
		in.ContentType, in.Metadata, in.Tagging = aws.String("text/csv"), map[string]string{"source": "crm"}, aws.String("class=invoice")
	})
	put(t, name, "records/del.txt", "del 1")
	put(t, name, "records/sub/nested.json", `{"v":1}`)
	put(t, name, "records/back.txt", "back 1")
	remove(t, name, "records/back.txt")
	put(t, name, "outside/x.txt", "outside 1")
	to := moment()
	put(t, name, "records/over.txt", "over 2", "over 3")
	remove(t, name, "records/del.txt")
	put(t, name, "records/sub/nested.json", `{"v":2}`)
	put(t, name, "records/back.txt", "back 2")
	put(t, name, "records/added.txt", "added")
	put(t, name, "outside/x.txt", "outside 2")
	before := listVersions(t, name)
	toVar := "-var=to_time=" + to.Format(time.RFC3339)

	out, err := invoke(w, "preview", toVar)
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if !strings.Contains(out, fmt.Sprintf(`Dry run: nothing written: Returning the keys in bucket "%s" under the prefix "records/" to %s would restore 3 key(s)`, name, to.Format(time.RFC3339))) ||
		!strings.Contains(out, "hide 2 key(s) added since (a delete marker), and leave 1 key(s) unchanged") {
		t.Errorf("the dry run did not report the counts:\n%s", out)
	}
	if got := listVersions(t, name); !slices.Equal(got, before) {
		t.Fatalf("the dry run wrote:\n got %+v\nwant %+v", got, before)
	}
	if events := restoreEvents(t, trail); len(events) != 0 {
		t.Errorf("the dry run recorded %d restore events, want none", len(events))
	}

	out, err = invoke(w, "records", toVar)
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, out)
	}
	for _, want := range []string{"3 keys to restore, 2 to hide, 1 already as they were", "restored 3 of 3 keys, hid 2 of 2",
		fmt.Sprintf(`restored 3 key(s) and hid 2 in bucket %s; 1 key(s) already as they were at %s`, name, to.Format(time.RFC3339))} {
		if !strings.Contains(out, want) {
			t.Errorf("the invocation did not show %q:\n%s", want, out)
		}
	}
	checkContents(t, name, map[string]string{
		"records/keep.txt": "keep 1", "records/over.txt": "over 1", "records/del.txt": "del 1",
		"records/sub/nested.json": `{"v":1}`, "records/back.txt": "", "records/added.txt": "",
		"outside/x.txt": "outside 2",
	})
	after := listVersions(t, name)
	if gone := missingFrom(before, after); len(gone) != 0 {
		t.Errorf("the restore removed versions or delete markers: %+v", gone)
	}
	var newKeys []string
	for _, v := range added(before, after) {
		newKeys = append(newKeys, fmt.Sprintf("%s marker=%v", v.key, v.marker))
	}
	slices.Sort(newKeys)
	if want := []string{"records/added.txt marker=true", "records/back.txt marker=true", "records/del.txt marker=false",
		"records/over.txt marker=false", "records/sub/nested.json marker=false"}; !slices.Equal(newKeys, want) {
		t.Errorf("the restore added %q, want one version or delete marker of each changed key: %q", newKeys, want)
	}
	if h, want := head(t, name, "records/over.txt"), bucketKey(t, name); string(h.ServerSideEncryption) != "aws:kms" || !strings.HasSuffix(aws.ToString(h.SSEKMSKeyId), want) {
		t.Errorf("the restored version is encrypted with %s under %q, want aws:kms under the bucket's key %q", h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), want)
	}
	if h := head(t, name, "records/over.txt"); aws.ToString(h.ContentType) != "text/csv" || h.Metadata["source"] != "crm" {
		t.Errorf("the restored version has content type %q and metadata %v, want those of its version at the moment: text/csv, source=crm",
			aws.ToString(h.ContentType), h.Metadata)
	}
	if tags := objectTags(t, name, "records/over.txt"); len(tags) != 1 || tags["class"] != "invoice" {
		t.Errorf("the restored version is tagged %v, want its version's tags at the moment: class=invoice", tags)
	}
	events := restoreEvents(t, trail)
	if len(events) != 1 {
		t.Fatalf("%d restore events, want one: %+v", len(events), events)
	}
	checkEvent(t, events[0], name, to, 3, 2, 1, "records/over.txt", "records/del.txt", "records/sub/nested.json", "records/back.txt", "records/added.txt")

	out, err = invoke(w, "records", toVar)
	if err != nil {
		t.Fatalf("invoking again: %v\n%s", err, out)
	}
	if !strings.Contains(out, "0 keys to restore, 0 to hide, 6 already as they were") {
		t.Errorf("the second invocation did not find every key unchanged:\n%s", out)
	}
	if got := listVersions(t, name); !slices.Equal(got, after) {
		t.Errorf("the second invocation wrote: %+v", added(after, got))
	}
	if events = restoreEvents(t, trail); len(events) != 2 {
		t.Fatalf("%d restore events, want two", len(events))
	}
	checkEvent(t, events[1], name, to, 0, 0, 6)
}
